"""A synthetic demo shop: Amazon and Shopify exports full of invented customers.

Importers, scanners and the vault need realistic files to work on, and real customer data must never be used
for that. Every person here is made up by Faker, every phone number is drawn from a range the phonenumbers
library accepts, and everything else comes from seeded `random.Random` instances, so the same seed, order
count and clock give byte-identical files. Files are written row by row while the orders are invented.
"""

from __future__ import annotations

import csv
import hashlib
import random
import string
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

import phonenumbers
from faker import Faker


@dataclass(frozen=True)
class DemoFile:
    name: str
    kind: str
    encoding: str
    rows: int


@dataclass(frozen=True)
class DemoManifest:
    out_dir: Path
    files: list[DemoFile]
    customers: int
    orders: int


_README_NAME = "README-SYNTHETIC.txt"


def _columns(line: str, separator: str) -> tuple[str, ...]:
    return tuple(line.split(separator))


# Headers exactly as in the real exports (docs: /work/shared/formats.md); rows are mapped onto them by name.
_ORDER_REPORT_HEADER = _columns(
    "order-id order-item-id purchase-date payments-date buyer-email buyer-name buyer-phone-number sku product-name"
    " quantity-purchased currency item-price item-tax shipping-price shipping-tax ship-service-level recipient-name"
    " ship-address-1 ship-address-2 ship-address-3 ship-city ship-state ship-postal-code ship-country"
    " ship-phone-number delivery-start-date delivery-end-date delivery-time-zone delivery-Instructions sales-channel",
    " ",
)
_UNSHIPPED_HEADER = _columns(
    "order-id order-item-id purchase-date payments-date reporting-date promise-date days-past-promise buyer-email"
    " buyer-name buyer-phone-number sku product-name quantity-purchased quantity-shipped quantity-to-ship"
    " ship-service-level recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city ship-state"
    " ship-postal-code ship-country is-business-order purchase-order-number price-designation is-iba"
    " verge-of-cancellation verge-of-lateShipment",
    " ",
)
_ALL_ORDERS_HEADER = _columns(
    "amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel"
    " sales-channel order-channel url ship-service-level product-name sku asin item-status quantity currency"
    " item-price item-tax shipping-price shipping-tax gift-wrap-price gift-wrap-tax item-promotion-discount"
    " ship-promotion-discount ship-city ship-state ship-postal-code ship-country promotion-ids is-business-order"
    " purchase-order-number price-designation",
    " ",
)
_FBA_SHIPMENTS_HEADER = _columns(
    "amazon-order-id merchant-order-id shipment-id shipment-item-id amazon-order-item-id merchant-order-item-id"
    " purchase-date payments-date shipment-date reporting-date buyer-email buyer-name buyer-phone-number sku"
    " product-name quantity-shipped currency item-price item-tax shipping-price shipping-tax gift-wrap-price"
    " gift-wrap-tax ship-service-level recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city"
    " ship-state ship-postal-code ship-country ship-phone-number bill-address-1 bill-address-2 bill-address-3"
    " bill-city bill-state bill-postal-code bill-country item-promotion-discount ship-promotion-discount carrier"
    " tracking-number estimated-arrival-date fulfillment-center-id fulfillment-channel sales-channel",
    " ",
)
_MFN_RETURNS_HEADER = _columns(
    "Order ID,Order date,Return request date,Return request status,Amazon RMA ID,Merchant RMA ID,Label type,"
    "Label cost,Currency code,Return carrier,Tracking ID,Label to be paid by,A-to-Z Claim,Is prime,ASIN,"
    "Merchant SKU,Item Name,Return quantity,Return Reason,In policy,Return type,Resolution,Invoice number,"
    "Return delivery date,Order Amount,Order quantity,SafeT Action reason,SafeT claim id,SafeT claim state,"
    "SafeT claim creation time,SafeT claim reimbursement amount,Refunded Amount",
    ",",
)
_FBA_RETURNS_HEADER = _columns(
    "return-date order-id sku asin fnsku product-name quantity fulfillment-center-id detailed-disposition reason"
    " status license-plate-number customer-comments",
    " ",
)
_SHOPIFY_ORDERS_HEADER = _columns(
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,"
    "Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,"
    "Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
    "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,"
    "Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References",
    ",",
)
_SHOPIFY_CUSTOMERS_HEADER = _columns(
    "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,Province,Province Code,"
    "Country,Country Code,Zip,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt",
    ",",
)
# Shopify repeats only these on the second and later rows of an order; the rest stays blank there.
_SHOPIFY_LINE_COLUMNS = frozenset(
    {
        "Name",
        "Email",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Vendor",
        "Lineitem discount",
    }
)

_HISTORY = timedelta(days=548)  # 18 months
_RECENT = timedelta(days=3)
_RECENT_SHARE = 0.02
_MFN_HANDLING = timedelta(days=3)
_FBA_PICKING = timedelta(hours=6)
_RETURNING_SHARE = 0.30
_FBA_SHARE = 0.30
_CANCELLED_SHARE = 0.02
_BUSINESS_SHARE = 0.05
_RETURN_SHARE = 0.08
_SEPARATE_BILLING_SHARE = 0.15
_COMMENT_SHARE = 0.6
_PII_COMMENT_EVERY = 5
_SHOPIFY_EXTRA_SHARE = 0.25
_LEAD_DAYS = {"Standard": (3, 7), "Expedited": (2, 4)}
_PHONE_ATTEMPTS = 200
_RETURN_LABEL_USD_CENTS = 499

_ALNUM_UPPER = string.ascii_uppercase + string.digits
_ALNUM_LOWER = string.ascii_lowercase + string.digits
_ALNUM_MIXED = string.ascii_letters + string.digits


@dataclass(frozen=True)
class _Carrier:
    name: str
    tracking_pattern: str  # '#' digit, '?' letter, '*' letter or digit


@dataclass(frozen=True)
class _Marketplace:
    code: str
    country: str
    locale: str
    language: str
    currency: str
    decimals: int
    sales_channel: str
    relay_domain: str
    share: float
    order_report_encoding: str
    order_id_prefixes: tuple[str, ...]
    per_usd: float
    tax_rate: float
    tax_included: bool  # EU, UK and JP prices include VAT; US sales tax comes on top
    shipping_fee: int
    time_zone: str
    carriers: tuple[_Carrier, ...]
    fulfillment_centers: tuple[str, ...]

    def money(self, minor: int) -> str:
        return _money(minor, self.decimals)

    def tax_on(self, gross: int) -> int:
        if self.tax_included:
            return gross - round(gross / (1 + self.tax_rate))
        return round(gross * self.tax_rate)


