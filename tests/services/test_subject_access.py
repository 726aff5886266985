"""The access/portability package on both backends: a customer built from an Amazon import, own
shop fields, a consent, a return with a staff note, a tax identifier and a legal hold; every
stored value collected with its purpose, source and due time; the zip written owner-only and
byte-identical for the same data; the summary names bases, recipients and an authority; the
audit event holds counts only; erased and unknown customers are refused."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import html
import io
import json
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, OWNER
from tests.helpers import rows, stored_fields
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.returns_files import MFN_RETURNS_HEADER, mfn_return_row
from tutela.adapters.documents import summary_html
from tutela.core.errors import CustomerErased, CustomerNotFound, RequestNotFound, RequestRefused
from tutela.services import consent, holds, importing, rectification, returns, subject_access, subject_requests, vault
from tutela.services.context import Context
from tutela.services.subject_access import CSV_COLUMNS, PACKAGE_FILES, SubjectData

ORDER = "111-0000001-0000001"
EMAIL = "ada@example.com"
DUE = datetime(2026, 12, 25, 23, 59, 59, tzinfo=UTC)  # promised 2026-11-25 23:59:59 + 30 days
TAX_DUE = datetime(2036, 11, 20, 10, 0, tzinfo=UTC)  # invoiced = purchased 2026-11-20 10:00, DE: 10 years
HOLD_UNTIL = datetime(2027, 6, 30, tzinfo=UTC)
STAFF_NOTE = "Parcel came back opened, refund approved"
HOLD_REASON = "chargeback case 2026-114"

EXPECTED = {
    ("fulfillment", "user.name", "amazon", "Ada Lovelace"),
    ("fulfillment", "user.contact.email", "amazon", EMAIL),
    ("fulfillment", "user.contact.phone_number", "amazon", "+12065550100"),
    ("fulfillment", "user.contact.address.street", "amazon", "12 Main St"),
    ("fulfillment", "user.contact.address.city", "amazon", "Seattle"),
    ("fulfillment", "user.contact.address.state", "amazon", "WA"),
    ("fulfillment", "user.contact.address.postal_code", "amazon", "98101"),
    ("fulfillment", "user.contact.address.country", "amazon", "US"),
    ("marketing_email", "user.name", "own_shop", "Ada L."),
    ("marketing_email", "user.contact.email", "own_shop", EMAIL),
    ("tax", "user.financial.tax_id", "manual", "DE123456789"),
}

TOP_KEYS = {
    "format", "version", "generated_at", "request_id", "jurisdiction", "shop", "customer", "fields", "purposes",
    "sources", "orders", "returns", "consent", "holds", "amazon_note",
}  # fmt: skip
FIELD_KEYS = {
    "category", "value", "purpose", "source", "stored_at", "updated_at", "due_at", "due_basis", "flagged",
}  # fmt: skip
PURPOSE_KEYS = {
    "key", "description", "legal_basis", "retention", "amazon_retention", "recipients", "categories", "sources",
    "marketing",
}  # fmt: skip
ORDER_KEYS = {
    "order_id", "channel", "marketplace", "sales_channel", "fulfillment_channel", "status", "purchased_at",
    "shipped_at", "promised_delivery_at", "delivered_at", "currency", "total_amount", "ship_country", "ship_state",
    "lines",
}  # fmt: skip
RETURN_KEYS = {
    "reference", "channel", "order_id", "requested_at", "status", "reason", "resolution", "sku", "quantity",
    "refunded_amount", "currency", "closed_at",
}  # fmt: skip


@pytest.fixture
def ada(store: Context, tmp_path: Path) -> str:
    """One customer from four doors: the own shop (marketing e-mail), an Amazon order (matched by
    e-mail), an Amazon return, a tax identifier typed by staff; a consent, a staff note, a hold."""
    customer_id = vault.add_customer(store, actor=OWNER, purpose="marketing_email", source="own_shop",
                                     fields={"user.name": "Ada L.", "user.contact.email": EMAIL})  # fmt: skip
    orders_file = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [
        unshipped_row(ORDER, "10000000000001", email=EMAIL),
    ])  # fmt: skip
    importing.import_file(store, actor=OWNER, path=orders_file)
    returns_file = write_table(tmp_path / "returns.csv", MFN_RETURNS_HEADER, [mfn_return_row(ORDER, "RMA-ADA-1")],
                               delimiter=",")  # fmt: skip
    importing.import_file(store, actor=OWNER, path=returns_file)
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="1", wording="Send me offers by e-mail.")
    consent.grant(store, actor=OWNER, customer_id=customer_id, purpose="marketing_email", channel="email",
                  proof=consent.Proof(source="checkout_form", notice_version="1"))  # fmt: skip
    rectification.rectify(store, actor=OWNER, purpose="tax", customer_id=customer_id,
                          fields={"user.financial.tax_id": "DE123456789"})  # fmt: skip
    (case_id,) = [int(r[0]) for r in rows(store, "SELECT id FROM return_case")]
    returns.add_note(store, actor=OWNER, return_id=case_id, text=STAFF_NOTE)
    holds.add_hold(store, actor=OWNER, customer_id=customer_id, reason=HOLD_REASON, until=HOLD_UNTIL)
    assert {str(r[0]) for r in rows(store, "SELECT customer_id FROM record")} == {customer_id}
    return customer_id


def _collect(store: Context, customer_id: str, request_id: int | None = None) -> SubjectData:
    return subject_access.collect(store, actor=OWNER, customer_id=customer_id, request_id=request_id)


def test_collect_holds_every_stored_value_with_purpose_source_and_due(store: Context, ada: str) -> None:
    data = _collect(store, ada)

    assert {(f.purpose, f.category, f.source, f.value) for f in data.fields} == EXPECTED
    assert len(data.fields) == stored_fields(store)  # nothing left out, tax (restricted) included
    by_key = {(f.purpose, f.category): f for f in data.fields}
    name = by_key[("fulfillment", "user.name")]
    assert name.due_at == DUE and "latest promised delivery" in name.due_basis
    assert name.stored_at == FIXED_NOW and not name.flagged
    marketing = by_key[("marketing_email", "user.contact.email")]
    assert marketing.due_at is None and marketing.due_basis == "until consent_withdrawn: consent not withdrawn"
    tax = by_key[("tax", "user.financial.tax_id")]
    assert tax.due_at == TAX_DUE and "tax period for DE" in tax.due_basis

    purposes = {p.key: p for p in data.purposes}
    assert set(purposes) == {"fulfillment", "marketing_email", "tax"}
    for key, purpose in purposes.items():
        declared = store.policy.purposes[key]
        assert purpose.legal_basis == declared.legal_basis.value
        assert purpose.recipients == declared.recipients
        assert purpose.description == declared.description
    assert purposes["tax"].retention == "10 years after invoiced"
    assert purposes["fulfillment"].amazon_retention == "30 days after delivered"
    assert purposes["marketing_email"].amazon_retention is None
    assert purposes["fulfillment"].sources == ("amazon",)

    assert data.version == 1 and data.generated_at == FIXED_NOW and data.customer_id == ada
    assert (data.shop.name, data.shop.country) == (store.policy.shop.name, "DE")
    assert data.sources == ("amazon", "manual", "own_shop")
    assert data.amazon_note is not None and "Amazon" in data.amazon_note
    assert data.jurisdiction == "other"  # shipped to Washington State
    (order,) = data.orders
    assert (order.order_id, order.channel, order.ship_country) == (ORDER, "amazon", "US")
    assert [line.sku for line in order.lines] == ["SKU-01"]
    (case,) = data.returns
    assert (case.reference, case.order_id, case.reason, case.closed_at) == ("RMA-ADA-1", ORDER, "CR-DEFECTIVE", None)
    (event,) = data.consent_events
    assert (event.purpose, event.channel, event.kind, event.source) == ("marketing_email", "email", "granted",
                                                                       "checkout_form")  # fmt: skip
    current = {(c.purpose, c.channel): c for c in data.consent_current}
    assert current[("marketing_email", "email")].allowed and current[("marketing_email", "email")].state == "granted"
    assert current[("marketing_sms", "sms")].state == "none"
    (notice,) = data.consent_notices
    assert notice.wording == "Send me offers by e-mail."
    assert [h.until for h in data.holds] == [HOLD_UNTIL]

    document = subject_access.package_json(data)
    assert STAFF_NOTE not in document and HOLD_REASON not in document  # the shop's own notes stay internal
    assert OWNER.id not in document  # nor who recorded what


def test_the_request_gives_the_jurisdiction_and_must_be_about_this_customer(store: Context, ada: str) -> None:
    opened = subject_requests.open_request(store, actor=OWNER, kind="access", email=EMAIL, jurisdiction="gdpr")
    data = _collect(store, ada, opened.request_id)
    assert (data.request_id, data.jurisdiction) == (opened.request_id, "gdpr")

    other = vault.add_customer(store, actor=OWNER, purpose="support", source="own_shop",
                               fields={"user.name": "Grace Hopper"})  # fmt: skip
    with pytest.raises(RequestRefused):
        _collect(store, other, opened.request_id)
    with pytest.raises(RequestNotFound):
        _collect(store, ada, opened.request_id + 100)


def test_write_package_is_three_files_owner_only_and_deterministic(store: Context, ada: str, tmp_path: Path) -> None:
    data = _collect(store, ada)
    out = tmp_path / "out"
    out.mkdir()
    first, second = out / "first.zip", out / "second.zip"

    digest = subject_access.write_package(data, first, render_summary=summary_html, language="en")
    again = subject_access.write_package(data, second, render_summary=summary_html, language="en")

    blob = first.read_bytes()
    assert digest == hashlib.sha256(blob).hexdigest() == again
    assert second.read_bytes() == blob
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["first.zip", "second.zip"]  # no partial file left

    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == list(PACKAGE_FILES)
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 29, 12, 0, 0)}
        document = json.loads(archive.read("data.json").decode("utf-8"))
        table = list(csv.reader(io.StringIO(archive.read("data.csv").decode("utf-8-sig"))))
        summary = archive.read("summary.html").decode("utf-8")

    assert set(document) == TOP_KEYS
    assert (document["format"], document["version"]) == ("tutela.subject-access", 1)
    assert document["generated_at"] == "2026-11-29T12:00:00Z"
    assert set(document["shop"]) == {"name", "country", "privacy_contact"}
    assert set(document["customer"]) == {"id", "since", "processing_restricted_since"}
    assert set(document["consent"]) == {"events", "current", "notices", "sale_share_opt_out_at"}
    assert all(set(f) == FIELD_KEYS for f in document["fields"])
    assert all(set(p) == PURPOSE_KEYS for p in document["purposes"])
    assert all(set(o) == ORDER_KEYS for o in document["orders"])
    assert all(set(r) == RETURN_KEYS for r in document["returns"])
    assert document["holds"] == [{"until": "2027-06-30T00:00:00Z"}]
    assert {(f["purpose"], f["category"], f["source"], f["value"]) for f in document["fields"]} == EXPECTED

    assert tuple(table[0]) == CSV_COLUMNS
    assert len(table) - 1 == len(document["fields"])
    assert {(r[1], r[0], r[2], r[3]) for r in table[1:]} == EXPECTED  # a phone number is not a formula
    assert {r[5] for r in table[1:] if r[1] == "fulfillment"} == {"2026-12-25T23:59:59Z"}

    assert summary == summary_html(data, "en")


def test_a_written_package_replaces_the_file_whole(store: Context, ada: str, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    target.write_bytes(b"old")
    target.chmod(0o644)
    subject_access.write_package(_collect(store, ada), target, render_summary=summary_html, language="zh")
    assert zipfile.is_zipfile(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with zipfile.ZipFile(target) as archive:
        assert 'lang="zh-Hans"' in archive.read("summary.html").decode("utf-8")


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(store: Context, ada: str) -> None:
    data = _collect(store, ada)
    fields = tuple(dataclasses.replace(f, value="=HYPERLINK(\"http://x\")") if f.category == "user.name" else f
                   for f in data.fields)  # fmt: skip
    table = list(csv.reader(io.StringIO(subject_access.package_csv(dataclasses.replace(data, fields=fields)))))
    names = {r[3] for r in table[1:] if r[0] == "user.name"}
    assert names == {'\'=HYPERLINK("http://x")'}
    assert "+12065550100" in {r[3] for r in table[1:]}


def test_summary_names_every_basis_recipient_and_an_authority(store: Context, ada: str) -> None:
    data = _collect(store, ada)
    page = summary_html(data)
    articles = {"contract": "6(1)(b)", "consent": "6(1)(a)", "legal_obligation": "6(1)(c)"}
    for purpose in data.purposes:
        assert purpose.legal_basis is not None
        assert f"GDPR Art. {articles[purpose.legal_basis]}" in page
        for recipient in purpose.recipients:
            assert html.escape(recipient) in page
    assert "supervisory authority" in page
    assert "BfDI" in page  # the shop is in Germany
    assert html.escape("Ada Lovelace") in page and "DE123456789" in page
    assert STAFF_NOTE not in page and HOLD_REASON not in page
    assert "2027-06-30" in page  # the hold's end, not its reason
    zh = summary_html(data, "zh")
    assert "法律依据" in zh and "监管机构" in zh


def test_one_audit_event_with_counts_and_no_values(store: Context, ada: str) -> None:
    data = _collect(store, ada)
    (event,) = rows(store, "SELECT customer_id, fields, outcome, details FROM audit_event "
                    "WHERE action = 'subject.access'")  # fmt: skip
    assert (event[0], event[2]) == (ada, "ok")
    details = json.loads(event[3])
    assert details["fields"] == len(data.fields) == 11
    assert (details["orders"], details["returns"], details["consent_events"], details["holds"]) == (1, 1, 1, 1)
    assert details["request_id"] is None
    text = event[1] + event[3]
    for value in {v for _, _, _, v in EXPECTED}:
        assert value not in text


def test_erased_and_unknown_customers_are_refused_and_audited(store: Context, ada: str) -> None:
    vault.erase(store, actor=OWNER, customer_id=ada, reason="GDPR Art. 17 request, ticket 4711")
    with pytest.raises(CustomerErased):
        _collect(store, ada)
    with pytest.raises(CustomerNotFound):
        _collect(store, "c-nobody")
    outcomes = rows(store, "SELECT customer_id, outcome FROM audit_event WHERE action = 'subject.access' ORDER BY seq")
    assert [tuple(r) for r in outcomes] == [(ada, "erased"), ("c-nobody", "not_found")]
