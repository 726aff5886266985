from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest

from tutela.services.demo_shop import DemoFile, DemoManifest, generate_demo_shop

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ORDERS = 300
SHOPIFY_ORDERS = 75  # a quarter on top of the Amazon orders

# The headers from /work/shared/formats.md, copied by hand so a drift in the generator shows up here.
EXPECTED_HEADERS = {
    "amazon_order_report": (
        "order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\tbuyer-phone-number\tsku\t"
        "product-name\tquantity-purchased\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\t"
        "ship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\tship-city\tship-state\t"
        "ship-postal-code\tship-country\tship-phone-number\tdelivery-start-date\tdelivery-end-date\t"
        "delivery-time-zone\tdelivery-Instructions\tsales-channel"
    ),
    "amazon_unshipped_orders": (
        "order-id\torder-item-id\tpurchase-date\tpayments-date\treporting-date\tpromise-date\tdays-past-promise\t"
        "buyer-email\tbuyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-purchased\tquantity-shipped\t"
        "quantity-to-ship\tship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\t"
        "ship-city\tship-state\tship-postal-code\tship-country\tis-business-order\tpurchase-order-number\t"
        "price-designation\tis-iba\tverge-of-cancellation\tverge-of-lateShipment"
    ),
    "amazon_all_orders": (
        "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
        "sales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\t"
        "currency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\t"
        "item-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\t"
        "promotion-ids\tis-business-order\tpurchase-order-number\tprice-designation"
    ),
    "amazon_fba_shipments": (
        "amazon-order-id\tmerchant-order-id\tshipment-id\tshipment-item-id\tamazon-order-item-id\t"
        "merchant-order-item-id\tpurchase-date\tpayments-date\tshipment-date\treporting-date\tbuyer-email\t"
        "buyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-shipped\tcurrency\titem-price\titem-tax\t"
        "shipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\tship-service-level\trecipient-name\t"
        "ship-address-1\tship-address-2\tship-address-3\tship-city\tship-state\tship-postal-code\tship-country\t"
        "ship-phone-number\tbill-address-1\tbill-address-2\tbill-address-3\tbill-city\tbill-state\t"
        "bill-postal-code\tbill-country\titem-promotion-discount\tship-promotion-discount\tcarrier\t"
        "tracking-number\testimated-arrival-date\tfulfillment-center-id\tfulfillment-channel\tsales-channel"
    ),
    "amazon_mfn_returns": (
        "Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\tMerchant RMA ID\t"
        "Label type\tLabel cost\tCurrency code\tReturn carrier\tTracking ID\tLabel to be paid by\tA-to-Z Claim\t"
        "Is prime\tASIN\tMerchant SKU\tItem Name\tReturn quantity\tReturn Reason\tIn policy\tReturn type\t"
        "Resolution\tInvoice number\tReturn delivery date\tOrder Amount\tOrder quantity\tSafeT Action reason\t"
        "SafeT claim id\tSafeT claim state\tSafeT claim creation time\tSafeT claim reimbursement amount\t"
        "Refunded Amount"
    ),
    "amazon_fba_returns": (
        "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
        "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments"
    ),
    "shopify_orders": (
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
        "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
        "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,"
        "Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,"
        "Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
        "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
        "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,"
        "Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,"
        "Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"
        "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,"
        "Payment References"
    ),
    "shopify_customers": (
        "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,Province,Province Code,"
        "Country,Country Code,Zip,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt"
    ),
}
EXPECTED_FILES = {
    "SYNTHETIC-amazon-order-report-us.txt": ("amazon_order_report", "utf-8"),
    "SYNTHETIC-amazon-order-report-uk.txt": ("amazon_order_report", "utf-8"),
    "SYNTHETIC-amazon-order-report-de.txt": ("amazon_order_report", "utf-8"),
    "SYNTHETIC-amazon-order-report-fr.txt": ("amazon_order_report", "cp1252"),
    "SYNTHETIC-amazon-order-report-jp.txt": ("amazon_order_report", "utf-16"),
    "SYNTHETIC-amazon-unshipped-orders.txt": ("amazon_unshipped_orders", "utf-8"),
    "SYNTHETIC-amazon-all-orders.txt": ("amazon_all_orders", "utf-8"),
    "SYNTHETIC-amazon-fba-shipments.txt": ("amazon_fba_shipments", "utf-8"),
    "SYNTHETIC-amazon-mfn-returns.txt": ("amazon_mfn_returns", "utf-8"),
    "SYNTHETIC-amazon-fba-returns.txt": ("amazon_fba_returns", "utf-8"),
    "SYNTHETIC-shopify-orders.csv": ("shopify_orders", "utf-8-sig"),
    "SYNTHETIC-shopify-customers.csv": ("shopify_customers", "utf-8-sig"),
}
RELAY_DOMAINS = {
    "Amazon.com": "marketplace.amazon.com",
    "Amazon.co.uk": "marketplace.amazon.co.uk",
    "Amazon.de": "marketplace.amazon.de",
    "Amazon.fr": "marketplace.amazon.fr",
    "Amazon.co.jp": "marketplace.amazon.co.jp",
}
POSTAL_CODES = {
    "US": r"\d{5}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "JP": r"\d{3}-\d{4}",
    "AT": r"\d{4}",
    "NL": r"\d{4} [A-Z]{2}",
}
AMAZON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
AMAZON_DATE = re.compile(r"\d{4}-\d\d-\d\d")
SHOPIFY_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]00")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

