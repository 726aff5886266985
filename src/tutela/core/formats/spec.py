"""A file format as data: which headers identify it, and what each column is. One engine
turns a row into a ParsedRow for every format; columns are found by header name, never by
position."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tutela.core.formats.model import (
    ConsentFlag,
    LineFacts,
    OrderFacts,
    ParsedRow,
    PersonalValue,
    ReturnFacts,
)
from tutela.core.formats.values import BadValue, country_code, parse_amount, parse_quantity, parse_time

_TIME_FIELDS = {
    "purchased_at", "shipped_at", "promised_delivery_at", "delivered_at", "last_updated_at", "requested_at",
    "closed_at",
}  # fmt: skip
_AMOUNT_FIELDS = {"total_amount", "item_price", "refunded_amount"}
_QUANTITY_FIELDS = {"quantity"}


@dataclass(frozen=True)
class Personal:
    role: str
    category: str


@dataclass(frozen=True)
class FormatSpec:
    key: str
    label: str
    source: str  # amazon | shopify | own_shop | manual
    channel: str  # where orders come from: amazon | shopify | own_shop
    signature: frozenset[str]  # all of these headers identify the format
    excludes: frozenset[str] = frozenset()  # ... unless one of these is present
    personal: Mapping[str, Personal] = field(default_factory=dict)
    joined: Mapping[tuple[str, ...], Personal] = field(default_factory=dict)  # several columns, one value
    order: Mapping[str, str] = field(default_factory=dict)  # OrderFacts attribute -> header
    line: Mapping[str, str] = field(default_factory=dict)
    returned: Mapping[str, str] = field(default_factory=dict)
    return_key: tuple[str, ...] = ()  # headers that together identify a return
    consent: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # header -> (purpose, channel)
    unused: frozenset[str] = frozenset()  # known columns no purpose needs (reported as dropped)
    as_of: tuple[str, ...] = ()  # first non-empty of these dates tells how fresh the row is
    region: tuple[str, ...] = ()  # country columns for national phone numbers
    fixed: Mapping[str, str] = field(default_factory=dict)  # OrderFacts attribute -> constant
    inherit_order_from_previous: bool = False  # Shopify: order columns only on an order's first row

    def known_headers(self) -> set[str]:
        known = set(self.personal) | set(self.order.values()) | set(self.line.values())
        known |= set(self.returned.values()) | set(self.consent) | set(self.unused) | set(self.return_key)
        for columns in self.joined:
            known |= set(columns)
        return known

    def matches(self, header: Sequence[str]) -> bool:
        names = set(header)
        return self.signature <= names and not (self.excludes & names)


def _text(text: str) -> str | None:
    return text.strip() or None


def _country_or_none(text: str) -> str | None:
    return country_code(text) if text.strip() else None


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(_TIME_FIELDS, parse_time),
    **dict.fromkeys(_AMOUNT_FIELDS, parse_amount),
    **dict.fromkeys(_QUANTITY_FIELDS, parse_quantity),
    "ship_country": _country_or_none,
}


def _facts(spec_map: Mapping[str, str], values: dict[str, str], row: ParsedRow) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for attribute, header in spec_map.items():
        try:
            facts[attribute] = _CONVERTERS.get(attribute, _text)(values.get(header, ""))
        except BadValue as problem:
            row.problems.append((header, str(problem)))
            facts[attribute] = None
    return facts


def parse_row(spec: FormatSpec, number: int, values: dict[str, str], previous: ParsedRow | None) -> ParsedRow:
    row = ParsedRow(number=number)
    _order_part(spec, values, row, previous)
    if row.rejected is None:
        _return_part(spec, values, row)
    if row.rejected is not None:
        return row
    if spec.line:
        facts = _facts(spec.line, values, row)
        if facts.get("line_id"):
            row.line = LineFacts(**facts)
    _personal_part(spec, values, row)
    row.as_of = _first_time(spec.as_of, values)
    row.region = _first_country(spec.region, values)
    return row


def _order_part(spec: FormatSpec, values: dict[str, str], row: ParsedRow, previous: ParsedRow | None) -> None:
    if not spec.order:
        return
    raw = tuple(values.get(header, "") for header in spec.order.values())
    if previous is not None and previous.order is not None and previous.order_raw == raw:
        row.order, row.order_raw = previous.order, raw  # the next line of the same order: same facts
        return
    row.order_raw = raw
    facts = _facts(spec.order, values, row) | dict(spec.fixed)
    if facts.get("order_id"):
        row.order = OrderFacts(channel=spec.channel, **facts)
    elif spec.inherit_order_from_previous and previous is not None and previous.order is not None:
        row.order = previous.order  # Shopify writes order columns on an order's first line only
    else:
        row.rejected = f"no order id in column '{spec.order['order_id']}'"


def _return_part(spec: FormatSpec, values: dict[str, str], row: ParsedRow) -> None:
    if not spec.returned:
        return
    facts = _facts(spec.returned, values, row)
    key = "|".join(values.get(h, "").strip() for h in spec.return_key)
    if not facts.get("order_id") or not key.strip("|"):
        row.rejected = "no order id or return identifier"
        return
    row.returned = ReturnFacts(return_key=key[:160], **facts)


_YES = frozenset({"yes", "true", "1", "y", "subscribed"})
_NO = frozenset({"no", "false", "0", "n", "unsubscribed", "not_subscribed"})


def _personal_part(spec: FormatSpec, values: dict[str, str], row: ParsedRow) -> None:
    for header, target in spec.personal.items():
        text = values.get(header, "").strip()
        if text:
            row.personal.append(PersonalValue(target.role, target.category, text, header))
    for headers, target in spec.joined.items():
        parts = [values.get(h, "").strip() for h in headers]
        text = (" " if target.category == "user.name" else ", ").join(p for p in parts if p)
        if text:
            row.personal.append(PersonalValue(target.role, target.category, text, headers[0]))
    for header, (purpose, channel) in spec.consent.items():
        answer = values.get(header, "").strip().lower()
        if answer in _YES or answer in _NO:
            row.consents.append(ConsentFlag(purpose, channel, answer in _YES, header))


def _first_time(headers: Sequence[str], values: dict[str, str]) -> datetime | None:
    for header in headers:
        try:
            found = parse_time(values.get(header, ""))
        except BadValue:
            continue  # already reported where the column is a fact
        if found is not None:
            return found
    return None


def _first_country(headers: Sequence[str], values: dict[str, str]) -> str | None:
    for header in headers:
        text = values.get(header, "").strip()
        if text:
            try:
                return country_code(text)
            except BadValue:
                return None
    return None
