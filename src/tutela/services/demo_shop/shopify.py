"""The seller's own Shopify shop: EU customers and their orders."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import phonenumbers
from faker import Faker

from tutela.services.demo_shop.catalog import Product, local_price
from tutela.services.demo_shop.people import RETURNING_SHARE, Person, new_person, personal_email, phone_number
from tutela.services.demo_shop.randomness import (
    CANCELLED_SHARE,
    between,
    fill_pattern,
    purchase_times,
    seeded_faker,
    seeded_random,
    weighted,
)


@dataclass(frozen=True)
class ShopCountry:
    code: str
    name: str
    locale: str
    share: float
    vat_rate: float
    tax_name: str
    shipping_method: str


_SHOP_COUNTRIES = (
    ShopCountry("DE", "Germany", "de_DE", 0.70, 0.19, "DE MwSt 19%", "DHL Paket"),
    ShopCountry("AT", "Austria", "de_AT", 0.10, 0.20, "AT USt 20%", "DHL Paket International"),
    ShopCountry("FR", "France", "fr_FR", 0.10, 0.20, "FR TVA 20%", "DHL Paket International"),
    ShopCountry("NL", "Netherlands", "nl_NL", 0.10, 0.21, "NL BTW 21%", "DHL Paket International"),
)
_SHOP_PER_USD = 0.92
_SHOP_SHIPPING = 490
_SHOP_FREE_SHIPPING_FROM = 5000
_SHOP_ORDER_NUMBER_START = 1001
_SHOP_NOTES = ("Bitte beim Nachbarn abgeben.", "Geschenk, bitte ohne Rechnung verpacken.", "Bitte nicht knicken.")
_SHOP_PAYMENT_METHODS = ("Shopify Payments", "PayPal Express Checkout", "Klarna Pay Later")


@dataclass(frozen=True)
class ShopCustomer:
    person: Person
    country: ShopCountry
    company: str
    accepts_email: bool
    accepts_sms: bool


@dataclass(frozen=True)
class ShopLine:
    product: Product
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class ShopOrder:
    number: int
    order_id: int
    customer: ShopCustomer
    created: datetime
    paid: datetime | None
    fulfilled: datetime | None
    cancelled: datetime | None
    financial_status: str
    lines: tuple[ShopLine, ...]
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
class ShopTally:
    customer: ShopCustomer
    spent: int = 0
    orders: int = 0


class ShopifyCustomers:
    """The shop's customers: German and other EU buyers with their own e-mail addresses; about 30% come back."""

    def __init__(self, seed: int, rng: random.Random) -> None:
        self._rng = rng
        self._fakes = {
            country.code: seeded_faker(country.locale, seed, f"shopify:{country.code}") for country in _SHOP_COUNTRIES
        }
        self._emails: set[str] = set()
        self._known: list[ShopCustomer] = []
        self.tallies: dict[str, ShopTally] = {}

    def next_customer(self) -> ShopCustomer:
        if self._known and self._rng.random() < RETURNING_SHARE:
            return self._rng.choice(self._known)
        customer = self._new_customer()
        self._known.append(customer)
        self.tallies[customer.person.email] = ShopTally(customer)
        return customer

    def _new_customer(self) -> ShopCustomer:
        rng = self._rng
        country = rng.choices(_SHOP_COUNTRIES, weights=[c.share for c in _SHOP_COUNTRIES])[0]
        fake = self._fakes[country.code]
        has_phone = rng.random() < 0.6
        phone = phone_number(rng, country.code, phonenumbers.PhoneNumberFormat.E164) if has_phone else ""
        person = new_person(fake, rng, locale=country.locale, country=country.code, email="", phone=phone)
        return ShopCustomer(
            person=replace(person, email=self._unique_email(fake, person)),
            country=country,
            company=fake.company() if rng.random() < 0.05 else "",
            accepts_email=rng.random() < 0.4,
            # SMS consent needs a phone number: 25% of the 60% with one is the 15% a shop typically sees
            accepts_sms=has_phone and rng.random() < 0.25,
        )

    def _unique_email(self, fake: Faker, person: Person) -> str:
        email = personal_email(fake, self._rng, person.first_name, person.last_name)
        suffix = 1
        while email in self._emails:
            local, _, domain = email.partition("@")
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        self._emails.add(email)
        return email


class ShopifyOrders:
    def __init__(self, *, seed: int, now: datetime, catalog: tuple[Product, ...]) -> None:
        self._rng = seeded_random(seed, "shopify")
        self._now = now
        self._catalog = catalog
        self.customers = ShopifyCustomers(seed, self._rng)
        self._next_id = 5_000_000_000_000 + self._rng.randrange(10**11)

    def orders(self, count: int) -> Iterator[ShopOrder]:
        for index, created in enumerate(purchase_times(self._rng, count, self._now)):
            order = self._order(_SHOP_ORDER_NUMBER_START + index, created)
            tally = self.customers.tallies[order.customer.person.email]
            tally.orders += 1
            if order.financial_status != "voided":
                tally.spent += order.total - order.refunded
            yield order

    def _order(self, number: int, created: datetime) -> ShopOrder:
        rng, now = self._rng, self._now
        self._next_id += rng.randrange(10**6, 10**8)
        lines = tuple(
            ShopLine(product, weighted(rng, (1, 2, 3), (80, 15, 5)), local_price(product.usd_cents, _SHOP_PER_USD, 2))
            for product in rng.sample(self._catalog, k=weighted(rng, (1, 2, 3), (70, 22, 8)))
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
        return ShopOrder(
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
            payment_reference=fill_pattern(rng, "c###########.1"),
            note=rng.choice(_SHOP_NOTES) if rng.random() < 0.05 else "",
        )

    def _cancelled_at(self, created: datetime) -> datetime | None:
        if self._rng.random() >= CANCELLED_SHARE:
            return None
        cancelled = between(self._rng, created, created + timedelta(days=1))
        return cancelled if cancelled <= self._now else None

    def _fulfilled_at(self, created: datetime) -> datetime | None:
        fulfilled = between(self._rng, created + timedelta(hours=4), created + timedelta(days=3))
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
