"""The Shopify order and customer exports and their rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from tutela.services.demo_shop.catalog import Product
from tutela.services.demo_shop.formatting import format_money, shop_time, yes_no
from tutela.services.demo_shop.headers import SHOPIFY_CUSTOMERS_HEADER, SHOPIFY_LINE_COLUMNS, SHOPIFY_ORDERS_HEADER
from tutela.services.demo_shop.manifest import DemoFile
from tutela.services.demo_shop.people import Address
from tutela.services.demo_shop.shopify import ShopCustomer, ShopifyOrders, ShopOrder, ShopTally
from tutela.services.demo_shop.tables import FileSpec, TableWriter


def _shop_address_columns(prefix: str, customer: ShopCustomer, address: Address) -> dict[str, str]:
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
    return format_money(minor, 2)


def _shop_order_rows(order: ShopOrder) -> Iterator[dict[str, str]]:
    customer = order.customer
    person = customer.person
    order_columns = {
        "Name": f"#{order.number}",
        "Email": person.email,
        "Financial Status": order.financial_status,
        "Paid at": shop_time(order.paid) if order.financial_status != "voided" else "",
        "Fulfillment Status": "fulfilled" if order.fulfilled else "unfulfilled",
        "Fulfilled at": shop_time(order.fulfilled),
        "Accepts Marketing": yes_no(customer.accepts_email),
        "Currency": "EUR",
        "Subtotal": _eur(order.subtotal),
        "Shipping": _eur(order.shipping),
        "Taxes": _eur(order.taxes),
        "Total": _eur(order.total),
        "Discount Code": order.discount_code,
        "Discount Amount": _eur(order.discount),
        "Shipping Method": customer.country.shipping_method,
        "Created at": shop_time(order.created),
        **_shop_address_columns("Billing", customer, person.bill_to),
        **_shop_address_columns("Shipping", customer, person.ship_to),
        "Notes": order.note,
        "Cancelled at": shop_time(order.cancelled),
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
            yield {**{k: v for k, v in order_columns.items() if k in SHOPIFY_LINE_COLUMNS}, **line_columns}


def _shop_customer_row(tally: ShopTally) -> dict[str, str]:
    customer = tally.customer
    person, address = customer.person, customer.person.ship_to
    return {
        "First Name": person.first_name,
        "Last Name": person.last_name,
        "Email": person.email,
        "Accepts Email Marketing": yes_no(customer.accepts_email),
        "Company": customer.company,
        "Address1": address.line1,
        "Address2": address.line2,
        "City": address.city,
        "Country": customer.country.name,
        "Country Code": customer.country.code,
        "Zip": address.postal_code,
        "Phone": person.phone,
        "Accepts SMS Marketing": yes_no(customer.accepts_sms),
        "Total Spent": format_money(tally.spent, 2),
        "Total Orders": str(tally.orders),
        "Tags": "Stammkunde" if tally.orders > 1 else "",
        "Tax Exempt": "no",
    }


class ShopifyReports:
    def __init__(self, stack: ExitStack, out_dir: Path) -> None:
        def table(name: str, kind: str, header: tuple[str, ...]) -> TableWriter:
            spec = FileSpec(name, kind, "utf-8-sig", header, delimiter=",", line_end="\n")
            return TableWriter(stack, out_dir, spec)

        self.orders = table("SYNTHETIC-shopify-orders.csv", "shopify_orders", SHOPIFY_ORDERS_HEADER)
        self.customers = table("SYNTHETIC-shopify-customers.csv", "shopify_customers", SHOPIFY_CUSTOMERS_HEADER)

    def described(self) -> list[DemoFile]:
        return [self.orders.described(), self.customers.described()]


def write_shopify(
    reports: ShopifyReports, *, orders: int, seed: int, now: datetime, catalog: tuple[Product, ...]
) -> int:
    shop = ShopifyOrders(seed=seed, now=now, catalog=catalog)
    for order in shop.orders(orders):
        for row in _shop_order_rows(order):
            reports.orders.write(row)
    for tally in shop.customers.tallies.values():
        reports.customers.write(_shop_customer_row(tally))
    return len(shop.customers.tallies)
