"""Minimisation and accuracy at the door: which purpose, if any, a personal column is stored
under (the policy decides: a purpose must collect that category from that source), and
whether its value is valid. Decided once per (role, category) for a whole import."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from tutela.core.errors import InvalidValue
from tutela.core.formats.values import BadValue, country_code, postal_code_ok
from tutela.core.normalize import email_index_key, normalize_email, normalize_phone
from tutela.core.policy import Policy

# What a column is for -> the purposes that may hold it, in order of preference.
ROLE_PURPOSES: dict[str, tuple[str, ...]] = {
    "ship": ("fulfillment", "returns", "support"),
    "buyer": ("fulfillment", "support", "returns"),
    "bill": ("tax",),
    "account": ("support", "fulfillment"),
    "return_note": ("returns",),
    "note": ("support",),
    "buyer_name": (),
    "location": (),
}
ROLE_REASONS = {
    "buyer_name": "the recipient name serves fulfilment; the buyer's own name is only needed for invoicing,"
    " which this report is not",
    "location": "a location without a buyer (the report has no name, e-mail or phone): only the country and"
    " state are kept, on the order",
}

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
COUNTRY = "user.contact.address.country"
POSTAL = "user.contact.address.postal_code"
MAX_CHARS = 2000


@dataclass(frozen=True)
class Route:
    purpose: str | None
    reason: str  # why it is dropped, when purpose is None


class Router:
    def __init__(self, policy: Policy, source: str) -> None:
        self.policy = policy
        self.source = source
        self._routes: dict[tuple[str, str], Route] = {}

    def route(self, role: str, category: str) -> Route:
        key = (role, category)
        found = self._routes.get(key)
        if found is None:
            found = self._routes[key] = self._decide(role, category)
        return found

    def _decide(self, role: str, category: str) -> Route:
        candidates = ROLE_PURPOSES.get(role, ())
        if not candidates:
            return Route(None, ROLE_REASONS.get(role, "no purpose uses this column"))
        for key in candidates:
            purpose = self.policy.purposes.get(key)
            if purpose and category in purpose.categories and self.source in purpose.sources:
                return Route(key, "")
        named = " or ".join(f"'{c}'" for c in candidates)
        return Route(None, f"no purpose ({named}) collects {category} from {self.source}")


class Checked(NamedTuple):
    value: str
    valid: bool
    problem: str = ""
    index_key: str | None = None  # e-mail / phone blind-index input, only for valid values


_NORMALISED = frozenset({EMAIL, PHONE, COUNTRY, POSTAL})


def needs_checking(category: str) -> bool:
    """Whether values of the category are normalised or validated (else only their length)."""
    return category in _NORMALISED


_new_checked = tuple.__new__  # a Checked without the generated __new__'s Python frame


def checked_text(value: str) -> Checked:
    """A stripped value of a category with nothing to normalise (names, streets, cities)."""
    if len(value) > MAX_CHARS:
        return Checked(value[:MAX_CHARS], False, f"longer than {MAX_CHARS} characters")
    return _new_checked(Checked, (value, True, "", None))


@functools.lru_cache(maxsize=1 << 14)
def check_value(category: str, raw: str, region: str | None, country: str | None, shop_country: str) -> Checked:
    """Normalise what can be normalised; say what is wrong without quoting the value.
    Cached: a returning buyer's name, address and phone come back on every order."""
    value = raw.strip()
    if len(value) > MAX_CHARS:
        return Checked(value[:MAX_CHARS], False, f"longer than {MAX_CHARS} characters")
    if category == EMAIL:
        return _email(value)
    if category == PHONE:
        return _phone(value, region or shop_country)
    if category == COUNTRY:
        return _country(value)
    if category == POSTAL and not postal_code_ok(value, country):
        return Checked(value, False, f"not a postal code of {country}")
    return Checked(value, True)


def _country(value: str) -> Checked:
    try:
        return Checked(country_code(value), True)
    except BadValue:
        return Checked(value, False, "not a known country")


def _email(value: str) -> Checked:
    try:
        normalized = normalize_email(value)
    except InvalidValue:
        return Checked(value, False, "not a valid e-mail address")
    return Checked(normalized, True, index_key=email_index_key(normalized))


def _phone(value: str, region: str) -> Checked:
    try:
        normalized = normalize_phone(value, region)
    except InvalidValue:
        return Checked(value, False, "not a possible phone number")
    return Checked(normalized, True, index_key=normalized[1:])
