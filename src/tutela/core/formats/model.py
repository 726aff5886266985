"""What a row of any seller file becomes: order facts in plain values, personal fields with
the role they play (shipping, billing, buyer …), returns, consent flags — and the problems
found. The import service decides, from the policy, what of it is stored and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple


class ConsentFlag(NamedTuple):
    purpose: str
    channel: str
    granted: bool
    column: str


@dataclass(slots=True)
class OrderFacts:
    order_id: str
    channel: str
    marketplace: str | None = None
    sales_channel: str | None = None
    fulfillment_channel: str | None = None
    status: str | None = None
    purchased_at: datetime | None = None
    shipped_at: datetime | None = None
    promised_delivery_at: datetime | None = None
    delivered_at: datetime | None = None
    last_updated_at: datetime | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    ship_country: str | None = None
    ship_state: str | None = None


@dataclass(slots=True)
class LineFacts:
    line_id: str
    sku: str | None = None
    asin: str | None = None
    quantity: int | None = None
    item_price: Decimal | None = None


@dataclass(slots=True)
class ReturnFacts:
    return_key: str
    order_id: str
    requested_at: datetime | None = None
    status: str | None = None
    reason: str | None = None
    resolution: str | None = None
    sku: str | None = None
    quantity: int | None = None
    refunded_amount: Decimal | None = None
    currency: str | None = None
    closed_at: datetime | None = None


@dataclass(slots=True)
class ParsedRow:
    number: int
    order: OrderFacts | None = None
    line: LineFacts | None = None
    returned: ReturnFacts | None = None
    # The texts of the format's personal slots (FormatSpec.personal_slots), "" where empty:
    # a plain tuple, so that a returning buyer's identical values are recognised by hashing it.
    personal: tuple[str, ...] = ()
    consents: tuple[ConsentFlag, ...] = ()
    as_of: datetime | None = None
    region: str | None = None  # the country that national phone numbers belong to
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, what is wrong)
    rejected: str | None = None  # why the whole row cannot be used
    order_raw: tuple[str, ...] = ()  # the order columns as read, to share facts between an order's lines
