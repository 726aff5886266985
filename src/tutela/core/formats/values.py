"""Dates, amounts, countries and postal codes as seller files write them."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import pycountry

_SHOPIFY_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4})$")


class BadValue(ValueError):
    """A value that does not parse; the message names the problem, never the value."""


@functools.lru_cache(maxsize=1 << 12)
def parse_time(text: str) -> datetime | None:
    """ISO 8601 (with or without offset; a date alone is midnight UTC), or Shopify's
    '2026-05-01 12:34:56 +0200'. Empty is None. Cached: an order's times repeat on its lines."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _parse_other_time(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_other_time(value: str) -> datetime:
    shopify = _SHOPIFY_TIME.match(value)
    if shopify:
        value = f"{shopify.group(1)}T{shopify.group(2)}{shopify.group(3)}"
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue("not a date and time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_amount(text: str) -> Decimal | None:
    value = text.strip().replace(",", "") if text.count(",") and text.count(".") else text.strip().replace(",", ".")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise BadValue("not an amount") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise BadValue("not an amount")
    return amount.quantize(Decimal("0.01"))


def parse_quantity(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit():
        raise BadValue("not a whole number")
    return int(value)


_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str:
    """ISO 3166-1 alpha-2 from a code or an English name; BadValue if unknown."""
    value = text.strip()
    upper = value.upper()
    if upper in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[upper]
    try:
        country = pycountry.countries.lookup(value)
    except LookupError:
        raise BadValue("not a known country") from None
    return str(country.alpha_2)


_POSTAL = {
    "US": r"\d{5}(-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "AT": r"\d{4}",
    "CH": r"\d{4}",
    "PL": r"\d{2}-\d{3}",
    "JP": r"\d{3}-?\d{4}",
    "CN": r"\d{6}",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "AU": r"\d{4}",
}
_POSTAL_RE = {country: re.compile(pattern) for country, pattern in _POSTAL.items()}


def postal_code_ok(code: str, country: str | None) -> bool:
    """True when the country's format is unknown to us (we do not guess) or matches."""
    pattern = _POSTAL_RE.get(country or "")
    return pattern is None or pattern.fullmatch(code.strip().upper()) is not None
