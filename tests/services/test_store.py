from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from tests.conftest import OWNER
from tests.helpers import ADA, rows
from tutela.core.clock import FixedClock
from tutela.core.errors import PolicyInvalid, StorageLocked, StorageUnavailable, StoreExists, StoreNotInitialised
from tutela.core.settings import Settings
from tutela.core.storage.schema import customer, meta, record
from tutela.services import status, vault
from tutela.services.context import Context
from tutela.services.store import init_store, open_store


def test_init_refuses_to_overwrite(store: Context, clock: FixedClock) -> None:
    with pytest.raises(StoreExists):
        init_store(store.settings, clock)


def test_open_without_init(settings: Settings, clock: FixedClock) -> None:
    with pytest.raises(StoreNotInitialised) as caught:
        open_store(settings, clock)
    assert "tutela init" in caught.value.hint


def test_policy_edited_on_disk_becomes_an_audited_version_with_a_diff(store: Context, clock: FixedClock) -> None:
    path = store.settings.policy_file
    path.write_text(path.read_text().replace('name = "My Shop"', 'name = "Lovelace Gadgets"'))
    reopened = open_store(store.settings, clock)
    reopened.close()
    (event,) = rows(store, "SELECT details FROM audit_event WHERE action = 'policy.change' ORDER BY seq DESC LIMIT 1")
    assert '-name = \\"My Shop\\"' in event.details and '+name = \\"Lovelace Gadgets\\"' in event.details
    versions = rows(store, "SELECT version FROM policy_version ORDER BY version")
    assert [v.version for v in versions] == [1, 2]
    open_store(store.settings, clock).close()  # unchanged: no new version
    assert len(rows(store, "SELECT version FROM policy_version")) == 2


def test_invalid_policy_on_disk_stops_the_store_with_the_line(store: Context, clock: FixedClock) -> None:
    path = store.settings.policy_file
    path.write_text(path.read_text().replace('legal_basis = "consent"', 'legal_basis = "concent"', 1))
    with pytest.raises(PolicyInvalid) as caught:
        open_store(store.settings, clock)
    assert "policy.toml:" in caught.value.message and "did you mean 'consent'" in caught.value.message


def test_status_counts_without_values(store: Context) -> None:
    vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    report = status.store_status(store)
    assert report.customers == 1
    assert report.fields_by_category["user.name"] == 1
    assert report.fields_by_purpose == {"fulfillment": len(ADA)}
    assert report.keys.newest_version == 1
    assert report.audit_events >= 3
    assert "Ada" not in repr(report)


def test_restored_backup_is_erased_again_from_the_tombstone_journal(store: Context, clock: FixedClock) -> None:
    keep = vault.add_customer(
        store, actor=OWNER, purpose="fulfillment", source="amazon", fields={"user.name": "Grace Hopper"}
    )
    gone = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    with store.engine.connect() as connection:
        backup: dict[str, list[dict[str, Any]]] = {
            table.name: [dict(r._mapping) for r in connection.execute(select(table))]
            for table in (customer, record, meta)
        }
    vault.erase(store, actor=OWNER, customer_id=gone, reason="request 7")
    with store.engine.begin() as connection:  # restore the old backup of these tables
        for table in (record, customer, meta):
            connection.execute(text(f"DELETE FROM {table.name}"))
        for table in (meta, customer, record):
            connection.execute(insert(table), backup[table.name])
    assert len(rows(store, "SELECT 1 FROM record WHERE customer_id = :c", c=gone)) == 1
    reopened = open_store(store.settings, clock)
    try:
        assert rows(reopened, "SELECT 1 FROM record WHERE customer_id = :c", c=gone) == []
        assert rows(reopened, "SELECT wrapped_dek FROM customer WHERE id = :c", c=gone)[0].wrapped_dek is None
        assert len(rows(reopened, "SELECT 1 FROM record WHERE customer_id = :c", c=keep)) == 1
        reason = rows(reopened, "SELECT details FROM audit_event WHERE action = 'customer.erase' ORDER BY seq DESC")[0]
        assert "restore" in reason.details
    finally:
        reopened.close()


def test_unreachable_postgresql(tmp_path: Any, clock: FixedClock) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    with pytest.raises(StorageUnavailable) as caught:
        open_store(settings, clock)
    assert "TUTELA_DATABASE_URL" in caught.value.hint


def test_locked_sqlite_database_changes_nothing(tmp_path: Any, clock: FixedClock) -> None:
    import sqlite3

    settings = Settings(data_dir=tmp_path / "data", busy_timeout_ms=100)
    ctx = init_store(settings, clock)
    try:
        holder = sqlite3.connect(settings.data_dir / "tutela.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageLocked) as caught:
                vault.add_customer(ctx, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
            assert "another tutela process" in caught.value.message
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert rows(ctx, "SELECT count(*) FROM customer")[0][0] == 0
        assert replace(settings).busy_timeout_ms == 100
    finally:
        ctx.close()
