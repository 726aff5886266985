"""Small seller files written by the tests themselves (synthetic values, real headers)."""

from __future__ import annotations

from pathlib import Path

UNSHIPPED_HEADER = [
    "order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
    "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
    "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level", "recipient-name",
    "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code",
    "ship-country", "is-business-order", "purchase-order-number", "price-designation", "is-iba",
    "verge-of-cancellation", "verge-of-lateShipment",
]  # fmt: skip


def unshipped_row(
    order: str,
    item: str,
    *,
    email: str = "ada123@marketplace.amazon.com",
    phone: str = "+1 206-555-0100",
    recipient: str = "Ada Lovelace",
    buyer: str = "Ada Buyer",
    street: str = "12 Main St",
    city: str = "Seattle",
    postal: str = "98101",
    country: str = "US",
    day: int = 20,
) -> dict[str, str]:
    return {
        "order-id": order, "order-item-id": item, "purchase-date": f"2026-11-{day:02d}T10:00:00+00:00",
        "payments-date": f"2026-11-{day:02d}T10:05:00+00:00", "reporting-date": f"2026-11-{day:02d}T11:00:00+00:00",
        "promise-date": f"2026-11-{day + 5:02d}T23:59:59+00:00", "days-past-promise": "0", "buyer-email": email,
        "buyer-name": buyer, "buyer-phone-number": phone, "sku": f"SKU-{item[-2:]}", "product-name": "Widget",
        "quantity-purchased": "1", "quantity-shipped": "0", "quantity-to-ship": "1", "ship-service-level": "Std",
        "recipient-name": recipient, "ship-address-1": street, "ship-address-2": "", "ship-address-3": "",
        "ship-city": city, "ship-state": "WA", "ship-postal-code": postal, "ship-country": country,
        "is-business-order": "false", "purchase-order-number": "", "price-designation": "", "is-iba": "false",
        "verge-of-cancellation": "false", "verge-of-lateShipment": "false",
    }  # fmt: skip


def write_table(
    path: Path, header: list[str], rows: list[dict[str, str]], *, delimiter: str = "\t", encoding: str = "utf-8"
) -> Path:
    lines = [delimiter.join(header)] + [delimiter.join(row.get(h, "") for h in header) for row in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


FIRST_ORDER = "111-0000001-0000001"


def two_amazon_buyers(folder: Path) -> Path:
    """An unshipped-orders report with two Amazon buyers: Ada (promised delivery 25 Nov, so due
    25 Dec) and Grace (promised 20 Nov, due 20 Dec)."""
    return write_table(folder / "unshipped.txt", UNSHIPPED_HEADER, [
        unshipped_row(FIRST_ORDER, "10000000000001"),
        unshipped_row("111-0000002-0000002", "10000000000002", day=15, email="grace@marketplace.amazon.com",
                      phone="+1 415-555-0199", recipient="Grace Hopper"),
    ])  # fmt: skip
