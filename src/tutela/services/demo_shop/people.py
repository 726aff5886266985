"""Invented people: names, addresses per country, valid phone numbers, e-mails, and Windows-1252 safe copies."""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

import phonenumbers
from faker import Faker

from tutela.services.demo_shop.randomness import ALNUM_LOWER, random_text

RETURNING_SHARE = 0.30
_SEPARATE_BILLING_SHARE = 0.15
_PHONE_ATTEMPTS = 200


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str  # state, county or prefecture as the buyer typed it; often empty in Europe
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    name: str
    email: str
    phone: str
    ship_to: Address
    bill_to: Address


def _cp1252_text(text: str) -> str:
    """Keeps a value encodable as Windows-1252: letters it lacks lose their accents, anything else becomes '?'."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(_cp1252_char(ch) for ch in text)
    return text


def _cp1252_char(ch: str) -> str:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        return bare.encode("cp1252", errors="replace").decode("cp1252")
    return ch


def _cp1252_address(address: Address) -> Address:
    return replace(
        address,
        line1=_cp1252_text(address.line1),
        line2=_cp1252_text(address.line2),
        city=_cp1252_text(address.city),
        state=_cp1252_text(address.state),
    )


def cp1252_person(person: Person) -> Person:
    return replace(
        person,
        first_name=_cp1252_text(person.first_name),
        last_name=_cp1252_text(person.last_name),
        name=_cp1252_text(person.name),
        ship_to=_cp1252_address(person.ship_to),
        bill_to=_cp1252_address(person.bill_to),
    )


def phone_number(rng: random.Random, region: str, number_format: int) -> str:
    """A number phonenumbers accepts for region, drawn digit by digit until valid.

    The example number's leading digit is kept because it decides mobile or landline in most plans; North
    American area codes start with any digit from 2 to 9, so there it is drawn too."""
    wanted = phonenumbers.PhoneNumberType.MOBILE if rng.random() < 0.7 else phonenumbers.PhoneNumberType.FIXED_LINE
    example = phonenumbers.example_number_for_type(region, wanted)
    assert example is not None
    digits = phonenumbers.national_significant_number(example)
    for _ in range(_PHONE_ATTEMPTS):
        leading = rng.choice("23456789") if example.country_code == 1 else digits[0]
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code,
            national_number=int(leading + random_text(rng, string.digits, len(digits) - 1)),
        )
        if phonenumbers.is_valid_number_for_region(candidate, region):
            return phonenumbers.format_number(candidate, number_format)
    return phonenumbers.format_number(example, number_format)  # the example is valid by definition


def _us_address(fake: Faker, rng: random.Random, country: str) -> Address:
    state = fake.state_abbr(include_territories=False, include_freely_associated_states=False)
    line2 = fake.secondary_address() if rng.random() < 0.25 else ""
    return Address(fake.street_address(), line2, fake.city(), state, fake.zipcode_in_state(state), country)


def _gb_address(fake: Faker, rng: random.Random, country: str) -> Address:
    # en_GB street addresses are sometimes two lines ("Flat 3\nHigh Street"); reports keep them in two columns
    first, _, rest = fake.street_address().partition("\n")
    county = fake.administrative_unit() if rng.random() < 0.5 else ""
    return Address(first, rest.replace("\n", ", "), fake.city(), county, fake.postcode(), country)


def _german_address(fake: Faker, rng: random.Random, country: str) -> Address:
    state = fake.administrative_unit() if rng.random() < 0.2 else ""
    return Address(fake.street_address(), "", fake.city(), state, fake.postcode(), country)


def _french_address(fake: Faker, rng: random.Random, country: str) -> Address:
    state = fake.region() if rng.random() < 0.2 else ""
    return Address(fake.street_address(), "", fake.city(), state, fake.postcode(), country)


def _dutch_address(fake: Faker, rng: random.Random, country: str) -> Address:
    postcode = fake.postcode().replace(" ", "")  # Faker sometimes drops the space in "1234 AB"
    return Address(fake.street_address(), "", fake.city(), "", f"{postcode[:4]} {postcode[4:]}", country)


def _japanese_address(fake: Faker, rng: random.Random, country: str) -> Address:
    line1 = f"{fake.town()}{fake.chome()}{fake.ban()}{fake.gou()}"
    line2 = f"{fake.building_name()}{fake.building_number()}" if rng.random() < 0.5 else ""
    return Address(line1, line2, fake.city(), fake.prefecture(), fake.zipcode(), country)


_ADDRESS_BUILDERS: dict[str, Callable[[Faker, random.Random, str], Address]] = {
    "en_US": _us_address,
    "en_GB": _gb_address,
    "de_DE": _german_address,
    "de_AT": _german_address,
    "fr_FR": _french_address,
    "nl_NL": _dutch_address,
    "ja_JP": _japanese_address,
}


def new_person(fake: Faker, rng: random.Random, *, locale: str, country: str, email: str, phone: str) -> Person:
    first, last = fake.first_name(), fake.last_name()
    build_address = _ADDRESS_BUILDERS[locale]
    ship_to = build_address(fake, rng, country)
    bill_to = build_address(fake, rng, country) if rng.random() < _SEPARATE_BILLING_SHARE else ship_to
    name = f"{last} {first}" if locale == "ja_JP" else f"{first} {last}"  # Japanese names put the family name first
    return Person(first, last, name, email, phone, ship_to, bill_to)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch in ALNUM_LOWER)


def personal_email(fake: Faker, rng: random.Random, first: str, last: str) -> str:
    first_slug, last_slug = _ascii_slug(first) or "kunde", _ascii_slug(last) or "mail"
    local = rng.choice(
        (
            f"{first_slug}.{last_slug}",
            f"{first_slug[0]}.{last_slug}",
            f"{first_slug}{last_slug}{rng.randint(1, 99)}",
            f"{last_slug}.{first_slug}",
        )
    )
    return f"{local}@{fake.free_email_domain()}"