_AMAZON_PREPAID = _Carrier("AMZN", "TBA############")
_MARKETPLACES = (
    _Marketplace(
        code="us",
        country="US",
        locale="en_US",
        language="en",
        currency="USD",
        decimals=2,
        sales_channel="Amazon.com",
        relay_domain="marketplace.amazon.com",
        share=0.4,
        order_report_encoding="utf-8",
        order_id_prefixes=("111", "112", "113", "114"),
        per_usd=1.0,
        tax_rate=0.07,
        tax_included=False,
        shipping_fee=599,
        time_zone="America/Los_Angeles",
        carriers=(_Carrier("UPS", "1Z****************"), _Carrier("USPS", "9400##################"), _AMAZON_PREPAID),
        fulfillment_centers=("PHX6", "BFI4", "ONT8", "MDW2", "CLT2"),
    ),
    _Marketplace(
        code="uk",
        country="GB",
        locale="en_GB",
        language="en",
        currency="GBP",
        decimals=2,
        sales_channel="Amazon.co.uk",
        relay_domain="marketplace.amazon.co.uk",
        share=0.2,
        order_report_encoding="utf-8",
        order_id_prefixes=("202", "203", "204", "205", "206"),
        per_usd=0.79,
        tax_rate=0.20,
        tax_included=True,
        shipping_fee=399,
        time_zone="Europe/London",
        carriers=(_Carrier("Royal Mail", "??#########GB"), _Carrier("DPD", "##############"), _AMAZON_PREPAID),
        fulfillment_centers=("LTN1", "BHX4", "EUK5", "MAN1"),
    ),
    _Marketplace(
        code="de",
        country="DE",
        locale="de_DE",
        language="de",
        currency="EUR",
        decimals=2,
        sales_channel="Amazon.de",
        relay_domain="marketplace.amazon.de",
        share=0.2,
        order_report_encoding="utf-8",
        order_id_prefixes=("302", "303", "304", "305", "306"),
        per_usd=0.92,
        tax_rate=0.19,
        tax_included=True,
        shipping_fee=399,
        time_zone="Europe/Berlin",
        carriers=(_Carrier("DHL", "00340434############"), _Carrier("Hermes", "H1000###############"), _AMAZON_PREPAID),
        fulfillment_centers=("LEJ1", "FRA3", "MUC3", "DTM2"),
    ),
    _Marketplace(
        code="fr",
        country="FR",
        locale="fr_FR",
        language="fr",
        currency="EUR",
        decimals=2,
        sales_channel="Amazon.fr",
        relay_domain="marketplace.amazon.fr",
        share=0.1,
        order_report_encoding="cp1252",
        order_id_prefixes=("402", "403", "404", "405", "407"),
        per_usd=0.92,
        tax_rate=0.20,
        tax_included=True,
        shipping_fee=449,
        time_zone="Europe/Paris",
        carriers=(_Carrier("Colissimo", "6A###########"), _Carrier("Chronopost", "XW#########FR"), _AMAZON_PREPAID),
        fulfillment_centers=("ORY1", "LIL1", "MRS1", "LYS1"),
    ),
    _Marketplace(
        code="jp",
        country="JP",
        locale="ja_JP",
        language="ja",
        currency="JPY",
        decimals=0,
        sales_channel="Amazon.co.jp",
        relay_domain="marketplace.amazon.co.jp",
        share=0.1,
        order_report_encoding="utf-16",
        order_id_prefixes=("249", "250", "503"),
        per_usd=150.0,
        tax_rate=0.10,
        tax_included=True,
        shipping_fee=350,
        time_zone="Asia/Tokyo",
        carriers=(
            _Carrier("Yamato Transport", "############"),
            _Carrier("Japan Post", "############"),
            _Carrier("Sagawa Express", "############"),
        ),
        fulfillment_centers=("NRT1", "KIX1", "HND3", "FSZ1"),
    ),
)

_LANGUAGES = ("en", "de", "fr", "ja")
# (English, German, French, Japanese) names and a price in US cents; French stays inside Windows-1252.
_PRODUCT_LINES: tuple[tuple[tuple[str, str, str, str], int], ...] = (
    (
        (
            "Stainless Steel Water Bottle 750 ml",
            "Edelstahl-Trinkflasche 750 ml",
            "Gourde en acier inoxydable 750 ml",
            "ステンレスボトル 750ml",
        ),
        1999,
    ),
    (
        (
            "Bamboo Cutting Board, Set of 3",
            "Bambus-Schneidebrett, 3er-Set",
            "Lot de 3 planches à découper en bambou",
            "竹製まな板 3枚セット",
        ),
        2499,
    ),
    (("Cotton Tote Bag", "Baumwoll-Tragetasche", "Sac cabas en coton", "コットントートバッグ"), 1299),
    (
        (
            "Ceramic Coffee Mug 350 ml",
            "Keramik-Kaffeebecher 350 ml",
            "Mug à café en céramique 350 ml",
            "陶器マグカップ 350ml",
        ),
        1499,
    ),
    (
        (
            "LED Desk Lamp with USB Port",
            "LED-Schreibtischlampe mit USB-Anschluss",
            "Lampe de bureau LED avec port USB",
            "USBポート付きLEDデスクライト",
        ),
        3499,
    ),
    (("Yoga Mat 6 mm", "Yogamatte 6 mm", "Tapis de yoga 6 mm", "ヨガマット 6mm"), 2999),
    (
        ("Wireless Phone Charger 15 W", "Kabelloses Ladegerät 15 W", "Chargeur sans fil 15 W", "ワイヤレス充電器 15W"),
        2299,
    ),
    (
        (
            "Merino Wool Socks, 3 Pairs",
            "Merinowolle-Socken, 3 Paar",
            "Chaussettes en laine mérinos, 3 paires",
            "メリノウールソックス 3足組",
        ),
        1899,
    ),
    (("Insulated Lunch Box", "Isolierte Brotdose", "Boîte à lunch isotherme", "保温ランチボックス"), 2199),
    (("Silicone Baking Mat", "Silikon-Backmatte", "Tapis de cuisson en silicone", "シリコンベーキングマット"), 1199),
    (
        (
            "Hardcover Notebook A5, Dotted",
            "Notizbuch A5, Hardcover, gepunktet",
            "Carnet A5 à couverture rigide, pointillé",
            "ハードカバーノート A5 ドット方眼",
        ),
        1399,
    ),
    (("Kitchen Blowtorch", "Küchen-Flambierbrenner", "Chalumeau à crème brûlée", "クッキングバーナー"), 2699),
)
_COLOURS: tuple[tuple[str, str, str, str], ...] = (
    ("Black", "Schwarz", "Noir", "ブラック"),
    ("White", "Weiß", "Blanc", "ホワイト"),
    ("Sage Green", "Salbeigrün", "Vert sauge", "セージグリーン"),
    ("Navy", "Marineblau", "Bleu marine", "ネイビー"),
)

_DELIVERY_NOTES = {
    "en": ("Leave at the front door.", "Please leave with a neighbour.", "Ring the bell twice."),
    "de": ("Bitte beim Nachbarn abgeben.", "Bitte vor die Haustür legen.", "Zweimal klingeln."),
    "fr": ("Laisser devant la porte.", "Merci de sonner deux fois.", "Déposer chez le gardien."),
    "ja": ("置き配を希望します。", "宅配ボックスに入れてください。", "インターホンを二回押してください。"),
}
_RETURN_COMMENTS = {
    "en": ("Item arrived damaged.", "Wrong colour.", "Not as described.", "No longer needed.", "Stopped working."),
    "de": ("Artikel kam beschädigt an.", "Falsche Farbe.", "Nicht wie beschrieben.", "Wird nicht mehr benötigt."),
    "fr": ("Article arrivé endommagé.", "Mauvaise couleur.", "Non conforme à la description.", "Plus besoin."),
    "ja": ("商品が破損していました。", "色が違いました。", "説明と違いました。", "不要になりました。"),
}
# What buyers really type into a free-text box, and what a PII scanner must catch.
_RETURN_COMMENTS_WITH_EMAIL = {
    "en": "Please contact me at {} about the refund.",
    "de": "Bitte melden Sie sich wegen der Erstattung unter {}.",
    "fr": "Merci de me contacter à {} pour le remboursement.",
    "ja": "返金について {} までご連絡ください。",
}
_RETURN_COMMENTS_WITH_PHONE = {
    "en": "Call me on {} if the courier cannot find the house.",
    "de": "Rückfragen gerne telefonisch unter {}.",
    "fr": "Vous pouvez m'appeler au {} si besoin.",
    "ja": "集荷の際は {} までお電話ください。",
}
_RETURN_REASONS = (
    "UNWANTED_ITEM",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "ORDERED_WRONG_ITEM",
    "DAMAGED_BY_CARRIER",
    "QUALITY_UNACCEPTABLE",
)
_DISPOSITIONS = {
    "SELLABLE": "Unit returned to inventory",
    "CUSTOMER_DAMAGED": "Unit returned to inventory",
    "DEFECTIVE": "Unit returned to inventory",
    "CARRIER_DAMAGED": "Reimbursed",
}


@dataclass(frozen=True)
class _Product:
    sku: str
    asin: str
    fnsku: str
    names: tuple[str, ...]  # in _LANGUAGES order
    usd_cents: int

    def name(self, language: str) -> str:
        return self.names[_LANGUAGES.index(language)]