Row = dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo_shop(out_dir=tmp_path_factory.mktemp("demo") / "shop", orders=ORDERS, seed=7, now=NOW)


def file_of(manifest: DemoManifest, name: str) -> DemoFile:
    return next(f for f in manifest.files if f.name == name)


def read_rows(manifest: DemoManifest, demo_file: DemoFile) -> list[Row]:
    text = (manifest.out_dir / demo_file.name).read_text(encoding=demo_file.encoding)
    if demo_file.name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))


def rows_of_kind(manifest: DemoManifest, kind: str) -> list[Row]:
    return [row for f in manifest.files if f.kind == kind for row in read_rows(manifest, f)]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def is_valid_phone(number: str, region: str) -> bool:
    return phonenumbers.is_valid_number_for_region(phonenumbers.parse(number, region), region)


def test_same_inputs_give_identical_bytes_and_another_seed_does_not(tmp_path: Path, demo: DemoManifest) -> None:
    again = generate_demo_shop(out_dir=tmp_path / "again", orders=ORDERS, seed=7, now=NOW)
    other = generate_demo_shop(out_dir=tmp_path / "other", orders=ORDERS, seed=8, now=NOW)
    assert snapshot(again.out_dir) == snapshot(demo.out_dir)
    assert again.files == demo.files
    assert (again.customers, again.orders) == (demo.customers, demo.orders)
    first, second = snapshot(demo.out_dir), snapshot(other.out_dir)
    assert all(first[name] != second[name] for name in EXPECTED_FILES)


