"""Importing seller files, end to end on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.errors import ColumnMapInvalid, ImportFileInvalid, ImportFormatUnknown
from tutela.services import importing, vault
from tutela.services.context import Context
from tutela.services.demo_shop import generate_demo_shop
from tutela.services.store import open_store


def run(store: Context, path: Path, **options: object) -> importing.ImportReport:
    return importing.import_file(store, actor=OWNER, path=path, **options)  # type: ignore[arg-type]


@pytest.fixture
def unshipped(tmp_path: Path) -> Path:
    return write_table(tmp_path / "unshipped.txt", [*UNSHIPPED_HEADER, "mystery-column"], [
        unshipped_row("111-0000001-0000001", "10000000000001"),
        unshipped_row("111-0000001-0000001", "10000000000002"),
        unshipped_row("111-0000002-0000002", "10000000000003", day=21),  # the same buyer again
        unshipped_row("111-0000003-0000003", "10000000000004", email="grace@marketplace.amazon.com",
                      phone="+1 415-555-0199", recipient="Grace Hopper", buyer="G Hopper", postal="9410"),
        unshipped_row("", "10000000000005", email="nobody@marketplace.amazon.com"),
    ])  # fmt: skip


def test_minimised_validated_matched(store: Context, unshipped: Path) -> None:
    report = run(store, unshipped)
    tally = report.tally
    assert report.format == "amazon_unshipped_orders"
    assert (tally.rows_read, tally.customers_new, tally.orders_new, tally.order_lines_new) == (5, 2, 3, 4)
    assert tally.rows_rejected == [{"row": 5, "reason": "no order id in column 'order-id'"}]
    assert tally.invalid_values == [{"row": 4, "column": "ship-postal-code", "problem": "not a postal code of US"}]
    assert tally.columns_dropped["buyer-name"]["reason"].startswith("the recipient name serves fulfilment")
    assert tally.columns_dropped["mystery-column"] == {"reason": "unknown column: reported, never stored", "count": 5}
    assert tally.columns_dropped["product-name"]["reason"] == "no purpose needs it"
    assert tally.fields_stored["fulfillment"]["user.name"] == 2
    (ada,) = vault.find_customers(store, actor=OWNER, email="ADA123@marketplace.amazon.com")
    shown = {f.category: f.value for f in vault.reveal(store, actor=OWNER, purpose="fulfillment",
                                                        customer_id=ada.id).fields}  # fmt: skip
    assert shown["user.name"] == "Ada Lovelace"  # the recipient, never the buyer's own name
    assert shown["user.contact.phone_number"] == "+12065550100"
    assert "Ada Buyer" not in shown.values()
    linked = rows(store, "SELECT order_id FROM orders WHERE customer_id = :c ORDER BY order_id", c=ada.id)
    assert [r.order_id for r in linked] == ["111-0000001-0000001", "111-0000002-0000002"]
    assert ada.sources == ["amazon"]
    text = json.dumps(report.as_dict())
    for value in ("Ada", "Lovelace", "9410", "206-555", "marketplace.amazon"):
        assert value not in text


def test_same_file_again_changes_nothing(store: Context, unshipped: Path) -> None:
    run(store, unshipped)
    before = (count(store, "customer"), count(store, "record"), count(store, "orders"), count(store, "audit_event"))
    again = run(store, unshipped)
    assert again.already_imported
    assert again.tally.customers_new == again.tally.orders_new == 0
    assert (count(store, "customer"), count(store, "record"), count(store, "orders")) == before[:3]


def test_a_new_file_with_old_and_newer_rows(store: Context, unshipped: Path, tmp_path: Path) -> None:
    run(store, unshipped)
    newer = write_table(tmp_path / "later.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000001-0000001", "10000000000001"),  # already known, unchanged
        unshipped_row("111-0000009-0000009", "10000000000009", street="99 New Road", day=25),
    ])  # fmt: skip
    report = run(store, newer)
    assert (report.tally.customers_new, report.tally.customers_matched, report.tally.customers_updated) == (0, 1, 1)
    assert (report.tally.orders_new, report.tally.order_lines_new) == (1, 1)
    older = write_table(tmp_path / "earlier.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000000-0000000", "10000000000000", street="1 Old Lane", day=10),
    ])  # fmt: skip
    assert run(store, older).tally.customers_updated == 0  # older data never overwrites newer
    (ada,) = vault.find_customers(store, actor=OWNER, phone="+1 206 555 0100")
    shown = {f.category: f.value for f in vault.reveal(store, actor=OWNER, purpose="fulfillment",
                                                        customer_id=ada.id).fields}  # fmt: skip
    assert shown["user.contact.address.street"] == "99 New Road"


def test_interrupted_import_is_finished_by_running_it_again(store: Context, unshipped: Path, clock: object) -> None:
    # Batches are committed four at a time; this run stops after the first group, as a
    # crash would: rows 1-4 are kept, row 5 was never read.
    first = run(store, unshipped, batch_size=1, max_batches=4)
    assert first.tally.rows_read == 4
    (status,) = rows(store, "SELECT status, rows_done FROM import_run")
    assert tuple(status) == ("running", 4)
    reopened = open_store(store.settings, store.clock)
    try:
        second = run(reopened, unshipped, batch_size=2)
        assert second.resumed_from_row == 4
        assert (second.tally.rows_read, second.tally.customers_new, second.tally.orders_new) == (5, 2, 3)
    finally:
        reopened.close()
    assert (count(store, "customer"), count(store, "orders"), count(store, "order_line")) == (2, 3, 4)
    assert rows(store, "SELECT status FROM import_run")[0].status == "done"


def _street(store: Context) -> str:
    (ada,) = vault.find_customers(store, actor=OWNER, email="ada123@marketplace.amazon.com")
    shown = vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=ada.id).fields
    return next(f.value for f in shown if f.category == "user.contact.address.street")


def test_a_returning_buyer_goes_back_to_an_earlier_address(store: Context, tmp_path: Path) -> None:
    # One row per batch: the second row brings a block already stored (settled: only its order
    # is written), the third changes the address, the fourth goes back to the first block,
    # which must not be taken for settled any more.
    path = write_table(tmp_path / "moves.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000001-0000001", "10000000000001", day=20),
        unshipped_row("111-0000002-0000002", "10000000000002", day=21),
        unshipped_row("111-0000003-0000003", "10000000000003", day=22, street="99 New Road"),
        unshipped_row("111-0000004-0000004", "10000000000004", day=23),
    ])  # fmt: skip
    tally = run(store, path, batch_size=1).tally
    assert (tally.customers_new, tally.customers_matched, tally.customers_updated) == (1, 3, 2)
    assert _street(store) == "12 Main St"
    assert rows(store, "SELECT count(DISTINCT customer_id) AS n, count(*) AS orders FROM orders")[0] == (1, 4)


def test_a_settled_buyer_and_an_older_change_in_one_batch(store: Context, tmp_path: Path) -> None:
    # The second batch has the stored block (newest) and an older address for the same buyer:
    # merged as any two rows of a batch are, the newer one wins and nothing changes.
    path = write_table(tmp_path / "late.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000001-0000001", "10000000000001", day=20),
        unshipped_row("111-0000002-0000002", "10000000000002", email="grace@marketplace.amazon.com",
                      phone="+1 415-555-0199", recipient="Grace Hopper"),
        unshipped_row("111-0000003-0000003", "10000000000003", day=23),
        unshipped_row("111-0000004-0000004", "10000000000004", day=21, street="99 Old Road"),
    ])  # fmt: skip
    tally = run(store, path, batch_size=2).tally
    assert (tally.customers_new, tally.customers_matched, tally.customers_updated) == (2, 1, 0)
    assert _street(store) == "12 Main St"


def test_dry_run_stores_nothing(store: Context, unshipped: Path) -> None:
    report = run(store, unshipped, dry_run=True)
    assert (report.tally.customers_new, report.tally.orders_new) == (2, 3)
    assert (count(store, "customer"), count(store, "orders"), count(store, "import_run")) == (0, 0, 0)
    assert rows(store, "SELECT outcome FROM audit_event WHERE action = 'import.dry_run'")[0].outcome == "dry_run"


def test_on_invalid_reject_keeps_bad_values_out(store: Context, tmp_path: Path) -> None:
    path = store.settings.policy_file
    path.write_text(path.read_text().replace('on_invalid = "flag"', 'on_invalid = "reject"'))
    strict = open_store(store.settings, store.clock)
    try:
        bad = write_table(tmp_path / "bad.txt", UNSHIPPED_HEADER, [
            unshipped_row("111-0000004-0000004", "1", email="not an address", phone="12", postal="ABC"),
        ])  # fmt: skip
        report = run(strict, bad)
        problems = {(i["column"], i["problem"]) for i in report.tally.invalid_values}
        assert problems == {("buyer-email", "not a valid e-mail address"),
                            ("buyer-phone-number", "not a possible phone number"),
                            ("ship-postal-code", "not a postal code of US")}  # fmt: skip
        assert "user.contact.email" not in report.tally.fields_stored["fulfillment"]
        assert rows(strict, "SELECT flagged FROM record")[0].flagged == 0
    finally:
        strict.close()


def test_flagged_invalid_values_are_marked(store: Context, tmp_path: Path) -> None:
    bad = write_table(tmp_path / "bad.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000004-0000004", "1", postal="ABC"),
    ])  # fmt: skip
    run(store, bad)
    (record,) = rows(store, "SELECT flagged FROM record")
    assert record.flagged == 1 << 7  # the postal-code category bit


def test_batches_are_audited_without_personal_data(store: Context, unshipped: Path) -> None:
    report = run(store, unshipped, batch_size=2)
    events = rows(store, "SELECT action, details FROM audit_event WHERE action LIKE 'import.%' ORDER BY seq")
    assert [e.action for e in events] == ["import.start", "import.batch", "import.batch", "import.batch",
                                          "import.complete"]  # fmt: skip
    assert all(report.sha256 in e.details for e in events)
    everything = " ".join(e.details for e in events)
    assert "Lovelace" not in everything and "marketplace" not in everything


def test_bad_files(store: Context, tmp_path: Path) -> None:
    with pytest.raises(ImportFileInvalid):
        run(store, tmp_path / "missing.txt")
    odd = write_table(tmp_path / "odd.csv", ["a", "b"], [{"a": "1", "b": "2"}], delimiter=",")
    with pytest.raises(ImportFormatUnknown):
        run(store, odd)
    amazon = write_table(tmp_path / "u.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1")])
    with pytest.raises(ImportFormatUnknown) as caught:
        run(store, amazon, source="shopify")
    assert "amazon" in caught.value.message
    assert count(store, "import_run") == 0


def _many_rows(count_: int) -> list[str]:
    """Data lines of an unshipped report, more than one batch and one group of batches."""
    return ["\t".join(unshipped_row(f"111-0000009-{i:07d}", str(i), email=f"b{i}@marketplace.amazon.com").values())
            for i in range(count_)]  # fmt: skip


_HEADER_LINE = "\t".join(UNSHIPPED_HEADER)


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([_HEADER_LINE, *_many_rows(12), "111-0000009-9999999\t1\t2026-11-20"], "data row 13 has 3 cells"),
        ([_HEADER_LINE, *_many_rows(12)[:-1], _many_rows(12)[-1][:-40]], "data row 12 has 21 cells"),
        ([_HEADER_LINE, *_many_rows(3), _many_rows(4)[3] + "\textra"], "data row 4 has 31 cells"),
        ([_HEADER_LINE.replace("payments-date", "purchase-date"), *_many_rows(2)],
         "two columns named 'purchase-date'"),
        ([_HEADER_LINE], "has a header but no data rows"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_before_anything_is_stored(
    store: Context, tmp_path: Path, lines: list[str], problem: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(ImportFileInvalid) as caught:
        run(store, path, batch_size=2)  # the bad row comes after several would-be commits
    assert problem in caught.value.message
    assert "marketplace" not in caught.value.message and "Ada" not in caught.value.message
    assert (count(store, "import_run"), count(store, "orders"), count(store, "customer")) == (0, 0, 0)


def test_bytes_invalid_for_the_encoding_late_in_the_file_change_nothing(store: Context, tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    good = ("\r\n".join([_HEADER_LINE, *_many_rows(400)]) + "\r\n").encode()
    path.write_bytes(good + _many_rows(401)[400].encode().replace(b"Lovelace", b"Lovel\xe1ce") + b"\r\n")
    with pytest.raises(ImportFileInvalid) as caught:
        run(store, path, batch_size=50)
    assert "not valid utf-8" in caught.value.message
    assert (count(store, "import_run"), count(store, "orders")) == (0, 0)


def test_a_json_file_cut_short_changes_nothing(store: Context, tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    orders = [{**V0_ORDER, "AmazonOrderId": f"902-0000000-{i:07d}"} for i in range(30)]
    path.write_text(json.dumps({"payload": {"Orders": orders}})[:-900], encoding="utf-8")
    with pytest.raises(ImportFileInvalid) as caught:
        run(store, path, batch_size=2)
    assert "is not valid JSON" in caught.value.message
    assert (count(store, "import_run"), count(store, "orders")) == (0, 0)


def test_spreadsheet_formulas_are_kept_as_text(store: Context, tmp_path: Path) -> None:
    formula = '=HYPERLINK("https://example.com/x","click")'
    path = write_table(tmp_path / "f.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000005-0000005", "1",
                                                                            recipient=formula)])  # fmt: skip
    run(store, path)
    (customer,) = vault.find_customers(store, actor=OWNER, email="ada123@marketplace.amazon.com")
    shown = vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer.id).fields
    assert {f.category: f.value for f in shown}["user.name"] == formula


def test_column_map_for_any_csv(store: Context, tmp_path: Path) -> None:
    data = write_table(tmp_path / "shop.csv", ["Order No", "Date", "Mail", "Full Name", "Land"], [
        {"Order No": "A-1", "Date": "2026-11-01", "Mail": "kim@example.com", "Full Name": "Kim Park", "Land": "DE"},
    ], delimiter=",")  # fmt: skip
    mapping = tmp_path / "columns.toml"
    mapping.write_text('source = "own_shop"\n[columns]\n"Order No" = "order.order_id"\n"Date" = "order.purchased_at"\n'
                       '"Mail" = "user.contact.email"\n"Full Name" = { category = "user.name", role = "ship" }\n'
                       '"Land" = "order.ship_country"\n')  # fmt: skip
    report = run(store, data, column_map=mapping)
    assert (report.format, report.source, report.tally.customers_new, report.tally.orders_new) == (
        "csv_map", "own_shop", 1, 1)  # fmt: skip
    assert vault.find_customers(store, actor=OWNER, email="KIM@example.com")
    mapping.write_text('source = "own_shop"\n[columns]\n"Mail" = "user.contact.emial"\n')
    with pytest.raises(ColumnMapInvalid) as caught:
        run(store, data, column_map=mapping)
    assert "columns.toml:3" in caught.value.message and "user.contact.email" in caught.value.message
    mapping.write_text('source = "own_shop"\n[columns]\n"Date" = "order.purchased_at"\n"Mail" = "user.contact.email"\n')
    with pytest.raises(ColumnMapInvalid, match=r"need an order\.order_id column"):
        run(store, data, column_map=mapping)  # order facts with no order to belong to
    assert count(store, "orders") == 1


def test_the_demo_shop_imports_whole(store: Context, tmp_path: Path) -> None:
    manifest = generate_demo_shop(out_dir=tmp_path / "demo", orders=150, now=datetime(2026, 11, 29, tzinfo=UTC))
    reports = {f.kind: run(store, tmp_path / "demo" / f.name) for f in manifest.files}
    assert all(r.tally.rows_rejected_total == 0 for r in reports.values())
    assert reports["amazon_all_orders"].tally.orders_new > 0
    assert reports["amazon_fba_shipments"].tally.fields_stored["tax"]["user.name"] > 0
    assert reports["amazon_mfn_returns"].tally.returns_new > 0
    assert reports["amazon_fba_returns"].tally.columns_dropped["customer-comments"]["reason"].startswith(
        "no purpose ('returns') collects user.content.free_text")  # fmt: skip
    assert reports["shopify_customers"].tally.consent_evidence_new == 2 * reports["shopify_customers"].tally.rows_read
    assert reports["shopify_customers"].tally.customers_matched > 0  # the same people ordered in the shop
    jp = next(f for f in manifest.files if f.encoding == "utf-16")
    fr = next(f for f in manifest.files if f.encoding == "cp1252")
    assert reports[jp.kind].tally.rows_read > 0 and reports[fr.kind].tally.rows_read > 0
    assert count(store, "customer") == len({r.customer_id for r in rows(store, "SELECT customer_id FROM record")})


V0_ORDER = {
    "AmazonOrderId": "902-3159896-1390916", "PurchaseDate": "2026-11-01T10:00:00Z", "LastUpdateDate":
    "2026-11-02T10:00:00Z", "OrderStatus": "Shipped", "FulfillmentChannel": "MFN", "MarketplaceId": "A1PA6795UKMFR9",
    "OrderTotal": {"CurrencyCode": "EUR", "Amount": "19.99"}, "IsPrime": False,
    "BuyerInfo": {"BuyerEmail": "x1y2z3@marketplace.amazon.de", "BuyerName": "Jonas Käufer"},
    "ShippingAddress": {"Name": "Jonas Empfänger", "AddressLine1": "Hauptstraße 1", "City": "Berlin",
                        "PostalCode": "10115", "CountryCode": "DE", "Phone": "030 12345678"},
}  # fmt: skip
V2026_ORDER = {
    "orderId": "171-0000001-0000002", "createdTime": "2026-11-03T08:00:00Z", "lastUpdatedTime": "2026-11-03T09:00:00Z",
    "salesChannel": {"marketplaceId": "ATVPDKIKX0DER", "marketplaceName": "Amazon.com"},
    "buyer": {"buyerEmail": "q9w8@marketplace.amazon.com", "buyerName": "Pat Buyer"},
    "recipient": {"deliveryAddress": {"name": "Pat Recipient", "addressLine1": "1 Elm St", "city": "Denver",
                                      "stateOrRegion": "CO", "postalCode": "80202", "countryCode": "US"}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("document", "format_key"),
    [({"payload": {"Orders": [V0_ORDER]}}, "spapi_orders_v0"), ([V2026_ORDER], "spapi_orders_v2026"),
     ({"orders": [V2026_ORDER]}, "spapi_orders_v2026")],
)  # fmt: skip
def test_sp_api_json(store: Context, tmp_path: Path, document: object, format_key: str) -> None:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = run(store, path)
    assert (report.format, report.tally.rows_read, report.tally.customers_new, report.tally.orders_new) == (
        format_key, 1, 1, 1)  # fmt: skip
    assert report.tally.columns_dropped["BuyerInfo.BuyerName" if format_key.endswith("v0") else "buyer.buyerName"][
        "reason"
    ].startswith("the recipient name")
    (order,) = rows(store, "SELECT ship_country, customer_id FROM orders")
    assert order.customer_id is not None
    assert order.ship_country in {"DE", "US"}
    assert report.sha256 == importing.file_sha256(path)  # hashed while the orders were checked
    assert run(store, path).already_imported


def test_json_lines_of_orders(store: Context, tmp_path: Path) -> None:
    path = tmp_path / "orders.ndjson"
    second = {**V0_ORDER, "AmazonOrderId": "902-3159896-1390917"}
    path.write_text(json.dumps(V0_ORDER) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    report = run(store, path)
    assert (report.tally.rows_read, report.tally.customers_new, report.tally.orders_new) == (2, 1, 2)
    shown = vault.find_customers(store, actor=OWNER, phone="+49 30 12345678")
    assert len(shown) == 1


def test_a_crash_inside_a_group_of_batches_keeps_only_whole_groups(store: Context, tmp_path: Path) -> None:
    path = write_table(tmp_path / "six.txt", UNSHIPPED_HEADER,
                       [unshipped_row(f"111-0000001-{i:07d}", str(i), email=f"b{i}@marketplace.amazon.com")
                        for i in range(6)])  # fmt: skip
    run(store, path, batch_size=1, max_batches=5)  # stops inside the second group: row 5 is rolled back
    assert tuple(rows(store, "SELECT status, rows_done FROM import_run")[0]) == ("running", 4)
    assert count(store, "orders") == 4
    finished = run(store, path, batch_size=1)
    assert (finished.resumed_from_row, count(store, "orders"), count(store, "customer")) == (4, 6, 6)


def test_an_upload_left_by_a_stopped_server_is_resumed(store: Context, tmp_path: Path) -> None:
    folder = importing.upload_folder(store)
    path = write_table(folder / "u.txt", UNSHIPPED_HEADER, [unshipped_row(f"111-0000001-{i:07d}", str(i))
                                                            for i in range(6)])  # fmt: skip
    run(store, path, batch_size=1, max_batches=4)  # the server stopped here; the upload stayed
    (job,) = importing.resume_uploads(store, actor=OWNER)
    assert job.worker is not None
    job.worker.join(timeout=60)
    assert rows(store, "SELECT status FROM import_run")[0].status == "done"
    assert count(store, "orders") == 6
    assert not folder.exists()  # the upload is deleted once imported
    assert importing.resume_uploads(store, actor=OWNER) == []
