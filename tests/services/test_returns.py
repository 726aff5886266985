"""Return cases on both backends: the queue, a case under the returns purpose only, opening by
hand, notes checked for personal data, closing once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, OWNER, RETURNS, SUPPORT
from tests.helpers import break_audit_inserts, count, execute, rows
from tests.returns_files import ADA_ORDER, GRACE_ORDER, KEEP_ORDER, import_returns
from tutela.core.clock import FixedClock
from tutela.core.errors import (
    AuditWriteFailed,
    InvalidValue,
    OrderNotFound,
    PersonalDataInText,
    PurposeNotAllowed,
    ReturnAlreadyClosed,
    ReturnNotFound,
    UnknownPurpose,
)
from tutela.core.policy import Access
from tutela.core.record_codec import decode
from tutela.services import returns, vault
from tutela.services.context import Context


@pytest.fixture
def imported(store: Context, tmp_path: Path) -> Context:
    import_returns(store, tmp_path)
    return store


def _case_ids(store: Context) -> dict[str, int]:
    return {r.order_id: int(r.id) for r in rows(store, "SELECT id, order_id FROM return_case")}


def _events(store: Context, action: str) -> list[dict[str, object]]:
    found = rows(store, "SELECT customer_id, purpose, fields, outcome, details FROM audit_event WHERE action = :a "
                        "ORDER BY seq", a=action)  # fmt: skip
    return [{"customer_id": r.customer_id, "purpose": r.purpose, "fields": json.loads(r.fields),
             "outcome": r.outcome, "details": json.loads(r.details)} for r in found]  # fmt: skip


def _all_audit_text(store: Context) -> str:
    return json.dumps([list(map(str, r)) for r in rows(store, "SELECT * FROM audit_event")])


def test_the_queue_lists_open_cases_first_without_personal_data(imported: Context) -> None:
    queue = returns.list_returns(imported)
    assert [(r.order_id, r.channel, r.is_open) for r in queue] == [(ADA_ORDER, "amazon", True),
                                                                  (GRACE_ORDER, "amazon", False)]  # fmt: skip
    ada, grace = queue
    assert ada.status == "Approved" and ada.reason == "CR-DEFECTIVE" and ada.customer_id
    assert ada.age == FIXED_NOW - ada.requested_at and ada.age_days == 4
    assert grace.closed_at is not None and grace.age_days == 6  # requested to closed
    assert [r.order_id for r in returns.list_returns(imported, status="open")] == [ADA_ORDER]
    assert [r.order_id for r in returns.list_returns(imported, status="closed")] == [GRACE_ORDER]
    assert "Ada" not in repr(queue) and "Main St" not in repr(queue)


def test_the_queue_pages_with_a_cursor_open_first(imported: Context) -> None:
    manual = returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="Too small")
    first = returns.list_returns(imported, limit=1)
    second = returns.list_returns(imported, limit=1, after=first[-1].id)
    third = returns.list_returns(imported, limit=1, after=second[-1].id)
    assert [p[0].order_id for p in (first, second, third)] == [ADA_ORDER, KEEP_ORDER, GRACE_ORDER]
    assert returns.list_returns(imported, limit=1, after=third[-1].id) == []
    assert manual.row.id == second[0].id
    with pytest.raises(InvalidValue):
        returns.list_returns(imported, status="pending")
    with pytest.raises(InvalidValue):
        returns.list_returns(imported, limit=0)


def test_show_reveals_under_returns_as_the_policy_says(imported: Context) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    shown = returns.show_return(imported, actor=RETURNS, return_id=ada_case, purpose="returns")
    assert shown.case.row.order_id == ADA_ORDER and shown.case.return_key == "RMA-ADA-1"
    assert shown.revealed is not None
    seen = {f.category: (f.access, f.value) for f in shown.revealed.fields}
    assert seen["user.name"] == (Access.PLAIN, "Ada Lovelace")
    assert seen["user.contact.address.street"] == (Access.PLAIN, "12 Main St")
    assert seen["user.contact.email"][0] is Access.MASKED
    assert seen["user.contact.phone_number"] == (Access.DENIED, None)  # returns does not declare phones
    as_support = returns.show_return(imported, actor=SUPPORT, return_id=ada_case, purpose="returns")
    assert as_support.revealed is not None
    support_seen = {f.category: f.access for f in as_support.revealed.fields}
    assert support_seen["user.contact.address.street"] is Access.DENIED
    (reveal, _) = _events(imported, "customer.reveal")
    assert reveal["purpose"] == "returns" and reveal["customer_id"] == shown.case.row.customer_id
    assert "Ada" not in _all_audit_text(imported)


def test_show_under_another_purpose_is_refused_and_recorded(imported: Context) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    with pytest.raises(PurposeNotAllowed) as caught:
        returns.show_return(imported, actor=OWNER, return_id=ada_case, purpose="support")
    assert caught.value.code == "vault.purpose_not_allowed"
    assert "'returns'" in caught.value.message and "'support'" in caught.value.message
    assert _events(imported, "customer.reveal") == []
    (refused,) = _events(imported, "return.show")
    assert refused["outcome"] == "purpose_not_allowed" and refused["details"] == {"return_id": ada_case,
                                                                                  "role": "owner"}  # fmt: skip
    with pytest.raises(UnknownPurpose):
        returns.show_return(imported, actor=OWNER, return_id=ada_case, purpose="retruns")
    with pytest.raises(ReturnNotFound):
        returns.show_return(imported, actor=OWNER, return_id=999, purpose="returns")


def test_open_stores_the_fields_under_returns_from_source_manual(imported: Context) -> None:
    (kim,) = rows(imported, "SELECT customer_id AS id FROM orders WHERE order_id = :o", o=KEEP_ORDER)
    before = count(imported, "audit_event")
    case = returns.open_return(
        imported, actor=RETURNS, order_id=KEEP_ORDER, reason="Too small", notes="Box was dented",
        name="Kim Park", street="5 Elm St", city="Seattle", postal_code="98101", country="US",
    )  # fmt: skip
    assert case.row.channel == "manual" and case.return_key == f"manual-{case.row.id}"
    assert case.row.customer_id == kim.id and case.row.status == "open" and case.row.requested_at == FIXED_NOW
    assert [(n.by, n.text) for n in case.notes] == [("agent-9", "Box was dented")]
    (stored,) = rows(imported, "SELECT fields FROM record WHERE customer_id = :c AND purpose = 'returns'", c=kim.id)
    entries = decode(stored.fields)
    assert sorted(e.category for e in entries) == ["user.contact.address.city", "user.contact.address.country",
                                                   "user.contact.address.postal_code", "user.contact.address.street",
                                                   "user.name"]  # fmt: skip
    assert {e.source for e in entries} == {"manual"}
    (plain,) = rows(imported, "SELECT * FROM return_case WHERE id = :i", i=case.row.id)
    assert "Kim" not in str(tuple(plain)) and "Elm" not in str(tuple(plain))
    fulfilment = {f.category: f.value for f in vault.reveal(imported, actor=OWNER, purpose="fulfillment",
                                                             customer_id=kim.id).fields}  # fmt: skip
    assert fulfilment["user.contact.address.street"] == "12 Main St"  # the shipping address is left alone
    assert count(imported, "audit_event") == before + 2  # the open, and the reveal just above
    (opened,) = _events(imported, "return.open")
    assert opened["customer_id"] == kim.id and opened["purpose"] == "returns"
    assert opened["details"] == {"return_id": case.row.id, "order_ref": plain.order_ref, "fields_stored": 5,
                                 "customer_created": False, "notes": 1}  # fmt: skip
    for value in ("Kim", "Elm", "98101", "dented", "Too small"):
        assert value not in _all_audit_text(imported)


def test_open_for_an_order_without_a_customer_makes_one(imported: Context) -> None:
    execute(imported, "UPDATE orders SET customer_id = NULL WHERE order_id = :o", o=KEEP_ORDER)
    customers = count(imported, "customer")
    case = returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="Unwanted", name="Kim Park")
    assert count(imported, "customer") == customers + 1
    assert case.row.customer_id is not None
    (order,) = rows(imported, "SELECT customer_id FROM orders WHERE order_id = :o", o=KEEP_ORDER)
    assert order.customer_id == case.row.customer_id
    assert case.row.customer_id in [f.id for f in vault.find_customers(imported, actor=OWNER, order_id=KEEP_ORDER)]
    (opened,) = _events(imported, "return.open")
    assert opened["details"]["customer_created"] is True
    bare = returns.open_return(imported, actor=OWNER, order_id=ADA_ORDER, reason="Second item")
    assert bare.row.customer_id is not None and count(imported, "customer") == customers + 1


def test_open_checks_everything_before_writing(imported: Context) -> None:
    cases, records = count(imported, "return_case"), count(imported, "record")
    with pytest.raises(OrderNotFound):
        returns.open_return(imported, actor=OWNER, order_id="111-9999999-9999999", reason="Broken", name="X Y")
    with pytest.raises(PersonalDataInText):
        returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="Broken",
                            notes="call her on +1 415 555 0111")  # fmt: skip
    with pytest.raises(PersonalDataInText):
        returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="mail kim@example.com")
    with pytest.raises(InvalidValue):
        returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason=" ")
    with pytest.raises(InvalidValue):
        returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="Broken", name="  ")
    assert (count(imported, "return_case"), count(imported, "record")) == (cases, records)
    assert _events(imported, "return.open") == []


def test_the_fields_taken_are_the_ones_the_returns_purpose_declares(store: Context) -> None:
    declared = store.policy.purposes["returns"].categories
    assert set(returns.PERSONAL_FIELDS.values()) <= set(declared)
    assert "user.contact.phone_number" not in returns.PERSONAL_FIELDS.values()


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("She wrote from kim.park@example.com", "an e-mail address"),
        ("Call back on +1 (415) 555-0111", "a phone number"),
        ("Refund to card 4111 1111 1111 1111 please", "a card number"),
        ("card 4111-1111-1111-1111", "a card number"),
    ],
)
def test_a_note_with_personal_data_is_not_saved(imported: Context, note: str, kind: str) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    with pytest.raises(PersonalDataInText) as caught:
        returns.add_note(imported, actor=RETURNS, return_id=ada_case, text=note)
    assert caught.value.code == "input.personal_data"
    assert kind in caught.value.message and "not saved" in caught.value.message and caught.value.hint
    for part in ("kim.park", "555", "4111", "1111"):
        assert part not in str(caught.value)
    assert rows(imported, "SELECT notes FROM return_case WHERE id = :i", i=ada_case)[0].notes is None
    assert _events(imported, "return.note") == []


def test_notes_are_appended_and_audited_by_count(imported: Context, clock: FixedClock) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    returns.add_note(imported, actor=RETURNS, return_id=ada_case, text="Label sent")
    clock.advance(timedelta(hours=2))
    case = returns.add_note(imported, actor=OWNER, return_id=ada_case, text="Parcel in transit")
    assert [(n.at, n.by, n.text) for n in case.notes] == [
        (FIXED_NOW, "agent-9", "Label sent"), (FIXED_NOW + timedelta(hours=2), "local-operator",
                                               "Parcel in transit")]  # fmt: skip
    first, second = _events(imported, "return.note")
    assert first["details"] == {"return_id": ada_case, "chars": 10, "notes": 1}
    assert second["details"]["notes"] == 2
    assert "Label sent" not in _all_audit_text(imported)
    with pytest.raises(InvalidValue):
        returns.add_note(imported, actor=OWNER, return_id=ada_case, text="x" * 2001)
    with pytest.raises(ReturnNotFound):
        returns.add_note(imported, actor=OWNER, return_id=999, text="Hello")


def test_close_sets_the_time_from_the_clock_and_only_once(imported: Context, clock: FixedClock) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    clock.advance(timedelta(days=1))
    closed = returns.close_return(imported, actor=RETURNS, return_id=ada_case, outcome="refunded")
    assert closed.row.closed_at == FIXED_NOW + timedelta(days=1)
    assert (closed.row.status, closed.row.resolution, closed.row.is_open) == ("closed", "refunded", False)
    (row,) = rows(imported, "SELECT status, resolution, closed_at, updated_at FROM return_case WHERE id = :i",
                  i=ada_case)  # fmt: skip
    before = tuple(row)
    (event,) = _events(imported, "return.close")
    assert event["details"] == {"return_id": ada_case, "outcome": "refunded"}
    assert event["customer_id"] == closed.row.customer_id
    clock.advance(timedelta(days=3))
    with pytest.raises(ReturnAlreadyClosed) as caught:
        returns.close_return(imported, actor=RETURNS, return_id=ada_case, outcome="rejected")
    assert caught.value.message == f"return {ada_case} is already closed (on 2026-11-30)"
    assert tuple(rows(imported, "SELECT status, resolution, closed_at, updated_at FROM return_case WHERE id = :i",
                      i=ada_case)[0]) == before  # fmt: skip
    assert len(_events(imported, "return.close")) == 1
    assert [r.order_id for r in returns.list_returns(imported, status="open")] == []


def test_close_takes_a_known_outcome_and_a_known_case(imported: Context) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    with pytest.raises(InvalidValue) as caught:
        returns.close_return(imported, actor=OWNER, return_id=ada_case, outcome="refund")
    assert "did you mean 'refunded'" in caught.value.hint
    with pytest.raises(ReturnNotFound):
        returns.close_return(imported, actor=OWNER, return_id=999, outcome="refunded")
    grace_case = _case_ids(imported)[GRACE_ORDER]
    with pytest.raises(ReturnAlreadyClosed) as closed:
        returns.close_return(imported, actor=OWNER, return_id=grace_case, outcome="refunded")
    assert "(on 2026-11-27)" in closed.value.message  # the report's delivery date closed it
    assert _events(imported, "return.close") == []


def test_closing_marks_the_customer_for_retention(imported: Context) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    customer_id = returns.get_return(imported, return_id=ada_case).row.customer_id
    returns.close_return(imported, actor=OWNER, return_id=ada_case, outcome="replaced")
    assert customer_id in [r.customer_id for r in rows(imported, "SELECT customer_id FROM retention_stale")]


def test_no_audit_event_no_write(imported: Context) -> None:
    ada_case = _case_ids(imported)[ADA_ORDER]
    break_audit_inserts(imported)
    with pytest.raises(AuditWriteFailed):
        returns.close_return(imported, actor=OWNER, return_id=ada_case, outcome="refunded")
    with pytest.raises(AuditWriteFailed):
        returns.add_note(imported, actor=OWNER, return_id=ada_case, text="Label sent")
    with pytest.raises(AuditWriteFailed):
        returns.open_return(imported, actor=OWNER, order_id=KEEP_ORDER, reason="Broken", name="Kim Park")
    (row,) = rows(imported, "SELECT closed_at, notes FROM return_case WHERE id = :i", i=ada_case)
    assert row.closed_at is None and row.notes is None
    assert count(imported, "return_case") == 2
