"""Data-subject requests: intake, codes, clocks, extension, denial, linking, no enumeration."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.clock import FixedClock
from tutela.core.errors import InvalidValue, RequestRefused
from tutela.services import importing, subject_requests
from tutela.services.context import Context
from tutela.services.subject_requests import MAX_ATTEMPTS, Status

ADA = "ada123@marketplace.amazon.com"


@pytest.fixture
def customer(store: Context, tmp_path: Path) -> str:
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000001-0000001", "1001", country="DE"),
    ])  # fmt: skip
    importing.import_file(store, actor=OWNER, path=path)
    return str(rows(store, "SELECT customer_id FROM orders")[0][0])


def test_open_matches_the_customer_and_sets_the_clock(store: Context, clock: FixedClock, customer: str) -> None:
    opened = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA.upper())
    request = subject_requests.get(store, opened.request_id)
    assert request["customer_id"] == customer
    assert request["jurisdiction"] == "gdpr"  # shipped to Germany
    assert request["status"] == "verifying"
    assert opened.due_at == clock.now().replace(month=12, day=29)
    assert opened.code is not None and len(opened.code) == 6
    stored = rows(store, "SELECT contact, email_index, code_digest FROM data_request")[0]
    assert ADA.encode() not in bytes(stored[0]) and opened.code not in str(stored[2])
    contact, language = subject_requests.contact_of(store, opened.request_id)
    assert (contact.casefold(), language) == (ADA, "en")
    (event,) = rows(store, "SELECT details FROM audit_event WHERE action = 'request.open'")
    assert "marketplace" not in event[0]


def test_unknown_people_get_the_same_answers(store: Context, customer: str) -> None:
    known = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    unknown = subject_requests.open_request(store, actor=OWNER, kind="erasure", email="nobody@example.org")
    assert (known.linked, unknown.linked) == (False, False)
    assert known.code is not None and unknown.code is not None
    assert subject_requests.get(store, unknown.request_id)["status"] == "verifying"
    assert subject_requests.get(store, unknown.request_id)["customer_id"] is None


def test_the_code_verifies_once_and_brute_force_locks(store: Context, clock: FixedClock, customer: str) -> None:
    good = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    assert good.code is not None
    assert subject_requests.verify(store, actor=OWNER, request_id=good.request_id, code=good.code) is Status.IN_PROGRESS
    with pytest.raises(RequestRefused, match="not waiting for a code"):
        subject_requests.verify(store, actor=OWNER, request_id=good.request_id, code=good.code)
    attacked = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    assert attacked.code is not None
    wrong = "000000" if attacked.code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RequestRefused, match="wrong or has expired"):
            subject_requests.verify(store, actor=OWNER, request_id=attacked.request_id, code=wrong)
    with pytest.raises(RequestRefused, match="locked"):
        subject_requests.verify(store, actor=OWNER, request_id=attacked.request_id, code=attacked.code)
    failures = rows(store, "SELECT details FROM audit_event WHERE action = 'request.verify_failed' ORDER BY seq")
    assert len(failures) == MAX_ATTEMPTS and json.loads(failures[-1][0])["locked"] is True
    late = subject_requests.open_request(store, actor=OWNER, kind="rectification", email=ADA,
                                         corrections={"user.name": "Ada King"})  # fmt: skip
    clock.advance(timedelta(hours=25))
    with pytest.raises(RequestRefused):
        subject_requests.verify(store, actor=OWNER, request_id=late.request_id, code=late.code or "")


def test_duplicates_are_linked_not_doubled(store: Context, customer: str) -> None:
    first = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    again = subject_requests.open_request(store, actor=OWNER, kind="access", email=f" {ADA} ")
    assert again.linked and again.request_id == first.request_id and again.code is None
    other = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    assert other.request_id != first.request_id
    assert len(subject_requests.list_requests(store)) == 2


def test_extension_only_within_the_first_period(store: Context, clock: FixedClock, customer: str) -> None:
    opened = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    with pytest.raises(InvalidValue, match="needs a reason"):
        subject_requests.extend(store, actor=OWNER, request_id=opened.request_id, reason=" ")
    new_due = subject_requests.extend(store, actor=OWNER, request_id=opened.request_id, reason="three systems")
    assert new_due == clock.now().replace(year=2027, month=2, day=28)  # 29 Nov + 3 months, clamped
    with pytest.raises(RequestRefused, match="already extended"):
        subject_requests.extend(store, actor=OWNER, request_id=opened.request_id, reason="again")
    late = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    clock.advance(timedelta(days=32))
    with pytest.raises(RequestRefused, match="can no longer be extended"):
        subject_requests.extend(store, actor=OWNER, request_id=late.request_id, reason="busy")
    listed = subject_requests.list_requests(store)
    assert [r["id"] for r in listed] == [late.request_id, opened.request_id]  # overdue first
    assert listed[0]["overdue"] and not listed[1]["overdue"]


def test_deny_closes_with_a_reason(store: Context, customer: str) -> None:
    opened = subject_requests.open_request(store, actor=OWNER, kind="opt_out", email=ADA)
    subject_requests.deny(store, actor=OWNER, request_id=opened.request_id, reason="identity could not be verified")
    assert subject_requests.get(store, opened.request_id)["status"] == "denied"
    with pytest.raises(RequestRefused, match="already denied"):
        subject_requests.deny(store, actor=OWNER, request_id=opened.request_id, reason="x")
    assert subject_requests.list_requests(store) == []


def test_bad_requests_are_refused(store: Context) -> None:
    with pytest.raises(InvalidValue, match="unknown request type"):
        subject_requests.open_request(store, actor=OWNER, kind="delete-everything", email=ADA)
    with pytest.raises(InvalidValue):
        subject_requests.open_request(store, actor=OWNER, kind="access", email="not an address")
    with pytest.raises(InvalidValue, match="corrections"):
        subject_requests.open_request(store, actor=OWNER, kind="rectification", email=ADA)
    assert rows(store, "SELECT count(*) FROM data_request")[0][0] == 0


def test_order_and_postal_code_verify_and_raise_the_level(store: Context, customer: str) -> None:
    opened = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    with pytest.raises(RequestRefused, match="do not match"):
        subject_requests.verify_by_order(store, actor=OWNER, request_id=opened.request_id,
                                         order_id="111-0000001-0000001", postal_code="10115")  # fmt: skip
    level = subject_requests.verify_by_order(store, actor=OWNER, request_id=opened.request_id,
                                             order_id="111-0000001-0000001", postal_code=" 981 01 ")  # fmt: skip
    assert level == "reasonable" and subject_requests.get(store, opened.request_id)["status"] == "in_progress"
    coded = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    subject_requests.verify(store, actor=OWNER, request_id=coded.request_id, code=coded.code or "")
    level = subject_requests.verify_by_order(store, actor=OWNER, request_id=coded.request_id,
                                             order_id="111-0000001-0000001", postal_code="98101")  # fmt: skip
    assert level == "reasonably_high"
    stranger = subject_requests.open_request(store, actor=OWNER, kind="access", email="who@example.org")
    with pytest.raises(RequestRefused, match="do not match"):  # the same answer as a wrong postal code
        subject_requests.verify_by_order(store, actor=OWNER, request_id=stranger.request_id,
                                         order_id="111-0000001-0000001", postal_code="98101")  # fmt: skip


def test_a_locked_or_expired_request_does_not_block_a_new_one(store: Context, clock: FixedClock, customer: str) -> None:
    first = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RequestRefused):
            subject_requests.verify(store, actor=OWNER, request_id=first.request_id, code="abcdef")
    second = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    assert not second.linked and second.request_id != first.request_id and second.code
    assert subject_requests.get(store, first.request_id)["status"] == "denied"
    clock.advance(timedelta(hours=25))
    third = subject_requests.open_request(store, actor=OWNER, kind="access", email=ADA)
    assert not third.linked and third.request_id not in {first.request_id, second.request_id}
