from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.conftest import OWNER
from tests.helpers import ADA, rows
from tutela.core.clock import FixedClock
from tutela.core.crypto.keyfile import read_key_file, write_key_file
from tutela.core.crypto.keyring import Keyring
from tutela.core.errors import KeyFileInsecure, KeyFileMissing, KeyMismatch, KeysReadOnly
from tutela.core.settings import Secret, Settings
from tutela.services import keys, vault
from tutela.services.context import Context
from tutela.services.store import open_store


def add_many(store: Context, n: int) -> list[str]:
    return vault.add_customers(
        store,
        actor=OWNER,
        purpose="fulfillment",
        source="amazon",
        customers=[
            vault.NewCustomer(fields={"user.name": f"Person {i}", "user.contact.email": f"p{i}@example.com"})
            for i in range(n)
        ],
    )


def test_rotate_rewraps_every_data_key_and_old_data_still_reads(store: Context, clock: FixedClock) -> None:
    ids = add_many(store, 25)
    ciphertexts_before = {tuple(r) for r in rows(store, "SELECT customer_id, purpose, fields FROM record")}
    report = keys.rotate(store, actor=OWNER, batch_size=10)
    assert (report.version, report.rewrapped, report.complete, report.started_new_version) == (2, 25, True, True)
    assert read_key_file(store.settings.key_file).newest_version == 2
    assert {tuple(r) for r in rows(store, "SELECT customer_id, purpose, fields FROM record")} == ciphertexts_before
    reopened = open_store(store.settings, clock)
    try:
        status = keys.status(reopened)
        assert [(v.version, v.data_keys) for v in status.versions] == [(1, 0), (2, 25)]
        shown = vault.reveal(reopened, actor=OWNER, purpose="fulfillment", customer_id=ids[7])
        assert {f.value for f in shown.fields} == {"Person 7", "p7@example.com"}
        new_id = add_many(reopened, 1)[0]
        (row,) = rows(reopened, "SELECT kek_version FROM customer WHERE id = :i", i=new_id)
        assert row.kek_version == 2
    finally:
        reopened.close()


def test_interrupted_rotation_is_completed_by_running_it_again(store: Context, clock: FixedClock) -> None:
    add_many(store, 30)
    first = keys.rotate(store, actor=OWNER, batch_size=10, max_batches=1)  # stops as a crash would
    assert (first.rewrapped, first.complete) == (10, False)
    # Mid-rotation, reads of both old- and new-wrapped customers and new writes keep working.
    versions = {str(r.id): int(r.kek_version) for r in rows(store, "SELECT id, kek_version FROM customer")}
    assert sorted(set(versions.values())) == [1, 2]
    for customer_id in (min(versions, key=versions.__getitem__), max(versions, key=versions.__getitem__)):
        assert vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id).fields
    assert add_many(store, 1)
    reopened = open_store(store.settings, clock)
    try:
        assert keys.status(reopened).pending_rewrap == 20
        second = keys.rotate(reopened, actor=OWNER, batch_size=10)
        assert (second.version, second.started_new_version, second.rewrapped, second.complete) == (2, False, 20, True)
        assert keys.status(reopened).pending_rewrap == 0
    finally:
        reopened.close()


def test_key_file_written_but_database_not_yet_is_recovered_on_open(store: Context, clock: FixedClock) -> None:
    add_many(store, 3)
    write_key_file(store.settings.key_file, store.keyring.with_new_version())
    reopened = open_store(store.settings, clock)
    try:
        assert [v.version for v in keys.status(reopened).versions] == [1, 2]
        resumed = keys.rotate(reopened, actor=OWNER)
        assert (resumed.version, resumed.started_new_version, resumed.rewrapped) == (2, False, 3)
    finally:
        reopened.close()


def test_key_file_of_another_store_is_refused(store: Context, clock: FixedClock) -> None:
    write_key_file(store.settings.key_file, Keyring.generate("someone-elses-store"))
    with pytest.raises(KeyMismatch) as caught:
        open_store(store.settings, clock)
    assert "another tutela store" in caught.value.message


def test_key_file_with_a_replaced_key_is_refused(store: Context, clock: FixedClock) -> None:
    forged = Keyring.generate("x")
    write_key_file(store.settings.key_file, replace(store.keyring, keks={1: forged.keks[1]}))
    with pytest.raises(KeyMismatch):
        open_store(store.settings, clock)


def test_missing_or_world_readable_key_file(store: Context, clock: FixedClock) -> None:
    store.settings.key_file.chmod(0o644)
    with pytest.raises(KeyFileInsecure):
        open_store(store.settings, clock)
    store.settings.key_file.unlink()
    with pytest.raises(KeyFileMissing):
        open_store(store.settings, clock)


def test_master_key_variable(store: Context, clock: FixedClock) -> None:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    document = store.settings.key_file.read_text()
    store.settings.key_file.unlink()
    from_env = replace(store.settings, master_key=Secret(document))
    ctx = open_store(from_env, clock)
    try:
        assert vault.reveal(ctx, actor=OWNER, purpose="fulfillment", customer_id=customer_id).fields
        with pytest.raises(KeysReadOnly):
            keys.rotate(ctx, actor=OWNER)
    finally:
        ctx.close()
    wrong = replace(store.settings, master_key=Secret(json.dumps(Keyring.generate("other").to_document())))
    with pytest.raises(KeyMismatch):
        open_store(wrong, clock)


def test_rotation_is_audited(store: Context) -> None:
    add_many(store, 3)
    keys.rotate(store, actor=OWNER)
    actions = [r.action for r in rows(store, "SELECT action FROM audit_event ORDER BY seq")]
    assert actions[-3:] == ["keys.rotate", "keys.rewrap", "keys.rotate_complete"]


def test_settings_never_show_the_master_key(tmp_path: object) -> None:
    settings = Settings(data_dir=__import__("pathlib").Path("/x"), master_key=Secret("top-secret-value"))
    assert "top-secret-value" not in repr(settings)


def test_a_process_opened_before_a_rotation_still_reads_rewrapped_customers(store: Context, clock: FixedClock) -> None:
    ids = add_many(store, 3)
    other_process = open_store(store.settings, clock)
    try:
        keys.rotate(store, actor=OWNER)
        assert other_process.keyring.newest_version == 1
        shown = vault.reveal(other_process, actor=OWNER, purpose="fulfillment", customer_id=ids[0])
        assert {f.value for f in shown.fields} == {"Person 0", "p0@example.com"}
        assert other_process.keyring.newest_version == 2
    finally:
        other_process.close()