@dataclass(frozen=True)
class _Address:
    line1: str
    line2: str
    city: str
    state: str  # state, county or prefecture as the buyer typed it; often empty in Europe
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class _Person:
    first_name: str
    last_name: str
    name: str
    email: str
    phone: str
    ship_to: _Address
    bill_to: _Address


@dataclass(frozen=True)
class _Line:
    item_id: str
    product: _Product
    quantity: int
    price: int  # minor units for the whole line, as Amazon's item-price
    tax: int
    shipping: int
    shipping_tax: int


@dataclass(frozen=True)
class _Shipment:
    shipment_id: str
    shipped: datetime
    reported: datetime
    carrier: str
    tracking: str
    fulfillment_center: str
    arrives: datetime


@dataclass(frozen=True)
class _Return:
    line: _Line
    reason: str
    requested: datetime
    received: datetime | None  # None while the parcel is still on its way back
    rma_id: str
    carrier: str
    tracking: str
    label_cost: int
    disposition: str
    license_plate: str
    comment: str


@dataclass(frozen=True)
class _AmazonOrder:
    marketplace: _Marketplace
    order_id: str
    buyer: _Person
    fba: bool
    status: str
    purchased: datetime
    paid: datetime | None
    last_updated: datetime
    service_level: str
    delivery_start: datetime
    delivery_end: datetime
    delivery_note: str
    business: bool
    purchase_order: str
    lines: tuple[_Line, ...]
    shipment: _Shipment | None
    returned: _Return | None


