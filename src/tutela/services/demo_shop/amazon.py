"""Amazon orders as invented per marketplace: lines, shipments and returns."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from tutela.services.demo_shop.amazon_buyers import AmazonBuyers, ReturnComments
from tutela.services.demo_shop.catalog import Product, local_price
from tutela.services.demo_shop.marketplaces import Marketplace
from tutela.services.demo_shop.people import Person
from tutela.services.demo_shop.randomness import (
    ALNUM_MIXED,
    ALNUM_UPPER,
    CANCELLED_SHARE,
    between,
    fill_pattern,
    purchase_times,
    random_text,
    seeded_faker,
    seeded_random,
    weighted,
)

_MFN_HANDLING = timedelta(days=3)
_FBA_PICKING = timedelta(hours=6)
_FBA_SHARE = 0.30
_BUSINESS_SHARE = 0.05
_RETURN_SHARE = 0.08
_LEAD_DAYS = {"Standard": (3, 7), "Expedited": (2, 4)}
_RETURN_LABEL_USD_CENTS = 499

_DELIVERY_NOTES = {
    "en": ("Leave at the front door.", "Please leave with a neighbour.", "Ring the bell twice."),
    "de": ("Bitte beim Nachbarn abgeben.", "Bitte vor die Haustür legen.", "Zweimal klingeln."),
    "fr": ("Laisser devant la porte.", "Merci de sonner deux fois.", "Déposer chez le gardien."),
    "ja": ("置き配を希望します。", "宅配ボックスに入れてください。", "インターホンを二回押してください。"),
}
_RETURN_REASONS = (
    "UNWANTED_ITEM",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "ORDERED_WRONG_ITEM",
    "DAMAGED_BY_CARRIER",
    "QUALITY_UNACCEPTABLE",
)
DISPOSITIONS = {
    "SELLABLE": "Unit returned to inventory",
    "CUSTOMER_DAMAGED": "Unit returned to inventory",
    "DEFECTIVE": "Unit returned to inventory",
    "CARRIER_DAMAGED": "Reimbursed",
}


@dataclass(frozen=True)
class Line:
    item_id: str
    product: Product
    quantity: int
    price: int  # minor units for the whole line, as Amazon's item-price
    tax: int
    shipping: int
    shipping_tax: int


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    shipped: datetime
    reported: datetime
    carrier: str
    tracking: str
    fulfillment_center: str
    arrives: datetime


@dataclass(frozen=True)
class Return:
    line: Line
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
class AmazonOrder:
    marketplace: Marketplace
    order_id: str
    buyer: Person
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
    lines: tuple[Line, ...]
    shipment: Shipment | None
    returned: Return | None


def _amazon_status(rng: random.Random, *, fba: bool, age: timedelta) -> str:
    if rng.random() < CANCELLED_SHARE:
        return "Cancelled"
    if fba:
        return "Pending" if age < _FBA_PICKING else "Shipped"
    if age >= _MFN_HANDLING:
        return "Shipped"
    return "Pending" if age < timedelta(hours=12) and rng.random() < 0.2 else "Unshipped"


class MarketplaceOrders:
    """Invents one marketplace's orders oldest first, so a returning buyer's earlier order really is earlier."""

    def __init__(
        self,
        marketplace: Marketplace,
        *,
        seed: int,
        now: datetime,
        catalog: tuple[Product, ...],
        order_ids: set[str],
        relay_emails: set[str],
        comments: ReturnComments,
    ) -> None:
        self._marketplace = marketplace
        self._rng = seeded_random(seed, f"amazon:{marketplace.code}")
        self._fake = seeded_faker(marketplace.locale, seed, f"amazon:{marketplace.code}")
        self._now = now
        self._catalog = catalog
        self._order_ids = order_ids
        self._comments = comments
        self._prices = {p.sku: local_price(p.usd_cents, marketplace.per_usd, marketplace.decimals) for p in catalog}
        self.buyers = AmazonBuyers(marketplace, self._fake, self._rng, relay_emails)

    def orders(self, count: int) -> Iterator[AmazonOrder]:
        for purchased in purchase_times(self._rng, count, self._now):
            yield self._order(purchased)

    def _order(self, purchased: datetime) -> AmazonOrder:
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
        return AmazonOrder(
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
            purchase_order=fill_pattern(rng, "PO-######") if business and rng.random() < 0.5 else "",
            lines=lines,
            shipment=shipment,
            returned=self._return(lines, shipment, buyer, fba=fba)
            if shipment and rng.random() < _RETURN_SHARE
            else None,
        )

    def _order_id(self) -> str:
        while True:
            prefix = self._rng.choice(self._marketplace.order_id_prefixes)
            order_id = fill_pattern(self._rng, f"{prefix}-#######-#######")
            if order_id not in self._order_ids:
                self._order_ids.add(order_id)
                return order_id

    def _last_updated(
        self, status: str, purchased: datetime, paid: datetime | None, shipment: Shipment | None
    ) -> datetime:
        if shipment is not None:
            return shipment.arrives if shipment.arrives <= self._now else shipment.shipped
        if status == "Cancelled":
            return between(self._rng, purchased, min(self._now, purchased + timedelta(days=1)))
        return paid or purchased

    def _lines(self, *, free_shipping: bool) -> tuple[Line, ...]:
        rng, marketplace = self._rng, self._marketplace
        products = rng.sample(self._catalog, k=weighted(rng, (1, 2, 3), (75, 20, 5)))
        lines = []
        for position, product in enumerate(products):
            quantity = weighted(rng, (1, 2, 3), (80, 15, 5))
            price = self._prices[product.sku] * quantity
            shipping = 0 if free_shipping or position > 0 else marketplace.shipping_fee
            lines.append(
                Line(
                    item_id=fill_pattern(rng, "##############"),
                    product=product,
                    quantity=quantity,
                    price=price,
                    tax=marketplace.tax_on(price),
                    shipping=shipping,
                    shipping_tax=marketplace.tax_on(shipping),
                )
            )
        return tuple(lines)

    def _shipment(self, purchased: datetime, earliest: datetime, latest: datetime, *, fba: bool) -> Shipment:
        rng, now = self._rng, self._now
        handling = timedelta(days=1) if fba else _MFN_HANDLING
        shipped = between(rng, purchased + timedelta(minutes=30), min(now, purchased + handling))
        carrier = rng.choice(self._marketplace.carriers)
        return Shipment(
            shipment_id="D" + random_text(rng, ALNUM_MIXED, 8),
            shipped=shipped,
            reported=min(now, shipped + timedelta(minutes=rng.randint(10, 480))),
            carrier=carrier.name,
            tracking=fill_pattern(rng, carrier.tracking_pattern),
            fulfillment_center=rng.choice(self._marketplace.fulfillment_centers),
            arrives=between(
                rng, max(earliest, shipped + timedelta(hours=12)), max(latest, shipped + timedelta(days=1))
            ),
        )

    def _return(self, lines: tuple[Line, ...], shipment: Shipment, buyer: Person, *, fba: bool) -> Return | None:
        rng, now = self._rng, self._now
        if shipment.arrives + timedelta(days=1) > now:
            return None
        requested = between(rng, shipment.arrives + timedelta(days=1), min(now, shipment.arrives + timedelta(days=30)))
        received = requested + timedelta(days=rng.randint(3, 10), seconds=rng.randint(0, 86_399))
        if fba and received > now:
            return None  # the FBA report lists a return only once the unit is back at the warehouse
        carrier = rng.choice(self._marketplace.carriers)
        return Return(
            line=rng.choice(lines),
            reason=rng.choice(_RETURN_REASONS),
            requested=requested,
            received=received if received <= now else None,
            rma_id="D" + random_text(rng, ALNUM_MIXED, 9) + "RMA",
            carrier=carrier.name,
            tracking=fill_pattern(rng, carrier.tracking_pattern),
            label_cost=local_price(_RETURN_LABEL_USD_CENTS, self._marketplace.per_usd, self._marketplace.decimals),
            disposition=rng.choice(tuple(DISPOSITIONS)),
            license_plate="LPN" + random_text(rng, ALNUM_UPPER, 10),
            comment=self._comments.comment(rng, self._fake, self._marketplace.language, buyer) if fba else "",
        )
