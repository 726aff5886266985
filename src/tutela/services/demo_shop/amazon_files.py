"""The Amazon reports: which order lands in which file, and its row there."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

from tutela.services.demo_shop.amazon import DISPOSITIONS, AmazonOrder, Line, MarketplaceOrders, Return, Shipment
from tutela.services.demo_shop.amazon_buyers import ReturnComments
from tutela.services.demo_shop.catalog import Product
from tutela.services.demo_shop.formatting import amazon_date, amazon_time, true_false
from tutela.services.demo_shop.headers import (
    ALL_ORDERS_HEADER,
    FBA_RETURNS_HEADER,
    FBA_SHIPMENTS_HEADER,
    MFN_RETURNS_HEADER,
    ORDER_REPORT_HEADER,
    UNSHIPPED_HEADER,
)
from tutela.services.demo_shop.manifest import DemoFile
from tutela.services.demo_shop.marketplaces import MARKETPLACES, Marketplace
from tutela.services.demo_shop.people import Address
from tutela.services.demo_shop.randomness import split_by_share
from tutela.services.demo_shop.tables import FileSpec, TableWriter


def _address_columns(prefix: str, address: Address) -> dict[str, str]:
    return {
        f"{prefix}-address-1": address.line1,
        f"{prefix}-address-2": address.line2,
        f"{prefix}-address-3": "",
        **_location_columns(prefix, address),
    }


def _location_columns(prefix: str, address: Address) -> dict[str, str]:
    return {
        f"{prefix}-city": address.city,
        f"{prefix}-state": address.state,
        f"{prefix}-postal-code": address.postal_code,
        f"{prefix}-country": address.country,
    }


def _price_columns(marketplace: Marketplace, line: Line) -> dict[str, str]:
    return {
        "currency": marketplace.currency,
        "item-price": marketplace.money(line.price),
        "item-tax": marketplace.money(line.tax),
        "shipping-price": marketplace.money(line.shipping),
        "shipping-tax": marketplace.money(line.shipping_tax),
    }


def _business_columns(order: AmazonOrder) -> dict[str, str]:
    return {
        "is-business-order": true_false(order.business),
        "purchase-order-number": order.purchase_order,
        "price-designation": "BusinessPrice" if order.business else "",
    }


def _order_report_row(order: AmazonOrder, line: Line) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "order-id": order.order_id,
        "order-item-id": line.item_id,
        "purchase-date": amazon_time(order.purchased),
        "payments-date": amazon_time(order.paid),
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
        "delivery-start-date": amazon_time(order.delivery_start),
        "delivery-end-date": amazon_time(order.delivery_end),
        "delivery-time-zone": marketplace.time_zone,
        "delivery-Instructions": order.delivery_note,
        "sales-channel": marketplace.sales_channel,
    }


def _unshipped_row(order: AmazonOrder, line: Line, now: datetime) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "order-id": order.order_id,
        "order-item-id": line.item_id,
        "purchase-date": amazon_time(order.purchased),
        "payments-date": amazon_time(order.paid),
        "reporting-date": amazon_time(now),
        "promise-date": amazon_time(order.delivery_end),
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
        "verge-of-lateShipment": true_false(now - order.purchased > timedelta(days=2)),
    }


def _all_orders_row(order: AmazonOrder, line: Line) -> dict[str, str]:
    marketplace = order.marketplace
    priced = order.status not in {"Pending", "Cancelled"}  # Amazon fills prices in once the payment is through
    item_status = {"Shipped": "Shipped", "Cancelled": "Cancelled"}.get(order.status, "Unshipped")
    row = {
        "amazon-order-id": order.order_id,
        "purchase-date": amazon_time(order.purchased),
        "last-updated-date": amazon_time(order.last_updated),
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


def _fba_shipment_row(order: AmazonOrder, line: Line, shipment: Shipment) -> dict[str, str]:
    marketplace, buyer = order.marketplace, order.buyer
    return {
        "amazon-order-id": order.order_id,
        "shipment-id": shipment.shipment_id,
        "shipment-item-id": "D" + line.item_id[-9:],
        "amazon-order-item-id": line.item_id,
        "purchase-date": amazon_time(order.purchased),
        "payments-date": amazon_time(order.paid),
        "shipment-date": amazon_time(shipment.shipped),
        "reporting-date": amazon_time(shipment.reported),
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
        "estimated-arrival-date": amazon_time(order.delivery_end),
        "fulfillment-center-id": shipment.fulfillment_center,
        "fulfillment-channel": "AFN",
        "sales-channel": marketplace.sales_channel,
    }


def _mfn_return_row(order: AmazonOrder, returned: Return) -> dict[str, str]:
    marketplace, line = order.marketplace, returned.line
    return {
        "Order ID": order.order_id,
        "Order date": amazon_date(order.purchased),
        "Return request date": amazon_date(returned.requested),
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
        "Return delivery date": amazon_date(returned.received),
        "Order Amount": marketplace.money(sum(item.price for item in order.lines)),
        "Order quantity": str(sum(item.quantity for item in order.lines)),
        "Refunded Amount": marketplace.money(line.price) if returned.received else "",
    }


def _fba_return_row(order: AmazonOrder, returned: Return, received: datetime) -> dict[str, str]:
    line = returned.line
    return {
        "return-date": amazon_time(received),
        "order-id": order.order_id,
        "sku": line.product.sku,
        "asin": line.product.asin,
        "fnsku": line.product.fnsku,
        "product-name": line.product.name(order.marketplace.language),
        "quantity": str(line.quantity),
        "fulfillment-center-id": order.shipment.fulfillment_center if order.shipment else "",
        "detailed-disposition": returned.disposition,
        "reason": returned.reason,
        "status": DISPOSITIONS[returned.disposition],
        "license-plate-number": returned.license_plate,
        "customer-comments": returned.comment,
    }


def _amazon_spec(name: str, kind: str, header: tuple[str, ...], encoding: str = "utf-8") -> FileSpec:
    return FileSpec(name, kind, encoding, header, delimiter="\t", line_end="\r\n")


class AmazonReports:
    def __init__(self, stack: ExitStack, out_dir: Path) -> None:
        self._order_reports = {
            marketplace.code: TableWriter(
                stack,
                out_dir,
                _amazon_spec(
                    f"SYNTHETIC-amazon-order-report-{marketplace.code}.txt",
                    "amazon_order_report",
                    ORDER_REPORT_HEADER,
                    marketplace.order_report_encoding,
                ),
            )
            for marketplace in MARKETPLACES
        }

        def table(name: str, kind: str, header: tuple[str, ...]) -> TableWriter:
            return TableWriter(stack, out_dir, _amazon_spec(name, kind, header))

        self._unshipped = table("SYNTHETIC-amazon-unshipped-orders.txt", "amazon_unshipped_orders", UNSHIPPED_HEADER)
        self._all_orders = table("SYNTHETIC-amazon-all-orders.txt", "amazon_all_orders", ALL_ORDERS_HEADER)
        self._fba_shipments = table("SYNTHETIC-amazon-fba-shipments.txt", "amazon_fba_shipments", FBA_SHIPMENTS_HEADER)
        self._mfn_returns = table("SYNTHETIC-amazon-mfn-returns.txt", "amazon_mfn_returns", MFN_RETURNS_HEADER)
        self._fba_returns = table("SYNTHETIC-amazon-fba-returns.txt", "amazon_fba_returns", FBA_RETURNS_HEADER)

    def record(self, order: AmazonOrder, now: datetime) -> None:
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


def write_amazon(reports: AmazonReports, *, orders: int, seed: int, now: datetime, catalog: tuple[Product, ...]) -> int:
    order_ids: set[str] = set()
    relay_emails: set[str] = set()
    comments = ReturnComments()
    buyers = 0
    counts = split_by_share(orders, [marketplace.share for marketplace in MARKETPLACES])
    for marketplace, count in zip(MARKETPLACES, counts, strict=True):
        invented = MarketplaceOrders(
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