def generate_demo_shop(*, out_dir: Path, orders: int = 5000, seed: int = 7, now: datetime) -> DemoManifest:
    """Write a synthetic shop's Amazon and Shopify exports to out_dir.

    `orders` Amazon orders are spread over the five marketplaces; the seller's own Shopify shop adds a quarter
    as many again. The manifest counts both channels' orders and every distinct invented buyer."""
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC).replace(microsecond=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = _build_catalog(_seeded_random(seed, "catalog"))
    shopify_count = round(orders * _SHOPIFY_EXTRA_SHARE)
    with ExitStack() as stack:
        amazon = _AmazonReports(stack, out_dir)
        amazon_buyers = _write_amazon(amazon, orders=orders, seed=seed, now=now, catalog=catalog)
        shopify = _ShopifyReports(stack, out_dir)
        shopify_buyers = _write_shopify(shopify, orders=shopify_count, seed=seed, now=now, catalog=catalog)
        files = amazon.described() + shopify.described()
    _write_readme(out_dir, files, seed=seed, now=now, amazon_orders=orders, shopify_orders=shopify_count)
    return DemoManifest(
        out_dir=out_dir,
        files=files,
        customers=amazon_buyers + shopify_buyers,
        orders=orders + shopify_count,
    )


# --- randomness --------------------------------------------------------------------------------------------------


def _derived_seed(seed: int, stream: str) -> int:
    """Each stream gets its own seed, so more orders in one marketplace do not reshuffle another or the catalog."""
    digest = hashlib.sha256(f"tutela-demo-shop:{seed}:{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _seeded_random(seed: int, stream: str) -> random.Random:
    return random.Random(_derived_seed(seed, stream))  # noqa: S311 - synthetic data, not secrets


def _seeded_faker(locale: str, seed: int, stream: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(_derived_seed(seed, f"faker:{stream}"))
    return fake


def _random_text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def _fill_pattern(rng: random.Random, pattern: str) -> str:
    """'#' becomes a digit, '?' an upper-case letter, '*' either; everything else stays."""
    alphabets = {"#": string.digits, "?": string.ascii_uppercase, "*": _ALNUM_UPPER}
    return "".join(rng.choice(alphabets[ch]) if ch in alphabets else ch for ch in pattern)


def _weighted(rng: random.Random, choices: Sequence[int], weights: Sequence[int]) -> int:
    return rng.choices(choices, weights=weights)[0]


def _split_by_share(total: int, shares: Sequence[float]) -> list[int]:
    """Largest-remainder split, so the parts always add up to total."""
    exact = [total * share for share in shares]
    counts = [int(part) for part in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _purchase_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """Spread over 18 months, plus a guaranteed few in the last days: even a tiny demo needs unshipped orders."""
    recent = min(count, max(1, round(count * _RECENT_SHARE)))
    windows = [_RECENT] * recent + [_HISTORY] * (count - recent)
    ages = (timedelta(seconds=1 + int(rng.random() * window.total_seconds())) for window in windows)
    return sorted(now - age for age in ages)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=int(rng.random() * (end - start).total_seconds()))


# --- formatting --------------------------------------------------------------------------------------------------


def _money(minor: int, decimals: int) -> str:
    if decimals == 0:
        return str(minor)
    units, cents = divmod(minor, 100)
    return f"{units}.{cents:02d}"


def _amazon_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _amazon_date(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).date().isoformat()


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _shop_time(moment: datetime | None) -> str:
    """Shopify writes the shop's local time (Europe/Berlin). The EU summer-time rule is fixed, so it is computed
    here instead of relying on a time-zone database that Windows machines may lack."""
    if moment is None:
        return ""
    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    local = moment.astimezone(timezone(timedelta(hours=2 if summer else 1)))
    return local.strftime("%Y-%m-%d %H:%M:%S %z")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _true_false(flag: bool) -> str:
    return "true" if flag else "false"


def _cp1252_text(text: str) -> str:
    """Keeps a value encodable as Windows-1252: letters it lacks lose their accents, anything else becomes '?'."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(_cp1252_char(ch) for ch in text)
    return text


def _cp1252_char(ch: str) -> str:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        return bare.encode("cp1252", errors="replace").decode("cp1252")
    return ch


def _cp1252_address(address: _Address) -> _Address:
    return replace(
        address,
        line1=_cp1252_text(address.line1),
        line2=_cp1252_text(address.line2),
        city=_cp1252_text(address.city),
        state=_cp1252_text(address.state),
    )


def _cp1252_person(person: _Person) -> _Person:
    return replace(
        person,
        first_name=_cp1252_text(person.first_name),
        last_name=_cp1252_text(person.last_name),
        name=_cp1252_text(person.name),
        ship_to=_cp1252_address(person.ship_to),
        bill_to=_cp1252_address(person.bill_to),
    )


# --- catalog and people -------------------------------------------------------------------------------------------


def _build_catalog(rng: random.Random) -> tuple[_Product, ...]:
    products: list[_Product] = []
    skus: set[str] = set()
    for names, usd_cents in _PRODUCT_LINES:
        for colours in _COLOURS:
            sku = _fill_pattern(rng, "SKU-#####")
            while sku in skus:
                sku = _fill_pattern(rng, "SKU-#####")
            skus.add(sku)
            labels = tuple(
                f"{name} {colour}" if language == "ja" else f"{name} - {colour}"
                for language, name, colour in zip(_LANGUAGES, names, colours, strict=True)
            )
            products.append(
                _Product(
                    sku=sku,
                    asin="B0" + _random_text(rng, _ALNUM_UPPER, 8),
                    fnsku="X00" + _random_text(rng, _ALNUM_UPPER, 7),
                    names=labels,
                    usd_cents=usd_cents,
                )
            )
    return tuple(products)


def _local_price(usd_cents: int, per_usd: float, decimals: int) -> int:
    """Converted, then rounded to the charm prices shops use: 19.99, 2980 yen."""
    if decimals == 0:
        return max(100, round(usd_cents * per_usd / 10_000) * 100) - 20
    return max(1, round(usd_cents * per_usd / 100)) * 100 - 1


def _phone_number(rng: random.Random, region: str, number_format: int) -> str:
    """A number phonenumbers accepts for region, drawn digit by digit until valid.

    The example number's leading digit is kept because it decides mobile or landline in most plans; North
    American area codes start with any digit from 2 to 9, so there it is drawn too."""
    wanted = phonenumbers.PhoneNumberType.MOBILE if rng.random() < 0.7 else phonenumbers.PhoneNumberType.FIXED_LINE
    example = phonenumbers.example_number_for_type(region, wanted)
    assert example is not None
    digits = phonenumbers.national_significant_number(example)
    for _ in range(_PHONE_ATTEMPTS):
        leading = rng.choice("23456789") if example.country_code == 1 else digits[0]
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code,
            national_number=int(leading + _random_text(rng, string.digits, len(digits) - 1)),
        )
        if phonenumbers.is_valid_number_for_region(candidate, region):
            return phonenumbers.format_number(candidate, number_format)
    return phonenumbers.format_number(example, number_format)  # the example is valid by definition


def _us_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    state = fake.state_abbr(include_territories=False, include_freely_associated_states=False)
    line2 = fake.secondary_address() if rng.random() < 0.25 else ""
    return _Address(fake.street_address(), line2, fake.city(), state, fake.zipcode_in_state(state), country)


def _gb_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    # en_GB street addresses are sometimes two lines ("Flat 3\nHigh Street"); reports keep them in two columns
    first, _, rest = fake.street_address().partition("\n")
    county = fake.administrative_unit() if rng.random() < 0.5 else ""
    return _Address(first, rest.replace("\n", ", "), fake.city(), county, fake.postcode(), country)


def _german_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    state = fake.administrative_unit() if rng.random() < 0.2 else ""
    return _Address(fake.street_address(), "", fake.city(), state, fake.postcode(), country)


def _french_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    state = fake.region() if rng.random() < 0.2 else ""
    return _Address(fake.street_address(), "", fake.city(), state, fake.postcode(), country)


def _dutch_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    postcode = fake.postcode().replace(" ", "")  # Faker sometimes drops the space in "1234 AB"
    return _Address(fake.street_address(), "", fake.city(), "", f"{postcode[:4]} {postcode[4:]}", country)


def _japanese_address(fake: Faker, rng: random.Random, country: str) -> _Address:
    line1 = f"{fake.town()}{fake.chome()}{fake.ban()}{fake.gou()}"
    line2 = f"{fake.building_name()}{fake.building_number()}" if rng.random() < 0.5 else ""
    return _Address(line1, line2, fake.city(), fake.prefecture(), fake.zipcode(), country)


_ADDRESS_BUILDERS: dict[str, Callable[[Faker, random.Random, str], _Address]] = {
    "en_US": _us_address,
    "en_GB": _gb_address,
    "de_DE": _german_address,
    "de_AT": _german_address,
    "fr_FR": _french_address,
    "nl_NL": _dutch_address,
    "ja_JP": _japanese_address,
}


def _new_person(fake: Faker, rng: random.Random, *, locale: str, country: str, email: str, phone: str) -> _Person:
    first, last = fake.first_name(), fake.last_name()
    build_address = _ADDRESS_BUILDERS[locale]
    ship_to = build_address(fake, rng, country)
    bill_to = build_address(fake, rng, country) if rng.random() < _SEPARATE_BILLING_SHARE else ship_to
    name = f"{last} {first}" if locale == "ja_JP" else f"{first} {last}"  # Japanese names put the family name first
    return _Person(first, last, name, email, phone, ship_to, bill_to)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch in _ALNUM_LOWER)


def _personal_email(fake: Faker, rng: random.Random, first: str, last: str) -> str:
    first_slug, last_slug = _ascii_slug(first) or "kunde", _ascii_slug(last) or "mail"
    local = rng.choice(
        (
            f"{first_slug}.{last_slug}",
            f"{first_slug[0]}.{last_slug}",
            f"{first_slug}{last_slug}{rng.randint(1, 99)}",
            f"{last_slug}.{first_slug}",
        )
    )
    return f"{local}@{fake.free_email_domain()}"


class _AmazonBuyers:
    """One marketplace's buyers; about 30% of orders come from someone who bought there before."""

    def __init__(self, marketplace: _Marketplace, fake: Faker, rng: random.Random, taken_emails: set[str]) -> None:
        self._marketplace = marketplace
        self._fake = fake
        self._rng = rng
        self._taken_emails = taken_emails
        self._known: list[_Person] = []

    @property
    def distinct(self) -> int:
        return len(self._known)

    def next_buyer(self) -> _Person:
        if self._known and self._rng.random() < _RETURNING_SHARE:
            return self._rng.choice(self._known)
        buyer = self._new_buyer()
        self._known.append(buyer)
        return buyer

    def _new_buyer(self) -> _Person:
        marketplace, rng = self._marketplace, self._rng
        number_format = (
            phonenumbers.PhoneNumberFormat.INTERNATIONAL
            if rng.random() < 0.5
            else phonenumbers.PhoneNumberFormat.NATIONAL
        )
        buyer = _new_person(
            self._fake,
            rng,
            locale=marketplace.locale,
            country=marketplace.country,
            email=self._relay_email(),
            phone=_phone_number(rng, marketplace.country, number_format),
        )
        return _cp1252_person(buyer) if marketplace.order_report_encoding == "cp1252" else buyer

    def _relay_email(self) -> str:
        while True:
            email = f"{_random_text(self._rng, _ALNUM_LOWER, 16)}@{self._marketplace.relay_domain}"
            if email not in self._taken_emails:
                self._taken_emails.add(email)
                return email


class _ReturnComments:
    """Free text for FBA returns. Every fifth comment carries an e-mail address or phone number, so a scanner has
    something to find even in a small demo."""

    def __init__(self) -> None:
        self._written = 0

    def comment(self, rng: random.Random, fake: Faker, language: str, buyer: _Person) -> str:
        if rng.random() >= _COMMENT_SHARE:
            return ""
        self._written += 1
        if self._written % _PII_COMMENT_EVERY != 1:
            return rng.choice(_RETURN_COMMENTS[language])
        if rng.random() < 0.5:
            email = _personal_email(fake, rng, buyer.first_name, buyer.last_name)
            return _RETURN_COMMENTS_WITH_EMAIL[language].format(email)
        return _RETURN_COMMENTS_WITH_PHONE[language].format(buyer.phone)


# --- Amazon ------------------------------------------------------------------------------------------------------


def _amazon_status(rng: random.Random, *, fba: bool, age: timedelta) -> str:
    if rng.random() < _CANCELLED_SHARE:
        return "Cancelled"
    if fba:
        return "Pending" if age < _FBA_PICKING else "Shipped"
    if age >= _MFN_HANDLING:
        return "Shipped"
    return "Pending" if age < timedelta(hours=12) and rng.random() < 0.2 else "Unshipped"


class _MarketplaceOrders:
    """Invents one marketplace's orders oldest first, so a returning buyer's earlier order really is earlier."""

    def __init__(
        self,
        marketplace: _Marketplace,
        *,
        seed: int,
        now: datetime,
        catalog: tuple[_Product, ...],
        order_ids: set[str],
        relay_emails: set[str],
        comments: _ReturnComments,
    ) -> None:
        self._marketplace = marketplace
        self._rng = _seeded_random(seed, f"amazon:{marketplace.code}")
        self._fake = _seeded_faker(marketplace.locale, seed, f"amazon:{marketplace.code}")
        self._now = now
        self._catalog = catalog
        self._order_ids = order_ids
        self._comments = comments
        self._prices = {p.sku: _local_price(p.usd_cents, marketplace.per_usd, marketplace.decimals) for p in catalog}
        self.buyers = _AmazonBuyers(marketplace, self._fake, self._rng, relay_emails)

    def orders(self, count: int) -> Iterator[_AmazonOrder]:
        for purchased in _purchase_times(self._rng, count, self._now):
            yield self._order(purchased)

    def _order(self, purchased: datetime) -> _AmazonOrder:
        rng, now = self._rng, self._now
        fba = rng.random() < _FBA_SHARE
        status = _amazon_status(rng, fba=fba, age=now - purchased)
        service_level = "Expedited" if rng.random() < 0.2 else "Standard"
        fastest, slowest = _LEAD_DAYS[service_level]
        delivery_start, delivery_end = purchased + timedelta(days=fastest), purchased + timedelta(days=slowest)
        paid = None if status == "Pending" else min(now, purchased + timedelta(seconds=rng.randint(20, 1800)))
        shipment = self._shipment(purchased, delivery_start, delivery_end, fba=fba) if status == "Shipped" else None
        lines = self._lines(free_shipping=fba or rng.random() < 0.4)
        business = rng.random() < _BUSINESS_SHARE
        buyer = self.buyers.next_buyer()
        return _AmazonOrder(
            marketplace=self._marketplace,
            order_id=self._order_id(),
            buyer=buyer,
            fba=fba,
            status=status,
            purchased=purchased,
            paid=paid,
            last_updated=self._last_updated(status, purchased, paid, shipment),
            service_level=service_level,
            delivery_start=delivery_start,
            delivery_end=delivery_end,
            delivery_note=rng.choice(_DELIVERY_NOTES[self._marketplace.language]) if rng.random() < 0.05 else "",
            business=business,
            purchase_order=_fill_pattern(rng, "PO-######") if business and rng.random() < 0.5 else "",
            lines=lines,
            shipment=shipment,
            returned=self._return(lines, shipment, buyer, fba=fba)
            if shipment and rng.random() < _RETURN_SHARE
            else None,
        )

    def _order_id(self) -> str:
        while True:
            prefix = self._rng.choice(self._marketplace.order_id_prefixes)
            order_id = _fill_pattern(self._rng, f"{prefix}-#######-#######")
            if order_id not in self._order_ids:
                self._order_ids.add(order_id)
                return order_id

    def _last_updated(
        self, status: str, purchased: datetime, paid: datetime | None, shipment: _Shipment | None
    ) -> datetime:
        if shipment is not None:
            return shipment.arrives if shipment.arrives <= self._now else shipment.shipped
        if status == "Cancelled":
            return _between(self._rng, purchased, min(self._now, purchased + timedelta(days=1)))
        return paid or purchased

    def _lines(self, *, free_shipping: bool) -> tuple[_Line, ...]:
        rng, marketplace = self._rng, self._marketplace
        products = rng.sample(self._catalog, k=_weighted(rng, (1, 2, 3), (75, 20, 5)))
        lines = []
        for position, product in enumerate(products):
            quantity = _weighted(rng, (1, 2, 3), (80, 15, 5))
            price = self._prices[product.sku] * quantity
            shipping = 0 if free_shipping or position > 0 else marketplace.shipping_fee
            lines.append(
                _Line(
                    item_id=_fill_pattern(rng, "##############"),
                    product=product,
                    quantity=quantity,
                    price=price,
                    tax=marketplace.tax_on(price),
                    shipping=shipping,
                    shipping_tax=marketplace.tax_on(shipping),
                )
            )
        return tuple(lines)

    def _shipment(self, purchased: datetime, earliest: datetime, latest: datetime, *, fba: bool) -> _Shipment:
        rng, now = self._rng, self._now
        handling = timedelta(days=1) if fba else _MFN_HANDLING
        shipped = _between(rng, purchased + timedelta(minutes=30), min(now, purchased + handling))
        carrier = rng.choice(self._marketplace.carriers)
        return _Shipment(
            shipment_id="D" + _random_text(rng, _ALNUM_MIXED, 8),
            shipped=shipped,
            reported=min(now, shipped + timedelta(minutes=rng.randint(10, 480))),
            carrier=carrier.name,
            tracking=_fill_pattern(rng, carrier.tracking_pattern),
            fulfillment_center=rng.choice(self._marketplace.fulfillment_centers),
            arrives=_between(
                rng, max(earliest, shipped + timedelta(hours=12)), max(latest, shipped + timedelta(days=1))
            ),
        )

    def _return(self, lines: tuple[_Line, ...], shipment: _Shipment, buyer: _Person, *, fba: bool) -> _Return | None:
        rng, now = self._rng, self._now
        if shipment.arrives + timedelta(days=1) > now:
            return None
        requested = _between(rng, shipment.arrives + timedelta(days=1), min(now, shipment.arrives + timedelta(days=30)))
        received = requested + timedelta(days=rng.randint(3, 10), seconds=rng.randint(0, 86_399))
        if fba and received > now:
            return None  # the FBA report lists a return only once the unit is back at the warehouse
        carrier = rng.choice(self._marketplace.carriers)
        return _Return(
            line=rng.choice(lines),
            reason=rng.choice(_RETURN_REASONS),
            requested=requested,
            received=received if received <= now else None,
            rma_id="D" + _random_text(rng, _ALNUM_MIXED, 9) + "RMA",
            carrier=carrier.name,
            tracking=_fill_pattern(rng, carrier.tracking_pattern),
            label_cost=_local_price(_RETURN_LABEL_USD_CENTS, self._marketplace.per_usd, self._marketplace.decimals),
            disposition=rng.choice(tuple(_DISPOSITIONS)),
            license_plate="LPN" + _random_text(rng, _ALNUM_UPPER, 10),
            comment=self._comments.comment(rng, self._fake, self._marketplace.language, buyer) if fba else "",
        )


def _address_columns(prefix: str, address: _Address) -> dict[str, str]:
    return {
        f"{prefix}-address-1": address.line1,
        f"{prefix}-address-2": address.line2,
        f"{prefix}-address-3": "",
        **_location_columns(prefix, address),
    }


def _location_columns(prefix: str, address: _Address) -> dict[str, str]:
    return {
        f"{prefix}-city": address.city,
        f"{prefix}-state": address.state,
        f"{prefix}-postal-code": address.postal_code,
        f"{prefix}-country": address.country,
    }


def _price_columns(marketplace: _Marketplace, line: _Line) -> dict[str, str]:
    return {
        "currency": marketplace.currency,
        "item-price": marketplace.money(line.price),
        "item-tax": marketplace.money(line.tax),
        "shipping-price": marketplace.money(line.shipping),
        "shipping-tax": marketplace.money(line.shipping_tax),
    }


def _business_columns(order: _AmazonOrder) -> dict[str, str]:
    return {
        "is-business-order": _true_false(order.business),
        "purchase-order-number": order.purchase_order,
        "price-designation": "BusinessPrice" if order.business else "",
    }


def _order_report_row(order: _AmazonOrder, line: _Line) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "order-id": order.order_id,
        "order-item-id": line.item_id,
        "purchase-date": _amazon_time(order.purchased),
        "payments-date": _amazon_time(order.paid),
        "buyer-email": buyer.email,
        "buyer-name": buyer.name,
        "buyer-phone-number": buyer.phone,
        "sku": line.product.sku,
        "product-name": line.product.name(marketplace.language),
        "quantity-purchased": str(line.quantity),
        **_price_columns(marketplace, line),
        "ship-service-level": order.service_level,
        "recipient-name": buyer.name,
        **_address_columns("ship", buyer.ship_to),
        "ship-phone-number": buyer.phone,
        "delivery-start-date": _amazon_time(order.delivery_start),
        "delivery-end-date": _amazon_time(order.delivery_end),
        "delivery-time-zone": marketplace.time_zone,
        "delivery-Instructions": order.delivery_note,
        "sales-channel": marketplace.sales_channel,
    }


def _unshipped_row(order: _AmazonOrder, line: _Line, now: datetime) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "order-id": order.order_id,
        "order-item-id": line.item_id,
        "purchase-date": _amazon_time(order.purchased),
        "payments-date": _amazon_time(order.paid),
        "reporting-date": _amazon_time(now),
        "promise-date": _amazon_time(order.delivery_end),
        "days-past-promise": str((now - order.delivery_end).days),
        "buyer-email": buyer.email,
        "buyer-name": buyer.name,
        "buyer-phone-number": buyer.phone,
        "sku": line.product.sku,
        "product-name": line.product.name(marketplace.language),
        "quantity-purchased": str(line.quantity),
        "quantity-shipped": "0",
        "quantity-to-ship": str(line.quantity),
        "ship-service-level": order.service_level,
        "recipient-name": buyer.name,
        **_address_columns("ship", buyer.ship_to),
        **_business_columns(order),
        "is-iba": "false",
        "verge-of-cancellation": "false",
        "verge-of-lateShipment": _true_false(now - order.purchased > timedelta(days=2)),
    }


def _all_orders_row(order: _AmazonOrder, line: _Line) -> dict[str, str]:
    marketplace = order.marketplace
    priced = order.status not in {"Pending", "Cancelled"}  # Amazon fills prices in once the payment is through
    item_status = {"Shipped": "Shipped", "Cancelled": "Cancelled"}.get(order.status, "Unshipped")
    row = {
        "amazon-order-id": order.order_id,
        "purchase-date": _amazon_time(order.purchased),
        "last-updated-date": _amazon_time(order.last_updated),
        "order-status": order.status,
        "fulfillment-channel": "Amazon" if order.fba else "Merchant",
        "sales-channel": marketplace.sales_channel,
        "ship-service-level": order.service_level,
        "product-name": line.product.name(marketplace.language),
        "sku": line.product.sku,
        "asin": line.product.asin,
        "item-status": item_status,
        "quantity": "0" if order.status == "Cancelled" else str(line.quantity),
        **(_price_columns(marketplace, line) if priced else {}),
        **_business_columns(order),
    }
    if order.status != "Cancelled":
        row.update(_location_columns("ship", order.buyer.ship_to))
    return row


def _fba_shipment_row(order: _AmazonOrder, line: _Line, shipment: _Shipment) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "amazon-order-id": order.order_id,
        "shipment-id": shipment.shipment_id,
        "shipment-item-id": "D" + line.item_id[-9:],
        "amazon-order-item-id": line.item_id,
        "purchase-date": _amazon_time(order.purchased),
        "payments-date": _amazon_time(order.paid),
        "shipment-date": _amazon_time(shipment.shipped),
        "reporting-date": _amazon_time(shipment.reported),
        "buyer-email": buyer.email,
        "buyer-name": buyer.name,
        "buyer-phone-number": "",  # Amazon does not provide it for FBA orders
        "sku": line.product.sku,
        "product-name": line.product.name(marketplace.language),
        "quantity-shipped": str(line.quantity),
        **_price_columns(marketplace, line),
        "gift-wrap-price": marketplace.money(0),
        "gift-wrap-tax": marketplace.money(0),
        "ship-service-level": order.service_level,
        "recipient-name": buyer.name,
        **_address_columns("ship", buyer.ship_to),
        "ship-phone-number": buyer.phone,
        **_address_columns("bill", buyer.bill_to),
        "item-promotion-discount": marketplace.money(0),
        "ship-promotion-discount": marketplace.money(0),
        "carrier": shipment.carrier,
        "tracking-number": shipment.tracking,
        "estimated-arrival-date": _amazon_time(order.delivery_end),
        "fulfillment-center-id": shipment.fulfillment_center,
        "fulfillment-channel": "AFN",
        "sales-channel": marketplace.sales_channel,
    }


