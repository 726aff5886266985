"""A file format as data: which headers identify it, and what each column is. One engine
(row_reader.RowReader) turns a row into a ParsedRow for every format; columns are found by
header name, never by position."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Personal:
    role: str
    category: str


class PersonalSlot(NamedTuple):
    """One personal value of a row: from one column, or from several joined (street lines)."""

    role: str
    category: str
    columns: tuple[str, ...]


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

    @functools.cached_property
    def personal_slots(self) -> tuple[PersonalSlot, ...]:
        """The personal values of a row, in the order ParsedRow.personal holds their texts."""
        single = [PersonalSlot(t.role, t.category, (header,)) for header, t in self.personal.items()]
        return (*single, *(PersonalSlot(t.role, t.category, headers) for headers, t in self.joined.items()))

    def known_headers(self) -> set[str]:
        known = set(self.personal) | set(self.order.values()) | set(self.line.values())
        known |= set(self.returned.values()) | set(self.consent) | set(self.unused) | set(self.return_key)
        for columns in self.joined:
            known |= set(columns)
        return known

    def matches(self, header: Sequence[str]) -> bool:
        names = set(header)
        return self.signature <= names and not (self.excludes & names)
