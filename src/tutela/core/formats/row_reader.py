"""A format bound to one file's header: every column the format reads is found by name once,
then each row is read by position — the per-row work is slicing cells and converting the
few values that are facts, not looking names up."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tutela.core.formats.model import ConsentFlag, LineFacts, OrderFacts, ParsedRow, ReturnFacts
from tutela.core.formats.spec import FormatSpec
from tutela.core.formats.values import BadValue, country_code, parse_amount, parse_quantity, parse_time

_TIME_FIELDS = {
    "purchased_at", "shipped_at", "promised_delivery_at", "delivered_at", "last_updated_at", "requested_at",
    "closed_at",
}  # fmt: skip
_AMOUNT_FIELDS = {"total_amount", "item_price", "refunded_amount"}
_QUANTITY_FIELDS = {"quantity"}
_YES = frozenset({"yes", "true", "1", "y", "subscribed"})
_NO = frozenset({"no", "false", "0", "n", "unsubscribed", "not_subscribed"})


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

Cells = Callable[[list[str]], tuple[str, ...]]


class _Facts:
    """Attributes read from columns, each with its converter; bad values become problems."""

    def __init__(self, spec_map: Mapping[str, str], cells: Callable[[Sequence[str]], Cells]) -> None:
        self.fields = [(attribute, header, _CONVERTERS.get(attribute, _text)) for attribute, header in spec_map.items()]
        self.cells = cells(list(spec_map.values()))

    def read(self, raw: tuple[str, ...], row: ParsedRow) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        for (attribute, header, convert), text in zip(self.fields, raw, strict=True):
            try:
                facts[attribute] = convert(text)
            except BadValue as problem:
                row.problems.append((header, str(problem)))
                facts[attribute] = None
        return facts


class RowReader:
    """`parse(number, cells, previous)` for rows whose cells follow `header`."""

    def __init__(self, spec: FormatSpec, header: Sequence[str]) -> None:
        self.spec = spec
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            positions.setdefault(name, index)
        missing = len(header)  # each row gets one more cell, "", that absent columns point at

        def cells(names: Sequence[str]) -> Cells:
            indexes = [positions.get(name, missing) for name in names]
            if not indexes:
                return lambda _row: ()
            if len(indexes) == 1:
                only = indexes[0]
                return lambda row: (row[only],)
            return operator.itemgetter(*indexes)

        self._order = _Facts(spec.order, cells) if spec.order else None
        self._fixed = dict(spec.fixed)
        self._returned = _Facts(spec.returned, cells) if spec.returned else None
        self._return_key = cells(spec.return_key)
        self._line = _Facts(spec.line, cells) if spec.line else None
        # personal_slots lists the single-column values first, then the joined ones.
        slots, singles = spec.personal_slots, len(spec.personal)
        self._single = cells([slot.columns[0] for slot in slots[:singles]])
        self._joined = [
            (cells(slot.columns), " " if slot.category == "user.name" else ", ") for slot in slots[singles:]
        ]
        self._consent = [(header, purpose, channel) for header, (purpose, channel) in spec.consent.items()]
        self._consent_cells = cells(list(spec.consent))
        self._as_of = cells(spec.as_of)
        self._region = cells(spec.region)

    def parse(self, number: int, cells: list[str], previous: ParsedRow | None) -> ParsedRow:
        cells.append("")
        row = ParsedRow(number=number)
        if self._order is not None:
            self._order_part(cells, row, previous)
        if row.rejected is None and self._returned is not None:
            self._return_part(cells, row)
        if row.rejected is not None:
            return row
        if self._line is not None:
            facts = self._line.read(self._line.cells(cells), row)
            if facts.get("line_id"):
                row.line = LineFacts(**facts)
        personal = list(map(str.strip, self._single(cells)))
        for parts, separator in self._joined:
            personal.append(separator.join(filter(None, map(str.strip, parts(cells)))))
        row.personal = tuple(personal)
        if self._consent:
            row.consents = self._consents(cells)
        row.as_of = _first_time(self._as_of(cells))
        row.region = _first_country(self._region(cells))
        return row

    def _order_part(self, cells: list[str], row: ParsedRow, previous: ParsedRow | None) -> None:
        assert self._order is not None
        raw = self._order.cells(cells)
        if previous is not None and previous.order is not None and previous.order_raw == raw:
            row.order, row.order_raw = previous.order, raw  # the next line of the same order: same facts
            return
        row.order_raw = raw
        facts = self._order.read(raw, row)
        if self._fixed:
            facts.update(self._fixed)
        if facts.get("order_id"):
            row.order = OrderFacts(channel=self.spec.channel, **facts)
        elif self.spec.inherit_order_from_previous and previous is not None and previous.order is not None:
            row.order = previous.order  # Shopify writes order columns on an order's first line only
        else:
            row.rejected = f"no order id in column '{self.spec.order['order_id']}'"

    def _return_part(self, cells: list[str], row: ParsedRow) -> None:
        assert self._returned is not None
        facts = self._returned.read(self._returned.cells(cells), row)
        key = "|".join(text.strip() for text in self._return_key(cells))
        if not facts.get("order_id") or not key.strip("|"):
            row.rejected = "no order id or return identifier"
            return
        row.returned = ReturnFacts(return_key=key[:160], **facts)

    def _consents(self, cells: list[str]) -> tuple[ConsentFlag, ...]:
        flags = []
        for (header, purpose, channel), text in zip(self._consent, self._consent_cells(cells), strict=True):
            answer = text.strip().lower()
            if answer in _YES or answer in _NO:
                flags.append(ConsentFlag(purpose, channel, answer in _YES, header))
        return tuple(flags)


def _first_time(texts: tuple[str, ...]) -> datetime | None:
    for text in texts:
        try:
            found = parse_time(text)
        except BadValue:
            continue  # already reported where the column is a fact
        if found is not None:
            return found
    return None


def _first_country(texts: tuple[str, ...]) -> str | None:
    for text in texts:
        if text.strip():
            try:
                return country_code(text)
            except BadValue:
                return None
    return None