def _mfn_return_row(order: _AmazonOrder, returned: _Return) -> dict[str, str]:
    marketplace, line = order.marketplace, returned.line
    return {
        "Order ID": order.order_id,
        "Order date": _amazon_date(order.purchased),
        "Return request date": _amazon_date(returned.requested),
        "Return request status": "Closed" if returned.received else "Approved",
        "Amazon RMA ID": returned.rma_id,
        "Label type": "AmazonPrePaidLabel",
        "Label cost": marketplace.money(returned.label_cost),
        "Currency code": marketplace.currency,
        "Return carrier": returned.carrier,
        "Tracking ID": returned.tracking,
        "Label to be paid by": "Customer" if returned.reason in {"UNWANTED_ITEM", "ORDERED_WRONG_ITEM"} else "Seller",
        "A-to-Z Claim": "N",
        "Is prime": "N",
        "ASIN": line.product.asin,
        "Merchant SKU": line.product.sku,
        "Item Name": line.product.name(marketplace.language),
        "Return quantity": str(line.quantity),
        "Return Reason": f"CR-{returned.reason}",
        "In policy": "Y",
        "Return type": "C-Returns",
        "Resolution": "StandardRefund",
        "Return delivery date": _amazon_date(returned.received),
        "Order Amount": marketplace.money(sum(item.price for item in order.lines)),
        "Order quantity": str(sum(item.quantity for item in order.lines)),
        "Refunded Amount": marketplace.money(line.price) if returned.received else "",
    }


