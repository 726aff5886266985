"""The formats tutela reads, as column maps (real headers: ../shared/formats.md), and the
detection that picks one from a header. Roles say what a personal column is for; the import
service maps roles to the policy's purposes."""

from __future__ import annotations

from collections.abc import Sequence

from tutela.core.errors import ImportFormatUnknown
from tutela.core.formats.spec import FormatSpec, Personal

NAME = "user.name"
EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
STREET = "user.contact.address.street"
CITY = "user.contact.address.city"
STATE = "user.contact.address.state"
POSTAL = "user.contact.address.postal_code"
COUNTRY = "user.contact.address.country"
FREE_TEXT = "user.content.free_text"


def _address(role: str, prefix: str, *, phone: str | None = None) -> dict[str, Personal]:
    columns = {
        f"{prefix}-city": Personal(role, CITY),
        f"{prefix}-state": Personal(role, STATE),
        f"{prefix}-postal-code": Personal(role, POSTAL),
        f"{prefix}-country": Personal(role, COUNTRY),
    }
    if phone:
        columns[phone] = Personal(role, PHONE)
    return columns


def _street(role: str, prefix: str) -> dict[tuple[str, ...], Personal]:
    return {(f"{prefix}-address-1", f"{prefix}-address-2", f"{prefix}-address-3"): Personal(role, STREET)}


_AMAZON_BUYER = {
    "buyer-email": Personal("buyer", EMAIL),
    "buyer-phone-number": Personal("buyer", PHONE),
    "recipient-name": Personal("ship", NAME),
}
_AMAZON_UNUSED = frozenset(
    {
        "product-name",
        "payments-date",
        "reporting-date",
        "days-past-promise",
        "quantity-shipped",
        "quantity-to-ship",
        "ship-service-level",
        "is-business-order",
        "purchase-order-number",
        "price-designation",
        "is-iba",
        "is-prime",
        "verge-of-cancellation",
        "verge-of-lateShipment",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "delivery-time-zone",
        "delivery-Instructions",
        "delivery-start-date",
        "gift-wrap-price",
        "gift-wrap-tax",
        "item-promotion-discount",
        "item-promotion-id",
        "ship-promotion-discount",
        "ship-promotion-id",
        "merchant-order-id",
        "order-channel",
        "url",
        "item-status",
        "promotion-ids",
        "cpf",
        "number-of-items",
        "tax-collection-model",
        "tax-collection-responsible-party",
        "address-type",
        "merchant-order-item-id",
        "shipment-item-id",
        "carrier",
        "tracking-number",
        "fulfillment-center-id",
        "shipment-id",
    }
)

AMAZON_UNSHIPPED = FormatSpec(
    key="amazon_unshipped_orders",
    label="Amazon Unshipped Orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"order-id", "order-item-id", "quantity-to-ship", "recipient-name"}),
    personal={**_AMAZON_BUYER, "buyer-name": Personal("buyer_name", NAME), **_address("ship", "ship")},
    joined=_street("ship", "ship"),
    order={
        "order_id": "order-id",
        "purchased_at": "purchase-date",
        "promised_delivery_at": "promise-date",
        "sales_channel": "sales-channel",
        "ship_country": "ship-country",
        "ship_state": "ship-state",
    },
    line={"line_id": "order-item-id", "sku": "sku", "quantity": "quantity-purchased"},
    unused=_AMAZON_UNUSED,
    fixed={"status": "Unshipped", "fulfillment_channel": "MFN"},
    as_of=("reporting-date", "payments-date", "purchase-date"),
    region=("ship-country",),
)

AMAZON_ORDER_REPORT = FormatSpec(
    key="amazon_order_report",
    label="Amazon Order Report (GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING / _INVOICING / _TAX)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"order-id", "order-item-id", "recipient-name", "quantity-purchased"}),
    excludes=frozenset({"quantity-to-ship"}),
    personal={
        **_AMAZON_BUYER,
        "buyer-name": Personal("bill", NAME),
        **_address("ship", "ship", phone="ship-phone-number"),
        **_address("bill", "bill"),
    },
    joined={**_street("ship", "ship"), **_street("bill", "bill")},
    order={
        "order_id": "order-id",
        "purchased_at": "purchase-date",
        "promised_delivery_at": "delivery-end-date",
        "sales_channel": "sales-channel",
        "currency": "currency",
        "ship_country": "ship-country",
        "ship_state": "ship-state",
    },
    line={"line_id": "order-item-id", "sku": "sku", "quantity": "quantity-purchased", "item_price": "item-price"},
    unused=_AMAZON_UNUSED,
    fixed={"fulfillment_channel": "MFN"},
    as_of=("payments-date", "purchase-date"),
    region=("ship-country", "bill-country"),
)