def test_output_does_not_depend_on_hash_seed(tmp_path: Path, demo: DemoManifest) -> None:
    # set iteration order changes with PYTHONHASHSEED; the files must not
    script = (
        "import sys; from datetime import datetime; from pathlib import Path; "
        "from tutela.services.demo_shop import generate_demo_shop; "
        f"generate_demo_shop(out_dir=Path(sys.argv[1]), orders={ORDERS}, seed=7, "
        "now=datetime.fromisoformat(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "fresh"), NOW.isoformat()], check=True, env=env)
    assert snapshot(tmp_path / "fresh") == snapshot(demo.out_dir)


def test_the_clock_is_the_only_time_source(tmp_path: Path, demo: DemoManifest) -> None:
    later = generate_demo_shop(out_dir=tmp_path / "later", orders=ORDERS, seed=7, now=NOW + timedelta(days=1))
    assert snapshot(later.out_dir) != snapshot(demo.out_dir)
    in_berlin = NOW.astimezone(timezone(timedelta(hours=1)))
    same = generate_demo_shop(out_dir=tmp_path / "same", orders=ORDERS, seed=7, now=in_berlin)
    assert snapshot(same.out_dir) == snapshot(demo.out_dir)


def test_every_file_says_it_is_synthetic(demo: DemoManifest) -> None:
    on_disk = {path.name for path in demo.out_dir.iterdir()}
    assert on_disk == set(EXPECTED_FILES) | {"README-SYNTHETIC.txt"}
    assert all("SYNTHETIC" in name for name in on_disk)
    readme = (demo.out_dir / "README-SYNTHETIC.txt").read_text(encoding="utf-8")
    assert "Faker" in readme
    assert all(word in readme for word in ("name", "address", "phone", "e-mail", "invented"))


def test_manifest_lists_every_data_file_with_kind_encoding_and_row_count(demo: DemoManifest) -> None:
    assert {f.name: (f.kind, f.encoding) for f in demo.files} == EXPECTED_FILES
    for demo_file in demo.files:
        assert demo_file.rows == len(read_rows(demo, demo_file)), demo_file.name
        assert demo_file.rows > 0, demo_file.name


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_first_line_is_the_real_header(demo: DemoManifest, name: str) -> None:
    demo_file = file_of(demo, name)
    text = (demo.out_dir / name).read_text(encoding=demo_file.encoding)
    assert text.splitlines()[0] == EXPECTED_HEADERS[demo_file.kind]


def test_encodings_are_the_ones_importers_meet(demo: DemoManifest) -> None:
    for demo_file in demo.files:
        (demo.out_dir / demo_file.name).read_bytes().decode(demo_file.encoding)  # strict: must not raise
    jp = (demo.out_dir / "SYNTHETIC-amazon-order-report-jp.txt").read_bytes()
    assert jp.startswith(b"\xff\xfe")
    assert "Amazon.co.jp" in jp.decode("utf-16")
    fr = (demo.out_dir / "SYNTHETIC-amazon-order-report-fr.txt").read_bytes()
    assert re.search(rb"[\x80-\xff]", fr), "French data should carry accents"
    with pytest.raises(UnicodeDecodeError):
        fr.decode("utf-8")  # Windows-1252 accents are not UTF-8
    for name in ("SYNTHETIC-shopify-orders.csv", "SYNTHETIC-shopify-customers.csv"):
        assert (demo.out_dir / name).read_bytes().startswith(b"\xef\xbb\xbf")
    for name, (_, encoding) in EXPECTED_FILES.items():
        if encoding == "utf-8":
            assert not (demo.out_dir / name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_amazon_files_use_crlf_line_endings(demo: DemoManifest) -> None:
    for demo_file in demo.files:
        if demo_file.kind.startswith("amazon"):
            text = (demo.out_dir / demo_file.name).read_bytes().decode(demo_file.encoding)
            assert text.endswith("\r\n")
            assert text.count("\n") == text.count("\r\n") == demo_file.rows + 1


def test_order_counts_follow_the_marketplace_split(demo: DemoManifest) -> None:
    all_orders = rows_of_kind(demo, "amazon_all_orders")
    orders_by_channel = Counter({row["amazon-order-id"]: row["sales-channel"] for row in all_orders}.values())
    assert orders_by_channel == {
        "Amazon.com": 120,
        "Amazon.co.uk": 60,
        "Amazon.de": 60,
        "Amazon.fr": 30,
        "Amazon.co.jp": 30,
    }
    shopify = rows_of_kind(demo, "shopify_orders")
    assert len({row["Name"] for row in shopify}) == SHOPIFY_ORDERS
    assert demo.orders == ORDERS + SHOPIFY_ORDERS
    distinct_amazon_buyers = len(
        {
            row["buyer-email"]
            for kind in ("amazon_order_report", "amazon_unshipped_orders", "amazon_fba_shipments")
            for row in rows_of_kind(demo, kind)
        }
    )
    assert distinct_amazon_buyers <= demo.customers - len(rows_of_kind(demo, "shopify_customers"))


def test_order_statuses_and_fulfilment_channels(demo: DemoManifest) -> None:
    all_orders = rows_of_kind(demo, "amazon_all_orders")
    statuses = Counter(row["order-status"] for row in all_orders)
    assert set(statuses) <= {"Shipped", "Pending", "Cancelled", "Unshipped"}
    assert statuses["Shipped"] > 0.8 * len(all_orders)
    assert statuses["Unshipped"] > 0
    channels = {row["amazon-order-id"]: row["fulfillment-channel"] for row in all_orders}
    fba_share = Counter(channels.values())["Amazon"] / len(channels)
    assert 0.2 < fba_share < 0.4
    assert all("buyer-name" not in row and "recipient-name" not in row for row in all_orders)
    for row in all_orders:
        assert AMAZON_TIME.fullmatch(row["purchase-date"])
        age = NOW - datetime.fromisoformat(row["purchase-date"])
        assert timedelta(0) < age <= timedelta(days=549)
        if age > timedelta(days=21) and row["order-status"] != "Cancelled":
            assert row["order-status"] == "Shipped"


def test_order_report_holds_shipped_merchant_orders_and_unshipped_report_the_rest(demo: DemoManifest) -> None:
    all_orders = rows_of_kind(demo, "amazon_all_orders")
    status = {row["amazon-order-id"]: (row["order-status"], row["fulfillment-channel"]) for row in all_orders}
    report = rows_of_kind(demo, "amazon_order_report")
    assert {status[row["order-id"]] for row in report} == {("Shipped", "Merchant")}
    unshipped = rows_of_kind(demo, "amazon_unshipped_orders")
    assert unshipped
    assert {status[row["order-id"]] for row in unshipped} == {("Unshipped", "Merchant")}
    for row in unshipped:
        assert NOW - datetime.fromisoformat(row["purchase-date"]) < timedelta(days=3)
        assert row["quantity-to-ship"] == row["quantity-purchased"]
    fba = rows_of_kind(demo, "amazon_fba_shipments")
    assert {status[row["amazon-order-id"]] for row in fba} == {("Shipped", "Amazon")}
    assert all(row["buyer-phone-number"] == "" for row in fba)
    assert all(row["tracking-number"] and row["carrier"] and row["estimated-arrival-date"] for row in fba)


def test_ship_dates_follow_purchase_within_three_days(demo: DemoManifest) -> None:
    for row in rows_of_kind(demo, "amazon_fba_shipments"):
        purchased = datetime.fromisoformat(row["purchase-date"])
        shipped = datetime.fromisoformat(row["shipment-date"])
        assert timedelta(0) <= shipped - purchased <= timedelta(days=3)
        assert shipped <= NOW


def test_amazon_items_look_like_amazon_items(demo: DemoManifest) -> None:
    for row in rows_of_kind(demo, "amazon_all_orders"):
        assert re.fullmatch(r"\d{3}-\d{7}-\d{7}", row["amazon-order-id"])
        assert re.fullmatch(r"SKU-\d{5}", row["sku"])
        assert re.fullmatch(r"B0[A-Z0-9]{8}", row["asin"])
        if row["item-price"]:
            pattern = r"\d+" if row["currency"] == "JPY" else r"\d+\.\d\d"
            assert re.fullmatch(pattern, row["item-price"])
    currencies = {(row["sales-channel"], row["currency"]) for row in rows_of_kind(demo, "amazon_order_report")}
    assert currencies == {
        ("Amazon.com", "USD"),
        ("Amazon.co.uk", "GBP"),
        ("Amazon.de", "EUR"),
        ("Amazon.fr", "EUR"),
        ("Amazon.co.jp", "JPY"),
    }


def test_returning_buyers_come_back_with_the_same_details(demo: DemoManifest) -> None:
    orders_by_email: dict[str, set[str]] = defaultdict(set)
    details_by_email: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for kind in ("amazon_order_report", "amazon_unshipped_orders"):
        for row in rows_of_kind(demo, kind):
            orders_by_email[row["buyer-email"]].add(row["order-id"])
            details_by_email[row["buyer-email"]].add(
                (row["buyer-name"], row["buyer-phone-number"], row["ship-address-1"], row["ship-postal-code"])
            )
    returning = [email for email, orders in orders_by_email.items() if len(orders) > 1]
    assert len(returning) >= 3
    assert all(len(details) == 1 for details in details_by_email.values())
    shop_orders = Counter(row["Email"] for row in rows_of_kind(demo, "shopify_orders") if row["Financial Status"])
    assert max(shop_orders.values()) > 1


def test_relay_emails_match_the_marketplace(demo: DemoManifest) -> None:
    checked = 0
    for kind in ("amazon_order_report", "amazon_fba_shipments"):
        for row in rows_of_kind(demo, kind):
            local, _, domain = row["buyer-email"].partition("@")
            assert re.fullmatch(r"[a-z0-9]{16}", local)
            assert domain == RELAY_DOMAINS[row["sales-channel"]]
            checked += 1
    assert checked > ORDERS / 2
    relay_by_country = dict(zip(("US", "GB", "DE", "FR", "JP"), RELAY_DOMAINS.values(), strict=True))
    for row in rows_of_kind(demo, "amazon_unshipped_orders"):
        assert row["buyer-email"].endswith("@" + relay_by_country[row["ship-country"]])
    for row in rows_of_kind(demo, "shopify_orders"):
        assert "amazon" not in row["Email"]


def test_every_phone_number_is_valid_for_its_country(demo: DemoManifest) -> None:
    checked = 0
    for kind, columns, country in (
        ("amazon_order_report", ("buyer-phone-number", "ship-phone-number"), "ship-country"),
        ("amazon_unshipped_orders", ("buyer-phone-number",), "ship-country"),
        ("amazon_fba_shipments", ("ship-phone-number",), "ship-country"),
        ("shopify_orders", ("Billing Phone",), "Billing Country"),
        ("shopify_orders", ("Shipping Phone", "Phone"), "Shipping Country"),
        ("shopify_customers", ("Phone",), "Country Code"),
    ):
        for row in rows_of_kind(demo, kind):
            for column in columns:
                if row[column]:
                    assert is_valid_phone(row[column], row[country]), (kind, column, row[column], row[country])
                    checked += 1
    assert checked > ORDERS


def test_amazon_phones_are_never_missing(demo: DemoManifest) -> None:
    for row in rows_of_kind(demo, "amazon_order_report"):
        assert row["buyer-phone-number"] == row["ship-phone-number"] != ""


def test_postal_codes_look_right_for_the_country(demo: DemoManifest) -> None:
    seen: set[str] = set()
    for kind, code, country in (
        ("amazon_order_report", "ship-postal-code", "ship-country"),
        ("amazon_fba_shipments", "bill-postal-code", "bill-country"),
        ("amazon_all_orders", "ship-postal-code", "ship-country"),
        ("shopify_orders", "Shipping Zip", "Shipping Country"),
        ("shopify_customers", "Zip", "Country Code"),
    ):
        for row in rows_of_kind(demo, kind):
            if row[country]:
                assert re.fullmatch(POSTAL_CODES[row[country]], row[code]), (kind, row[country], row[code])
                seen.add(row[country])
    assert seen == set(POSTAL_CODES)


def test_dates_have_each_exports_own_format(demo: DemoManifest) -> None:
    for row in rows_of_kind(demo, "amazon_order_report"):
        for column in ("purchase-date", "payments-date", "delivery-start-date", "delivery-end-date"):
            assert AMAZON_TIME.fullmatch(row[column]), row[column]
    for row in rows_of_kind(demo, "amazon_mfn_returns"):
        assert AMAZON_DATE.fullmatch(row["Order date"])
        assert AMAZON_DATE.fullmatch(row["Return request date"])
        assert row["Order date"] <= row["Return request date"] <= NOW.date().isoformat()
    for row in rows_of_kind(demo, "amazon_fba_returns"):
        assert AMAZON_TIME.fullmatch(row["return-date"])
    for row in rows_of_kind(demo, "shopify_orders"):
        assert SHOPIFY_TIME.fullmatch(row["Created at"]), row["Created at"]
        if row["Paid at"]:
            assert SHOPIFY_TIME.fullmatch(row["Paid at"])


def test_returns_cover_a_small_share_of_delivered_orders(demo: DemoManifest) -> None:
    mfn_returns = rows_of_kind(demo, "amazon_mfn_returns")
    fba_returns = rows_of_kind(demo, "amazon_fba_returns")
    assert 0 < len(mfn_returns) < 0.2 * ORDERS
    assert 0 < len(fba_returns) < 0.1 * ORDERS
    mfn_shipped = {row["order-id"] for row in rows_of_kind(demo, "amazon_order_report")}
    assert {row["Order ID"] for row in mfn_returns} <= mfn_shipped
    fba_shipped = {row["amazon-order-id"] for row in rows_of_kind(demo, "amazon_fba_shipments")}
    assert {row["order-id"] for row in fba_returns} <= fba_shipped


def test_fba_return_comments_carry_some_personal_data(demo: DemoManifest) -> None:
    regions = {"Amazon.com": "US", "Amazon.co.uk": "GB", "Amazon.de": "DE", "Amazon.fr": "FR", "Amazon.co.jp": "JP"}
    channel = {row["amazon-order-id"]: row["sales-channel"] for row in rows_of_kind(demo, "amazon_all_orders")}
    comments = [
        (row["customer-comments"], regions[channel[row["order-id"]]])
        for row in rows_of_kind(demo, "amazon_fba_returns")
        if row["customer-comments"]
    ]
    with_pii = [
        text for text, region in comments if EMAIL.search(text) or any(phonenumbers.PhoneNumberMatcher(text, region))
    ]
    assert with_pii
    assert len(with_pii) == -(-len(comments) // 5)  # every fifth comment, starting with the first


def test_shopify_consent_flags_are_yes_or_no(demo: DemoManifest) -> None:
    customers = rows_of_kind(demo, "shopify_customers")
    assert customers
    assert {row["Accepts Email Marketing"] for row in customers} == {"yes", "no"}
    assert {row["Accepts SMS Marketing"] for row in customers} <= {"yes", "no"}
    email_yes = sum(row["Accepts Email Marketing"] == "yes" for row in customers) / len(customers)
    sms_yes = sum(row["Accepts SMS Marketing"] == "yes" for row in customers) / len(customers)
    assert 0.2 < email_yes < 0.6
    assert sms_yes < 0.35
    assert all(row["Phone"] for row in customers if row["Accepts SMS Marketing"] == "yes")
    first_rows = [row for row in rows_of_kind(demo, "shopify_orders") if row["Financial Status"]]
    assert {row["Accepts Marketing"] for row in first_rows} <= {"yes", "no"}
    assert sum(int(row["Total Orders"]) for row in customers) == SHOPIFY_ORDERS


def test_shopify_orders_put_order_columns_on_the_first_row_only(demo: DemoManifest) -> None:
    rows = rows_of_kind(demo, "shopify_orders")
    by_order: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_order[row["Name"]].append(row)
    assert any(len(lines) > 1 for lines in by_order.values())
    for lines in by_order.values():
        first, *rest = lines
        assert first["Total"] and first["Billing Name"] and first["Currency"] == "EUR"
        for row in rest:
            assert row["Total"] == row["Billing Name"] == row["Financial Status"] == ""
            assert row["Lineitem name"] and row["Lineitem quantity"]
    assert {row["Billing Country"] for row in rows if row["Billing Country"]} <= {"DE", "AT", "FR", "NL"}
    assert Counter(row["Billing Country"] for row in rows if row["Billing Country"]).most_common(1)[0][0] == "DE"


@pytest.mark.parametrize(
    ("orders", "now", "message"),
    [
        (0, NOW, "orders"),
        (10, datetime(2026, 11, 29, 12, 0), "aware"),  # naive on purpose
    ],
)
def test_rejects_nonsense_arguments(tmp_path: Path, orders: int, now: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_demo_shop(out_dir=tmp_path / "x", orders=orders, now=now)