def _fba_return_row(order: _AmazonOrder, returned: _Return, received: datetime) -> dict[str, str]:
    line = returned.line
    return {
        "return-date": _amazon_time(received),
        "order-id": order.order_id,
        "sku": line.product.sku,
        "asin": line.product.asin,
        "fnsku": line.product.fnsku,
        "product-name": line.product.name(order.marketplace.language),
        "quantity": str(line.quantity),
        "fulfillment-center-id": order.shipment.fulfillment_center if order.shipment else "",
        "detailed-disposition": returned.disposition,
        "reason": returned.reason,
        "status": _DISPOSITIONS[returned.disposition],
        "license-plate-number": returned.license_plate,
        "customer-comments": returned.comment,
    }


# --- writing -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FileSpec:
    name: str
    kind: str
    encoding: str
    header: tuple[str, ...]
    delimiter: str
    line_end: str


def _amazon_spec(name: str, kind: str, header: tuple[str, ...], encoding: str = "utf-8") -> _FileSpec:
    return _FileSpec(name, kind, encoding, header, delimiter="\t", line_end="\r\n")


def _open_text(path: Path, encoding: str) -> TextIO:
    if encoding == "utf-16":
        # a fixed little-endian BOM, as Amazon JP sends, so the bytes do not depend on the machine's byte order
        handle = path.open("w", encoding="utf-16-le", newline="")
        handle.write("\ufeff")
        return handle
    return path.open("w", encoding=encoding, newline="")