AMAZON_ALL_ORDERS = FormatSpec(
    key="amazon_all_orders",
    label="Amazon All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_*_GENERAL)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"amazon-order-id", "order-status", "item-status", "ship-postal-code"}),
    excludes=frozenset({"recipient-name", "buyer-email"}),
    personal={"ship-city": Personal("location", CITY), "ship-postal-code": Personal("location", POSTAL)},
    order={
        "order_id": "amazon-order-id",
        "purchased_at": "purchase-date",
        "last_updated_at": "last-updated-date",
        "status": "order-status",
        "fulfillment_channel": "fulfillment-channel",
        "sales_channel": "sales-channel",
        "currency": "currency",
        "ship_country": "ship-country",
        "ship_state": "ship-state",
    },
    line={"line_id": "sku", "sku": "sku", "asin": "asin", "quantity": "quantity", "item_price": "item-price"},
    unused=_AMAZON_UNUSED | {"is-business-order", "purchase-order-number"},
    as_of=("last-updated-date", "purchase-date"),
    region=("ship-country",),
)

AMAZON_FBA_SHIPMENTS = FormatSpec(
    key="amazon_fba_shipments",
    label="Amazon Fulfilled Shipments report (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_*)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"amazon-order-id", "shipment-id", "shipment-item-id", "recipient-name"}),
    personal={
        **_AMAZON_BUYER,
        "buyer-name": Personal("bill", NAME),  # Seller Central: restricted to tax use cases
        **_address("ship", "ship", phone="ship-phone-number"),
        **_address("bill", "bill"),
    },
    joined={**_street("ship", "ship"), **_street("bill", "bill")},
    order={
        "order_id": "amazon-order-id",
        "purchased_at": "purchase-date",
        "shipped_at": "shipment-date",
        "promised_delivery_at": "estimated-arrival-date",
        "sales_channel": "sales-channel",
        "currency": "currency",
        "fulfillment_channel": "fulfillment-channel",
        "ship_country": "ship-country",
        "ship_state": "ship-state",
    },
    line={"line_id": "amazon-order-item-id", "sku": "sku", "quantity": "quantity-shipped", "item_price": "item-price"},
    unused=_AMAZON_UNUSED,
    fixed={"status": "Shipped"},
    as_of=("shipment-date", "reporting-date", "purchase-date"),
    region=("ship-country", "bill-country"),
)

AMAZON_MFN_RETURNS = FormatSpec(
    key="amazon_mfn_returns",
    label="Amazon MFN Returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"Order ID", "Return request date", "Amazon RMA ID"}),
    returned={
        "order_id": "Order ID",
        "requested_at": "Return request date",
        "status": "Return request status",
        "reason": "Return Reason",
        "resolution": "Resolution",
        "sku": "Merchant SKU",
        "quantity": "Return quantity",
        "refunded_amount": "Refunded Amount",
        "currency": "Currency code",
        "closed_at": "Return delivery date",
    },
    return_key=("Amazon RMA ID",),
    unused=frozenset(
        {
            "Order date",
            "Merchant RMA ID",
            "Label type",
            "Label cost",
            "Return carrier",
            "Tracking ID",
            "Label to be paid by",
            "A-to-Z Claim",
            "Is prime",
            "ASIN",
            "Item Name",
            "In policy",
            "Return type",
            "Invoice number",
            "Order Amount",
            "Order quantity",
            "SafeT Action reason",
            "SafeT claim id",
            "SafeT claim state",
            "SafeT claim creation time",
            "SafeT claim reimbursement amount",
        }
    ),
    as_of=("Return request date",),
)

AMAZON_FBA_RETURNS = FormatSpec(
    key="amazon_fba_returns",
    label="Amazon FBA customer returns (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA)",
    source="amazon",
    channel="amazon",
    signature=frozenset({"return-date", "order-id", "license-plate-number", "detailed-disposition"}),
    personal={"customer-comments": Personal("return_note", FREE_TEXT)},
    returned={
        "order_id": "order-id",
        "requested_at": "return-date",
        "status": "status",
        "reason": "reason",
        "resolution": "detailed-disposition",
        "sku": "sku",
        "quantity": "quantity",
    },
    return_key=("order-id", "sku", "return-date", "license-plate-number"),
    unused=frozenset({"asin", "fnsku", "product-name", "fulfillment-center-id"}),
    as_of=("return-date",),
)

_SHOPIFY_ADDRESS = {
    f"{side} {part}": Personal(role, category)
    for side, role in (("Billing", "bill"), ("Shipping", "ship"))
    for part, category in (
        ("Name", NAME),
        ("City", CITY),
        ("Zip", POSTAL),
        ("Province", STATE),
        ("Country", COUNTRY),
        ("Phone", PHONE),
    )
}

