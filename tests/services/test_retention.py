"""Retention end to end on both backends: due times from imported orders, plan, apply with
receipts and shredding, holds, crashes, a clock that goes back, policy changes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import count, execute, rows
from tests.importer_files import UNSHIPPED_HEADER, two_amazon_buyers, unshipped_row, write_table
from tutela.core.clock import FixedClock
from tutela.core.errors import (
    HoldAlreadyReleased,
    ImportFileInvalid,
    InvalidValue,
    OrderNotFound,
    PersonalDataInText,
    RevocationNotComplete,
)
from tutela.core.policy import default_policy_text, parse_policy
from tutela.core.record_codec import Entry, categories_mask, decode, encode
from tutela.core.taxonomy import CATEGORIES
from tutela.services import amazon_revocation, holds, importing, retention, retention_apply, retention_plan
from tutela.services.context import Context
from tutela.services.store import open_store

DUE = datetime(2026, 12, 25, 23, 59, 59, tzinfo=UTC)  # promised 2026-11-25 23:59:59 + 30 days


@pytest.fixture
def imported(store: Context, tmp_path: Path) -> list[str]:
    """Two Amazon buyers (promised delivery 25 Nov and 20 Nov) -> their customer ids."""
    importing.import_file(store, actor=OWNER, path=two_amazon_buyers(tmp_path))
    return [str(r[0]) for r in rows(store, "SELECT customer_id FROM orders ORDER BY order_id")]


def test_plan_shows_when_and_why(store: Context, imported: list[str]) -> None:
    found = retention_plan.plan(store, until=datetime(2027, 1, 31, tzinfo=UTC))
    assert found.due_now.records == 0
    assert found.overdue.records == 0
    weeks = {week.isoformat(): counts.records for week, counts in found.weeks.items()}
    assert weeks == {"2026-12-14": 1, "2026-12-21": 1}  # 20 Dec and 25 Dec
    ada = retention_plan.plan(store, customer_id=imported[0]).customer
    assert ada is not None
    (fulfilment,) = ada
    assert fulfilment.due_at == DUE
    assert "latest promised delivery; actual delivery unknown" in fulfilment.basis
    assert "Ada" not in json.dumps(found.as_dict())


def test_apply_deletes_on_time_with_receipts_and_shreds(store: Context, clock: FixedClock, imported: list[str]) -> None:
    assert retention_apply.apply(store, actor=OWNER).fields_deleted == 0
    clock.advance(DUE - clock.now() + timedelta(seconds=1))
    result = retention_apply.apply(store, actor=OWNER)
    assert result.customers_shredded == 2
    assert result.records_deleted == 2
    assert (
        result.fields_deleted
        == result.by_purpose["fulfillment"]["user.name"] * 0 + sum(result.by_purpose["fulfillment"].values())
        > 0
    )
    assert count(store, "record") == 0
    assert {r[0] for r in rows(store, "SELECT wrapped_dek FROM customer")} == {None}
    assert count(store, "tombstone") == 2
    (receipt,) = rows(store, "SELECT details FROM audit_event WHERE action = 'retention.delete'")
    details = json.loads(receipt[0])
    assert sorted(details["shredded"]) == sorted(imported)
    assert details["fields"] == result.fields_deleted
    assert "Ada" not in receipt[0] and "marketplace.amazon.com" not in receipt[0]
    again = retention_apply.apply(store, actor=OWNER)
    assert again.fields_deleted == 0 and again.batches == 0  # idempotent
    assert retention_plan.plan(store).overdue.records == 0


def test_held_data_is_skipped_then_due_at_once_on_release(
    store: Context, clock: FixedClock, imported: list[str]
) -> None:
    hold_id = holds.add_hold(store, actor=OWNER, order_id="111-0000001-0000001", reason="chargeback 2026-114",
                             until=datetime(2027, 6, 30, tzinfo=UTC))  # fmt: skip
    clock.advance(timedelta(days=40))
    planned = retention_plan.plan(store)
    assert [h.hold_id for h in planned.held] == [hold_id]
    assert planned.held[0].order_id == "111-0000001-0000001"
    assert planned.due_now.records == 1  # the other buyer
    result = retention_apply.apply(store, actor=OWNER)
    assert result.customers_shredded == 1
    assert count(store, "record") == 1
    holds.release_hold(store, actor=OWNER, hold_id=hold_id)
    with pytest.raises(HoldAlreadyReleased):
        holds.release_hold(store, actor=OWNER, hold_id=hold_id)
    assert retention_plan.plan(store).due_now.records == 1
    assert retention_apply.apply(store, actor=OWNER).customers_shredded == 1
    actions = [r[0] for r in rows(store, "SELECT action FROM audit_event WHERE action LIKE 'hold.%' ORDER BY seq")]
    assert actions == ["hold.add", "hold.release"]


def test_an_expired_hold_is_closed_and_audited(store: Context, clock: FixedClock, imported: list[str]) -> None:
    holds.add_hold(
        store, actor=OWNER, customer_id=imported[0], reason="tax audit", until=clock.now() + timedelta(days=35)
    )
    clock.advance(timedelta(days=34))
    assert retention_apply.apply(store, actor=OWNER).customers_shredded == 1  # the unheld one
    clock.advance(timedelta(days=2))
    result = retention_apply.apply(store, actor=OWNER)
    assert len(result.holds_expired) == 1 and result.customers_shredded == 1
    assert count(store, "record") == 0
    assert rows(store, "SELECT released_by FROM legal_hold")[0][0] == "expired"


def test_bad_holds_are_refused(store: Context, clock: FixedClock, imported: list[str]) -> None:
    later = clock.now() + timedelta(days=30)
    with pytest.raises(InvalidValue, match="needs a reason"):
        holds.add_hold(store, actor=OWNER, customer_id=imported[0], reason=" ", until=later)
    with pytest.raises(InvalidValue, match="in the future"):
        holds.add_hold(store, actor=OWNER, customer_id=imported[0], reason="x", until=clock.now())
    with pytest.raises(InvalidValue, match="a customer or an order"):
        holds.add_hold(store, actor=OWNER, reason="x", until=later)
    with pytest.raises(OrderNotFound):
        holds.add_hold(store, actor=OWNER, order_id="999-0000000-0000000", reason="x", until=later)
    with pytest.raises(PersonalDataInText) as caught:
        holds.add_hold(store, actor=OWNER, customer_id=imported[0], reason="call ada@example.com", until=later)
    assert "ada@example.com" not in str(caught.value)
    assert count(store, "legal_hold") == 0


def test_a_crash_between_batches_leaves_whole_customers(store: Context, clock: FixedClock, imported: list[str]) -> None:
    clock.advance(timedelta(days=40))
    partial = retention_apply.apply(store, actor=OWNER, batch_customers=1, max_batches=1)
    assert partial.customers_shredded == 1
    live = rows(store, "SELECT id FROM customer WHERE wrapped_dek IS NOT NULL")
    assert len(live) == 1
    assert count(store, "record") == 1  # the other customer: key and fields intact
    assert retention_apply.apply(store, actor=OWNER).customers_shredded == 1
    assert count(store, "record") == 0


def test_a_clock_that_went_back_deletes_nothing_early(store: Context, clock: FixedClock, imported: list[str]) -> None:
    clock.advance(timedelta(days=10))
    retention_apply.apply(store, actor=OWNER)
    clock.advance(timedelta(days=-3))
    result = retention_apply.apply(store, actor=OWNER)
    assert result.clock_moved_back_s == 3 * 86400
    assert result.fields_deleted == 0
    assert count(store, "record") == 2
    assert rows(store, "SELECT count(*) FROM audit_event WHERE action = 'retention.clock_backwards'")[0][0] == 1


def test_a_policy_change_is_seen_in_the_plan_before_anything_is_deleted(store: Context, imported: list[str]) -> None:
    shorter = parse_policy(default_policy_text().replace(
        'retention = "30 days after delivered"', 'retention = "2 days after delivered"'
    ))  # fmt: skip
    proposed = retention_plan.plan(store, policy=shorter)
    assert proposed.proposed and proposed.due_now.records == 2
    assert retention_plan.plan(store).due_now.records == 0  # the applied policy still rules
    assert count(store, "record") == 2
    store.settings.policy_file.write_text(shorter.text, encoding="utf-8")
    reopened = open_store(store.settings, store.clock)
    try:
        refreshed = retention.refresh(reopened)
        assert refreshed.full
        assert retention_plan.plan(reopened).due_now.records == 2
    finally:
        reopened.close()


def test_only_amazon_fields_go_at_the_cap(store: Context, clock: FixedClock, imported: list[str]) -> None:
    ada = imported[0]
    (blob,) = rows(store, "SELECT fields FROM record WHERE customer_id = :c", c=ada)[0]
    entries = decode(bytes(blob))
    # A support record (kept 30 days after the last activity) where one field came from the
    # seller's own shop: at the DPP cap only its Amazon-sourced fields go.
    support = {"user.name", "user.contact.email", "user.contact.phone_number", "user.contact.address.city",
               "user.contact.address.country"}  # fmt: skip
    mixed = [Entry(e.category, "own_shop" if e.category == "user.name" else e.source, e.envelope)
             for e in entries if e.category in support]  # fmt: skip
    mask = categories_mask([e.category for e in mixed])
    execute(store, "UPDATE record SET purpose = 'support', fields = :f, categories = :m, due_basis = NULL "
            "WHERE customer_id = :c", f=encode(mixed), m=mask, c=ada)  # fmt: skip
    before = sum(len(decode(bytes(r[0]))) for r in rows(store, "SELECT fields FROM record"))
    clock.advance(timedelta(days=27))  # past the cap (25 Dec), before the support rule (29 Dec)
    result = retention_apply.apply(store, actor=OWNER)
    assert result.records_trimmed == 1
    assert result.fields_deleted == before - 1
    (left,) = rows(store, "SELECT customer_id, fields, categories FROM record")
    assert left[0] == ada
    assert [(e.category, e.source) for e in decode(bytes(left[1]))] == [("user.name", "own_shop")]
    assert int(left[2]) == CATEGORIES["user.name"].bit
    planned = retention_plan.plan(store, customer_id=ada).customer
    assert planned is not None and planned[0].scope == "all"  # what is left waits for its own rule


def test_new_orders_make_the_customer_stale(store: Context, tmp_path: Path, imported: list[str]) -> None:
    retention.refresh(store)
    later = write_table(
        tmp_path / "later.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000009-0000009", "1009", day=25)]
    )
    importing.import_file(store, actor=OWNER, path=later)
    assert rows(store, "SELECT customer_id FROM retention_stale") == [(imported[0],)]
    ada = retention_plan.plan(store, customer_id=imported[0]).customer
    assert ada is not None and ada[0].due_at is not None
    assert ada[0].due_at.date().isoformat() == "2026-12-30"  # promised 30 Nov + 30 days


@pytest.mark.parametrize("appliers", [2])
def test_two_appliers_delete_every_due_field_exactly_once(
    store: Context, clock: FixedClock, tmp_path: Path, appliers: int
) -> None:
    buyers = [unshipped_row(f"111-{n:07d}-0000001", f"2{n:013d}", email=f"b{n}@marketplace.amazon.com",
                            phone="") for n in range(60)]  # fmt: skip
    importing.import_file(store, actor=OWNER, path=write_table(tmp_path / "many.txt", UNSHIPPED_HEADER, buyers))
    clock.advance(timedelta(days=40))
    retention.refresh(store)
    expected = sum(bin(int(r[0])).count("1") for r in rows(store, "SELECT categories FROM record"))
    contexts = [open_store(store.settings, store.clock) for _ in range(appliers)]
    results: list[retention_apply.ApplyResult] = []
    errors: list[BaseException] = []

    def run(ctx: Context) -> None:
        try:
            results.append(retention_apply.apply(ctx, actor=OWNER, batch_customers=5))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ctx in contexts:
        ctx.close()
    assert not errors
    assert sum(r.fields_deleted for r in results) == expected
    receipts = [
        json.loads(r[0]) for r in rows(store, "SELECT details FROM audit_event WHERE action = 'retention.delete'")
    ]
    seen = [cid for receipt in receipts for cid in receipt["customers"]]
    assert len(seen) == len(set(seen)) == 60
    assert count(store, "record") == 0


def test_amazon_revocation_deletes_every_amazon_field_and_certifies(
    store: Context, imported: list[str], tmp_path: Path
) -> None:
    own = write_table(tmp_path / "shopify.csv", ["Email", "First Name", "Last Name", "Accepts Email Marketing"], [
        {"Email": "lin@example.cn", "First Name": "Lin", "Last Name": "Wei", "Accepts Email Marketing": "yes"},
    ], delimiter=",")  # fmt: skip
    importing.import_file(store, actor=OWNER, path=own)
    before = amazon_revocation.amazon_fields(store)
    assert sum(before.values()) > 0
    revocation = amazon_revocation.revoke(store, actor=OWNER)
    assert amazon_revocation.revoke(store, actor=OWNER).id == revocation.id  # asking again changes nothing
    assert amazon_revocation.complete_if_done(store, actor=OWNER) is None  # Amazon fields still there
    with pytest.raises(RevocationNotComplete):
        amazon_revocation.certificate_of(store, revocation.id)
    result = retention_apply.apply(store, actor=OWNER)
    assert result.fields_deleted == sum(before.values())
    certificate = amazon_revocation.complete_if_done(store, actor=OWNER)
    assert certificate is not None
    assert certificate.fields_deleted == before
    assert certificate.amazon_fields_remaining == 0
    assert certificate.customers_shredded == 2
    assert certificate.customers_remaining == 1  # the own-shop customer
    assert certificate.receipts == result.receipts
    assert amazon_revocation.amazon_fields(store) == {}
    assert "Ada" not in certificate.to_json() and "marketplace" not in certificate.to_json()
    with pytest.raises(ImportFileInvalid, match="revoked"):
        importing.import_file(store, actor=OWNER, path=write_table(
            tmp_path / "again.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000005-0000005", "1005")]
        ))  # fmt: skip