class _TableWriter:
    """One export file: header first, then rows as they are invented, so memory stays flat."""

    def __init__(self, stack: ExitStack, out_dir: Path, spec: _FileSpec) -> None:
        self._spec = spec
        handle = stack.enter_context(_open_text(out_dir / spec.name, spec.encoding))
        tab_separated = spec.delimiter == "\t"
        # Amazon's flat files are never quoted: a stray tab or newline must fail loudly rather than shift columns
        self._writer = csv.DictWriter(
            handle,
            fieldnames=spec.header,
            restval="",
            extrasaction="raise",
            delimiter=spec.delimiter,
            lineterminator=spec.line_end,
            quoting=csv.QUOTE_NONE if tab_separated else csv.QUOTE_MINIMAL,
            quotechar=None if tab_separated else '"',
        )
        self._writer.writeheader()
        self.rows = 0

    def write(self, row: Mapping[str, str]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def described(self) -> DemoFile:
        return DemoFile(name=self._spec.name, kind=self._spec.kind, encoding=self._spec.encoding, rows=self.rows)


class _AmazonReports:
    def __init__(self, stack: ExitStack, out_dir: Path) -> None:
        self._order_reports = {
            marketplace.code: _TableWriter(
                stack,
                out_dir,
                _amazon_spec(
                    f"SYNTHETIC-amazon-order-report-{marketplace.code}.txt",
                    "amazon_order_report",
                    _ORDER_REPORT_HEADER,
                    marketplace.order_report_encoding,
                ),
            )
            for marketplace in _MARKETPLACES
        }

        def table(name: str, kind: str, header: tuple[str, ...]) -> _TableWriter:
            return _TableWriter(stack, out_dir, _amazon_spec(name, kind, header))

        self._unshipped = table("SYNTHETIC-amazon-unshipped-orders.txt", "amazon_unshipped_orders", _UNSHIPPED_HEADER)
        self._all_orders = table("SYNTHETIC-amazon-all-orders.txt", "amazon_all_orders", _ALL_ORDERS_HEADER)
        self._fba_shipments = table("SYNTHETIC-amazon-fba-shipments.txt", "amazon_fba_shipments", _FBA_SHIPMENTS_HEADER)
        self._mfn_returns = table("SYNTHETIC-amazon-mfn-returns.txt", "amazon_mfn_returns", _MFN_RETURNS_HEADER)
        self._fba_returns = table("SYNTHETIC-amazon-fba-returns.txt", "amazon_fba_returns", _FBA_RETURNS_HEADER)

    def record(self, order: _AmazonOrder, now: datetime) -> None:
        for line in order.lines:
            self._all_orders.write(_all_orders_row(order, line))
            if order.fba and order.shipment is not None:
                self._fba_shipments.write(_fba_shipment_row(order, line, order.shipment))
            elif not order.fba and order.status == "Shipped":
                self._order_reports[order.marketplace.code].write(_order_report_row(order, line))
            elif not order.fba and order.status == "Unshipped":
                self._unshipped.write(_unshipped_row(order, line, now))
        returned = order.returned
        if returned is None:
            return
        if not order.fba:
            self._mfn_returns.write(_mfn_return_row(order, returned))
        elif returned.received is not None:
            self._fba_returns.write(_fba_return_row(order, returned, returned.received))

    def described(self) -> list[DemoFile]:
        tables = [*self._order_reports.values(), self._unshipped, self._all_orders, self._fba_shipments]
        return [table.described() for table in [*tables, self._mfn_returns, self._fba_returns]]


def _write_amazon(
    reports: _AmazonReports, *, orders: int, seed: int, now: datetime, catalog: tuple[_Product, ...]
) -> int:
    order_ids: set[str] = set()
    relay_emails: set[str] = set()
    comments = _ReturnComments()
    buyers = 0
    counts = _split_by_share(orders, [marketplace.share for marketplace in _MARKETPLACES])
    for marketplace, count in zip(_MARKETPLACES, counts, strict=True):
        invented = _MarketplaceOrders(
            marketplace,
            seed=seed,
            now=now,
            catalog=catalog,
            order_ids=order_ids,
            relay_emails=relay_emails,
            comments=comments,
        )
        for order in invented.orders(count):
            reports.record(order, now)
        buyers += invented.buyers.distinct
    return buyers


# --- Shopify -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ShopCountry:
    code: str
    name: str
    locale: str
    share: float
    vat_rate: float
    tax_name: str
    shipping_method: str


_SHOP_COUNTRIES = (
    _ShopCountry("DE", "Germany", "de_DE", 0.70, 0.19, "DE MwSt 19%", "DHL Paket"),
    _ShopCountry("AT", "Austria", "de_AT", 0.10, 0.20, "AT USt 20%", "DHL Paket International"),
    _ShopCountry("FR", "France", "fr_FR", 0.10, 0.20, "FR TVA 20%", "DHL Paket International"),
    _ShopCountry("NL", "Netherlands", "nl_NL", 0.10, 0.21, "NL BTW 21%", "DHL Paket International"),
)
_SHOP_PER_USD = 0.92
_SHOP_SHIPPING = 490
_SHOP_FREE_SHIPPING_FROM = 5000
_SHOP_ORDER_NUMBER_START = 1001
_SHOP_NOTES = ("Bitte beim Nachbarn abgeben.", "Geschenk, bitte ohne Rechnung verpacken.", "Bitte nicht knicken.")
_SHOP_PAYMENT_METHODS = ("Shopify Payments", "PayPal Express Checkout", "Klarna Pay Later")


@dataclass(frozen=True)
class _ShopCustomer:
    person: _Person
    country: _ShopCountry
    company: str
    accepts_email: bool
    accepts_sms: bool


@dataclass(frozen=True)
class _ShopLine:
    product: _Product
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class _ShopOrder:
    number: int
    order_id: int
    customer: _ShopCustomer
    created: datetime
    paid: datetime | None
    fulfilled: datetime | None
    cancelled: datetime | None
    financial_status: str
    lines: tuple[_ShopLine, ...]
    discount_code: str
    discount: int
    shipping: int
    refunded: int
    payment_method: str
    payment_reference: str
    note: str

    @property
    def subtotal(self) -> int:
        return sum(line.unit_price * line.quantity for line in self.lines) - self.discount

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping

    @property
    def taxes(self) -> int:
        rate = self.customer.country.vat_rate
        return self.total - round(self.total / (1 + rate))  # shop prices include VAT


@dataclass
class _ShopTally:
    customer: _ShopCustomer
    spent: int = 0
    orders: int = 0


class _ShopifyCustomers:
    """The shop's customers: German and other EU buyers with their own e-mail addresses; about 30% come back."""

    def __init__(self, seed: int, rng: random.Random) -> None:
        self._rng = rng
        self._fakes = {
            country.code: _seeded_faker(country.locale, seed, f"shopify:{country.code}") for country in _SHOP_COUNTRIES
        }
        self._emails: set[str] = set()
        self._known: list[_ShopCustomer] = []
        self.tallies: dict[str, _ShopTally] = {}

    def next_customer(self) -> _ShopCustomer:
        if self._known and self._rng.random() < _RETURNING_SHARE:
            return self._rng.choice(self._known)
        customer = self._new_customer()
        self._known.append(customer)
        self.tallies[customer.person.email] = _ShopTally(customer)
        return customer

    def _new_customer(self) -> _ShopCustomer:
        rng = self._rng
        country = rng.choices(_SHOP_COUNTRIES, weights=[c.share for c in _SHOP_COUNTRIES])[0]
        fake = self._fakes[country.code]
        has_phone = rng.random() < 0.6
        phone = _phone_number(rng, country.code, phonenumbers.PhoneNumberFormat.E164) if has_phone else ""
        person = _new_person(fake, rng, locale=country.locale, country=country.code, email="", phone=phone)
        return _ShopCustomer(
            person=replace(person, email=self._unique_email(fake, person)),
            country=country,
            company=fake.company() if rng.random() < 0.05 else "",
            accepts_email=rng.random() < 0.4,
            # SMS consent needs a phone number: 25% of the 60% with one is the 15% a shop typically sees
            accepts_sms=has_phone and rng.random() < 0.25,
        )

    def _unique_email(self, fake: Faker, person: _Person) -> str:
        email = _personal_email(fake, self._rng, person.first_name, person.last_name)
        suffix = 1
        while email in self._emails:
            local, _, domain = email.partition("@")
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        self._emails.add(email)
        return email


class _ShopifyOrders:
    def __init__(self, *, seed: int, now: datetime, catalog: tuple[_Product, ...]) -> None:
        self._rng = _seeded_random(seed, "shopify")
        self._now = now
        self._catalog = catalog
        self.customers = _ShopifyCustomers(seed, self._rng)
        self._next_id = 5_000_000_000_000 + self._rng.randrange(10**11)

    def orders(self, count: int) -> Iterator[_ShopOrder]:
        for index, created in enumerate(_purchase_times(self._rng, count, self._now)):
            order = self._order(_SHOP_ORDER_NUMBER_START + index, created)
            tally = self.customers.tallies[order.customer.person.email]
            tally.orders += 1
            if order.financial_status != "voided":
                tally.spent += order.total - order.refunded
            yield order

    def _order(self, number: int, created: datetime) -> _ShopOrder:
        rng, now = self._rng, self._now
        self._next_id += rng.randrange(10**6, 10**8)
        lines = tuple(
            _ShopLine(
                product, _weighted(rng, (1, 2, 3), (80, 15, 5)), _local_price(product.usd_cents, _SHOP_PER_USD, 2)
            )
            for product in rng.sample(self._catalog, k=_weighted(rng, (1, 2, 3), (70, 22, 8)))
        )
        gross = sum(line.unit_price * line.quantity for line in lines)
        discounted = rng.random() < 0.1
        discount = round(gross * 0.1) if discounted else 0
        shipping = 0 if gross - discount >= _SHOP_FREE_SHIPPING_FROM else _SHOP_SHIPPING
        cancelled = self._cancelled_at(created)
        fulfilled = None if cancelled else self._fulfilled_at(created)
        status, refunded = self._financial_state(
            gross - discount + shipping, lines[0].unit_price, cancelled=cancelled, fulfilled=fulfilled
        )
        return _ShopOrder(
            number=number,
            order_id=self._next_id,
            customer=self.customers.next_customer(),
            created=created,
            paid=min(now, created + timedelta(seconds=rng.randint(5, 120))),
            fulfilled=fulfilled,
            cancelled=cancelled,
            financial_status=status,
            lines=lines,
            discount_code="WILLKOMMEN10" if discounted else "",
            discount=discount,
            shipping=shipping,
            refunded=refunded,
            payment_method=rng.choice(_SHOP_PAYMENT_METHODS),
            payment_reference=_fill_pattern(rng, "c###########.1"),
            note=rng.choice(_SHOP_NOTES) if rng.random() < 0.05 else "",
        )

    def _cancelled_at(self, created: datetime) -> datetime | None:
        if self._rng.random() >= _CANCELLED_SHARE:
            return None
        cancelled = _between(self._rng, created, created + timedelta(days=1))
        return cancelled if cancelled <= self._now else None

    def _fulfilled_at(self, created: datetime) -> datetime | None:
        fulfilled = _between(self._rng, created + timedelta(hours=4), created + timedelta(days=3))
        return fulfilled if fulfilled <= self._now else None

    def _financial_state(
        self, total: int, one_item: int, *, cancelled: datetime | None, fulfilled: datetime | None
    ) -> tuple[str, int]:
        """Financial status and refunded amount: cancelled orders are voided, a few delivered ones refunded."""
        if cancelled is not None:
            return "voided", 0
        draw = self._rng.random()
        if fulfilled is not None and draw < 0.03:
            return "refunded", total
        if fulfilled is not None and draw < 0.05:
            return "partially_refunded", one_item
        return "paid", 0


def _shop_address_columns(prefix: str, customer: _ShopCustomer, address: _Address) -> dict[str, str]:
    person = customer.person
    street = f"{address.line1}, {address.line2}" if address.line2 else address.line1
    return {
        f"{prefix} Name": person.name,
        f"{prefix} Street": street,
        f"{prefix} Address1": address.line1,
        f"{prefix} Address2": address.line2,
        f"{prefix} Company": customer.company,
        f"{prefix} City": address.city,
        f"{prefix} Zip": address.postal_code,
        f"{prefix} Province": "",
        f"{prefix} Country": address.country,
        f"{prefix} Phone": person.phone,
    }


def _eur(minor: int) -> str:
    return _money(minor, 2)


def _shop_order_rows(order: _ShopOrder) -> Iterator[dict[str, str]]:
    customer = order.customer
    person = customer.person
    order_columns = {
        "Name": f"#{order.number}",
        "Email": person.email,
        "Financial Status": order.financial_status,
        "Paid at": _shop_time(order.paid) if order.financial_status != "voided" else "",
        "Fulfillment Status": "fulfilled" if order.fulfilled else "unfulfilled",
        "Fulfilled at": _shop_time(order.fulfilled),
        "Accepts Marketing": _yes_no(customer.accepts_email),
        "Currency": "EUR",
        "Subtotal": _eur(order.subtotal),
        "Shipping": _eur(order.shipping),
        "Taxes": _eur(order.taxes),
        "Total": _eur(order.total),
        "Discount Code": order.discount_code,
        "Discount Amount": _eur(order.discount),
        "Shipping Method": customer.country.shipping_method,
        "Created at": _shop_time(order.created),
        **_shop_address_columns("Billing", customer, person.bill_to),
        **_shop_address_columns("Shipping", customer, person.ship_to),
        "Notes": order.note,
        "Cancelled at": _shop_time(order.cancelled),
        "Payment Method": order.payment_method,
        "Payment Reference": order.payment_reference,
        "Refunded Amount": _eur(order.refunded),
        "Outstanding Balance": _eur(0),
        "Id": str(order.order_id),
        "Tags": "Stammkunde" if order.number % 7 == 0 else "",
        "Risk Level": "Low",
        "Source": "web",
        "Tax 1 Name": customer.country.tax_name,
        "Tax 1 Value": _eur(order.taxes),
        "Phone": person.phone,
        "Payment ID": order.payment_reference,
        "Payment References": order.payment_reference,
    }
    for position, line in enumerate(order.lines):
        line_columns = {
            "Lineitem quantity": str(line.quantity),
            "Lineitem name": line.product.name("de"),
            "Lineitem price": _eur(line.unit_price),
            "Lineitem sku": line.product.sku,
            "Lineitem requires shipping": "true",
            "Lineitem taxable": "true",
            "Lineitem fulfillment status": "fulfilled" if order.fulfilled else "pending",
            "Vendor": "Demo Goods",
            "Lineitem discount": _eur(0),
        }
        if position == 0:
            yield {**order_columns, **line_columns}
        else:
            yield {**{k: v for k, v in order_columns.items() if k in _SHOPIFY_LINE_COLUMNS}, **line_columns}


def _shop_customer_row(tally: _ShopTally) -> dict[str, str]:
    customer = tally.customer
    person, address = customer.person, customer.person.ship_to
    return {
        "First Name": person.first_name,
        "Last Name": person.last_name,
        "Email": person.email,
        "Accepts Email Marketing": _yes_no(customer.accepts_email),
        "Company": customer.company,
        "Address1": address.line1,
        "Address2": address.line2,
        "City": address.city,
        "Country": customer.country.name,
        "Country Code": customer.country.code,
        "Zip": address.postal_code,
        "Phone": person.phone,
        "Accepts SMS Marketing": _yes_no(customer.accepts_sms),
        "Total Spent": _money(tally.spent, 2),
        "Total Orders": str(tally.orders),
        "Tags": "Stammkunde" if tally.orders > 1 else "",
        "Tax Exempt": "no",
    }


class _ShopifyReports:
    def __init__(self, stack: ExitStack, out_dir: Path) -> None:
        def table(name: str, kind: str, header: tuple[str, ...]) -> _TableWriter:
            spec = _FileSpec(name, kind, "utf-8-sig", header, delimiter=",", line_end="\n")
            return _TableWriter(stack, out_dir, spec)

        self.orders = table("SYNTHETIC-shopify-orders.csv", "shopify_orders", _SHOPIFY_ORDERS_HEADER)
        self.customers = table("SYNTHETIC-shopify-customers.csv", "shopify_customers", _SHOPIFY_CUSTOMERS_HEADER)

    def described(self) -> list[DemoFile]:
        return [self.orders.described(), self.customers.described()]


def _write_shopify(
    reports: _ShopifyReports, *, orders: int, seed: int, now: datetime, catalog: tuple[_Product, ...]
) -> int:
    shop = _ShopifyOrders(seed=seed, now=now, catalog=catalog)
    for order in shop.orders(orders):
        for row in _shop_order_rows(order):
            reports.orders.write(row)
    for tally in shop.customers.tallies.values():
        reports.customers.write(_shop_customer_row(tally))
    return len(shop.customers.tallies)


# --- README ------------------------------------------------------------------------------------------------------


def _write_readme(
    out_dir: Path, files: list[DemoFile], *, seed: int, now: datetime, amazon_orders: int, shopify_orders: int
) -> None:
    listing = "\n".join(f"  {f.name}  kind={f.kind}  encoding={f.encoding}  rows={f.rows}" for f in files)
    text = f"""SYNTHETIC DEMO DATA - NO REAL CUSTOMERS

Every file in this directory was generated by tutela.services.demo_shop to test and demonstrate Tutela.
Every name, address, phone number and e-mail address in these files is invented by Faker (phone numbers
are drawn from ranges the phonenumbers library accepts as valid); none of them belongs to a real person,
and any resemblance to one is coincidence. Amazon buyer e-mails imitate Amazon's relay addresses
(@marketplace.amazon.*). Order ids, tracking numbers, SKUs, ASINs and amounts are random as well.

seed: {seed}
now: {_amazon_time(now)}
amazon orders: {amazon_orders}
shopify orders: {shopify_orders}

files:
{listing}
"""
    (out_dir / _README_NAME).write_text(text, encoding="utf-8", newline="\n")