SHOPIFY_ORDERS = FormatSpec(
    key="shopify_orders",
    label="Shopify orders export (CSV)",
    source="shopify",
    channel="shopify",
    signature=frozenset({"Name", "Email", "Financial Status", "Lineitem quantity"}),
    personal={
        "Email": Personal("buyer", EMAIL),
        "Phone": Personal("buyer", PHONE),
        **_SHOPIFY_ADDRESS,
        "Notes": Personal("note", FREE_TEXT),
        "Note Attributes": Personal("note", FREE_TEXT),
    },
    joined={
        ("Billing Address1", "Billing Address2"): Personal("bill", STREET),
        ("Shipping Address1", "Shipping Address2"): Personal("ship", STREET),
    },
    order={
        "order_id": "Name",
        "purchased_at": "Created at",
        "shipped_at": "Fulfilled at",
        "status": "Fulfillment Status",
        "currency": "Currency",
        "total_amount": "Total",
        "ship_country": "Shipping Country",
        "ship_state": "Shipping Province",
    },
    line={
        "line_id": "Lineitem sku",
        "sku": "Lineitem sku",
        "quantity": "Lineitem quantity",
        "item_price": "Lineitem price",
    },
    consent={"Accepts Marketing": ("marketing_email", "email")},
    unused=frozenset(
        {
            "Financial Status",
            "Paid at",
            "Subtotal",
            "Shipping",
            "Taxes",
            "Discount Code",
            "Discount Amount",
            "Shipping Method",
            "Lineitem name",
            "Lineitem compare at price",
            "Lineitem requires shipping",
            "Lineitem taxable",
            "Lineitem fulfillment status",
            "Billing Street",
            "Shipping Street",
            "Billing Company",
            "Shipping Company",
            "Cancelled at",
            "Payment Method",
            "Payment Reference",
            "Refunded Amount",
            "Vendor",
            "Outstanding Balance",
            "Employee",
            "Location",
            "Device ID",
            "Id",
            "Tags",
            "Risk Level",
            "Source",
            "Lineitem discount",
            "Tax 1 Name",
            "Tax 1 Value",
            "Tax 2 Name",
            "Tax 2 Value",
            "Tax 3 Name",
            "Tax 3 Value",
            "Tax 4 Name",
            "Tax 4 Value",
            "Tax 5 Name",
            "Tax 5 Value",
            "Receipt Number",
            "Duties",
            "Billing Province Name",
            "Shipping Province Name",
            "Payment ID",
            "Payment Terms Name",
            "Next Payment Due At",
            "Payment References",
        }
    ),
    as_of=("Created at",),
    region=("Shipping Country", "Billing Country"),
    inherit_order_from_previous=True,
)

SHOPIFY_CUSTOMERS = FormatSpec(
    key="shopify_customers",
    label="Shopify customers export (CSV)",
    source="shopify",
    channel="shopify",
    signature=frozenset({"First Name", "Last Name", "Email", "Accepts Email Marketing"}),
    personal={
        "Email": Personal("account", EMAIL),
        "Phone": Personal("account", PHONE),
        "City": Personal("account", CITY),
        "Province Code": Personal("account", STATE),
        "Country Code": Personal("account", COUNTRY),
        "Zip": Personal("account", POSTAL),
        "Note": Personal("note", FREE_TEXT),
    },
    joined={
        ("First Name", "Last Name"): Personal("account", NAME),
        ("Address1", "Address2"): Personal("account", STREET),
    },
    consent={
        "Accepts Email Marketing": ("marketing_email", "email"),
        "Accepts SMS Marketing": ("marketing_sms", "sms"),
    },
    unused=frozenset({"Company", "Province", "Country", "Total Spent", "Total Orders", "Tags", "Tax Exempt"}),
    region=("Country Code", "Country"),
)

FORMATS: tuple[FormatSpec, ...] = (
    AMAZON_UNSHIPPED,
    AMAZON_ORDER_REPORT,
    AMAZON_ALL_ORDERS,
    AMAZON_FBA_SHIPMENTS,
    AMAZON_MFN_RETURNS,
    AMAZON_FBA_RETURNS,
    SHOPIFY_ORDERS,
    SHOPIFY_CUSTOMERS,
)
BY_KEY = {spec.key: spec for spec in FORMATS}


def detect(header: Sequence[str], *, file_name: str) -> FormatSpec:
    for spec in FORMATS:
        if spec.matches(header):
            return spec
    raise ImportFormatUnknown(
        f"{file_name}: the header matches no known report",
        hint="tutela reads Amazon order/returns/FBA reports, Shopify exports and SP-API JSON;"
        " for any other CSV pass --map columns.toml (see docs/importing.md)",
    )
