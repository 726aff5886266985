#!/usr/bin/env python3
"""The scanner's labeled corpus: synthetic e-commerce documents in eight locales, generated
with Faker from a fixed seed (the generator is stored, never the megabytes it makes).

    python bench/scan_corpus.py [--check] [--documents N] [--small] [--seed 2026] [--dump DIR]

Kinds: Amazon order-report rows (tab-separated), support e-mails, return requests, chat
transcripts, application logs, JSON / NDJSON records, customer exports (CSV), Chinese and
Japanese seller-team messages. Locales: en_US, en_GB, de_DE, fr_FR, es_ES, it_IT, ja_JP,
zh_CN. Every document is built by appending pieces, and a label is recorded as its value is
appended, so every span is exact by construction; `--check` proves it and validates the
checksummed values (Luhn, mod-97, ISO 7064, SSN rules, phonenumbers).

Label granularity — (start, end, type) with `type` a tutela PiiType value:

- person_name: the full name as written, one span ("Anna Schmidt", "山田 太郎", "张伟"),
  without a title or salutation ("Dear Ms. " is outside the span).
- street_address: the street line — house number and street, plus building or unit when
  they are on the same line; never the city, postal code, state or country. A Japanese or
  Chinese address written as one run (prefecture/province through house number, as those
  addresses are written) is one street_address span; its postal code is separate.
- postal_code: the code alone (ZIP, ZIP+4, UK postcode, PLZ, CAP, 〒 code without the 〒
  mark, Chinese 邮编), labeled wherever it appears next to an address or in a postal column.
- phone: the number as written, including a +country prefix and its separators; Chinese
  mainland mobile numbers are cn_mobile instead (never phone), also with +86 when written.
- email: every other address, role mailboxes (support@…) included: a scanner cannot tell
  them apart, and a leak of one still names a correspondent; amazon_relay_email: an
  address @marketplace.amazon.<tld>.
- payment_card: the number as written (compact, or grouped by spaces or dashes); all pass Luhn.
- iban: compact or grouped in fours; all pass mod-97. us_ssn: AAA-GG-SSSS, valid by the SSA
  rules. cn_resident_id: 18 characters with a correct ISO 7064 mod 11-2 check character.
- ip_address: IPv4 or IPv6. date_of_birth: the date only, always with a context word
  nearby (a label in the document's language, or a column header such as date_of_birth).
- amazon_order_id: ddd-ddddddd-ddddddd.

Unlabeled hard negatives are everywhere: SKUs, ASINs (B0…), tracking numbers (UPS 1Z…,
USPS 22 digits, DHL, Royal Mail), 14-digit order-item ids, UUIDs, epoch seconds and
milliseconds, prices, version strings, hex hashes, product dimensions, EANs, other dates.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import phonenumbers
from faker import Faker

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ja_JP", "zh_CN")
TYPES = (
    "email", "amazon_relay_email", "phone", "person_name", "street_address", "postal_code", "payment_card",
    "iban", "us_ssn", "ip_address", "date_of_birth", "amazon_order_id", "cn_mobile", "cn_resident_id",
)  # fmt: skip
DEFAULT_DOCUMENTS = 1500
SMALL_DOCUMENTS = 300


class Label(NamedTuple):
    start: int
    end: int
    type: str


@dataclass(slots=True)
class Document:
    text: str
    kind: str
    locale: str
    labels: list[Label]
    # The value appended for each label, in label order: what `--check` compares against.
    values: list[str] = field(default_factory=list, repr=False)


class _Builder:
    """Appends pieces and records a label at the offset where its value goes in."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self.labels: list[Label] = []
        self.values: list[str] = []

    def add(self, *pieces: str) -> None:
        for piece in pieces:
            self._parts.append(piece)
            self._pos += len(piece)

    def pii(self, value: str, kind: str) -> None:
        assert kind in TYPES, kind
        self.labels.append(Label(self._pos, self._pos + len(value), kind))
        self.values.append(value)
        self.add(value)

    def put(self, piece: str | tuple[str, str] | None) -> None:
        """A cell that may or may not be personal data: (value, type) is labeled."""
        if piece is None:
            return
        if isinstance(piece, tuple):
            self.pii(*piece)
        else:
            self.add(piece)

    def document(self, kind: str, locale: str) -> Document:
        return Document("".join(self._parts), kind, locale, self.labels, self.values)


Cell = str | tuple[str, str]

# ---------------------------------------------------------------------------------------
# Values that checksums make valid: generated here rather than trusted from a library.


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def cn_id_check(first17: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def ssn_ok(ssn: str) -> bool:
    area, group, serial = ssn.split("-")
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


# Area codes of real districts (the first six digits of a resident id name one).
_CN_AREAS = ("110101", "110105", "310104", "310115", "440106", "440305", "330106", "320102", "510107",
             "420111", "610113", "120103", "500103", "370202", "350203", "210102")  # fmt: skip
_CN_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                       "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "186",
                       "187", "188", "189", "191", "198", "199")  # fmt: skip
_US_AREAS = ("201", "206", "212", "213", "303", "312", "404", "415", "503", "512", "602", "617", "702",
             "713", "718", "805", "919")  # fmt: skip
_PHONE_REGION = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "it_IT": "IT",
                 "ja_JP": "JP", "zh_CN": "CN"}  # fmt: skip
_MARKET = {"en_US": "com", "en_GB": "co.uk", "de_DE": "de", "fr_FR": "fr", "es_ES": "es", "it_IT": "it",
           "ja_JP": "co.jp", "zh_CN": "cn"}  # fmt: skip
_ORDER_PREFIX = {"en_US": ("111", "112", "113", "114"), "en_GB": ("202", "203", "204", "205", "206"),
                 "de_DE": ("302", "303", "304", "305", "306"), "fr_FR": ("402", "403", "404", "405"),
                 "es_ES": ("405", "406", "407"), "it_IT": ("403", "404", "408"), "ja_JP": ("249", "250", "503"),
                 "zh_CN": ("471", "472", "473")}  # fmt: skip
_COUNTRY = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "it_IT": "IT",
            "ja_JP": "JP", "zh_CN": "CN"}  # fmt: skip
_CURRENCY = {"en_US": "USD", "en_GB": "GBP", "de_DE": "EUR", "fr_FR": "EUR", "es_ES": "EUR", "it_IT": "EUR",
             "ja_JP": "JPY", "zh_CN": "CNY"}  # fmt: skip
_CARD_TYPES = ("visa", "visa", "mastercard", "mastercard2", "amex", "discover", "jcb", "diners")
_EPOCH_START = datetime(2025, 1, 1, tzinfo=UTC)
# Carriers' number shapes (see _Locale.fill): USPS 22 digits, UPS 1Z + 16, DHL Express 10
# digits or JJD + 18, Royal Mail S10, Yamato 12 digits in fours, SF Express, DPD 14 digits.
_TRACKING = (
    ("UPS", "1ZAAAAAADDDDDDDDDD"), ("USPS", "9400DDDDDDDDDDDDDDDDDD"), ("USPS", "9205DDDDDDDDDDDDDDDDDD"),
    ("USPS", "9361DDDDDDDDDDDDDDDDDD"), ("DHL", "DDDDDDDDDD"), ("DHL", "JJDDDDDDDDDDDDDDDDDDDD"),
    ("Royal Mail", "LLDDDDDDDDDGB"), ("Yamato", "DDDD-DDDD-DDDD"), ("SF Express", "SFDDDDDDDDDDDDD"),
    ("DPD", "0DDDDDDDDDDDDD"),
)  # fmt: skip


@dataclass(slots=True)
class Address:
    street: str
    city: str
    state: str
    postal: str
    country: str
    # A Japanese or Chinese report splits the run: the street part goes in ship-address-1,
    # prefecture/province and city in their own columns. Elsewhere it is the street line.
    local: str = ""


def _stable_order(fake: Faker) -> None:
    """Some providers build their lists from a set (it_IT's cities), whose order changes with
    Python's per-process hash seed; a list of strings in a set order is sorted, so the same
    seed gives the same corpus in every process."""
    for provider in fake.providers:
        for name, value in vars(type(provider)).items():
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                setattr(provider, name, sorted(value))


# A quarter of the Latin-script names are made up from syllables rather than taken from
# Faker's name lists, which tutela's name gazetteer is also built from: names the gazetteer
# cannot know, found by context alone, keep the person_name score honest.
HELD_OUT_NAMES = 0.25
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "tr", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_CODAS = ("", "", "n", "r", "s", "l", "m", "x")


class _Locale:
    """Faker and a random generator for one locale, and the values a document needs."""

    def __init__(self, locale: str, seed: int, rng: random.Random) -> None:
        self.locale = locale
        self.lang = locale[:2]
        self.fake = Faker(locale)
        _stable_order(self.fake)
        self.fake.seed_instance(seed)
        # Card brands are locale-specific in Faker (ru_RU knows Mir, ja_JP lacks Discover);
        # the US provider has every brand the issue names.
        self.cards = Faker("en_US")
        self.cards.seed_instance(seed + 1000)
        self.rng = rng
        self.region = _PHONE_REGION[locale]
        self._phone_templates = [
            phonenumbers.example_number_for_type(self.region, t)
            for t in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        ]

    # -- people ---------------------------------------------------------------------------
    def name(self) -> str:
        f = self.fake
        if self.lang == "ja":
            return f.last_name() + self.rng.choice((" ", "", "\u3000")) + f.first_name()
        if self.lang == "zh":
            return f.last_name() + f.first_name()
        if self.rng.random() < HELD_OUT_NAMES:
            return f"{self._made_up_word()} {self._made_up_word()}"
        return f"{f.first_name()} {f.last_name()}"

    def _made_up_word(self) -> str:
        """A name-like word from syllables: in no name list, so only the context around it
        (a greeting, a label, a column header) can tell a detector it is a name."""
        rng = self.rng
        syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3))]
        return ("".join(syllables) + rng.choice(_CODAS)).capitalize()

    def email(self) -> str:
        return self.rng.choice((self.fake.email, self.fake.free_email, self.fake.company_email))()

    def relay_email(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        local = "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(13, 16)))
        return f"{local}@marketplace.amazon.{_MARKET[self.locale]}"

    def phone(self) -> str:
        """A number phonenumbers accepts as valid, formatted as people write it."""
        rng = self.rng
        for _ in range(200):
            template = rng.choice(self._phone_templates)
            national = str(template.national_number)
            if self.region == "US":
                digits = rng.choice(_US_AREAS) + str(rng.randint(2, 9)) + "".join(rng.choices(string.digits, k=6))
            else:
                keep = 2 if len(national) > 8 else 1
                digits = national[:keep] + "".join(rng.choices(string.digits, k=len(national) - keep))
            number = phonenumbers.parse("+" + str(template.country_code) + digits)
            if phonenumbers.is_valid_number(number):
                break
        style = rng.random()
        if style < 0.45:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if style < 0.85:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def cn_mobile(self) -> str:
        rng = self.rng
        digits = rng.choice(_CN_MOBILE_PREFIXES) + "".join(rng.choices(string.digits, k=8))
        style = rng.random()
        if style < 0.5:
            return digits
        if style < 0.7:
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        if style < 0.8:
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}" if style < 0.9 else f"+86{digits}"

    def contact_phone(self) -> tuple[str, str]:
        if self.lang == "zh":
            return self.cn_mobile(), "cn_mobile"
        return self.phone(), "phone"

    def birth_date(self) -> date:
        return date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 55))

    def dob_text(self, iso: bool = False) -> str:
        d = self.birth_date()
        if iso:
            return d.isoformat()
        lang, rng = self.lang, self.rng
        if lang in {"ja", "zh"}:
            return f"{d.year}年{d.month}月{d.day}日" if rng.random() < 0.7 else d.isoformat()
        if self.locale == "en_US":
            return d.strftime("%m/%d/%Y") if rng.random() < 0.6 else d.strftime("%B %-d, %Y")
        if self.locale == "en_GB":
            return d.strftime("%d/%m/%Y") if rng.random() < 0.6 else d.strftime("%-d %B %Y")
        if lang == "de":
            return d.strftime("%d.%m.%Y")
        return d.strftime("%d/%m/%Y")

    # -- addresses -----------------------------------------------------------------------
    def address(self) -> Address:
        f, loc = self.fake, self.locale
        if loc == "ja_JP":
            # Written as one run from the prefecture to the house number, like a real label.
            city = f.city()
            pref = f.prefecture()
            local = f"{f.town()}{f.chome()}{f.ban()}{f.gou()}"
            if self.rng.random() < 0.4:
                local += f" {f.building_name()}{self.rng.randint(101, 1205)}号室"
            return Address(pref + city + local, city, pref, f.zipcode(), "日本", local)
        if loc == "zh_CN":
            province, city = f.province(), f.city_name()
            local = f"{f.district()}区{f.street_name()}{self.rng.randint(1, 999)}号"
            if self.rng.random() < 0.4:
                local += f"{self.rng.randint(1, 30)}栋{self.rng.randint(101, 2804)}室"
            return Address(f"{province}{city}市{local}", city + "市", province, f.postcode(), "中国", local)
        if loc == "fr_FR":
            street = f"{f.building_number()} {f.street_name()}"
        else:
            # Faker puts a UK flat on a line of its own; the street line keeps it, as a label printer does.
            street = ", ".join(part.strip() for part in f.street_address().splitlines() if part.strip())
        state = ""
        if loc in {"en_US", "it_IT"}:
            state = f.state_abbr()
        elif loc == "es_ES":
            state = f.state_name()
        postal = f.zipcode_plus4() if loc == "en_US" and self.rng.random() < 0.15 else f.postcode()
        country = {"en_US": "United States", "en_GB": "United Kingdom", "de_DE": "Deutschland",
                   "fr_FR": "France", "es_ES": "España", "it_IT": "Italia"}[loc]  # fmt: skip
        return Address(street, f.city(), state, postal, country, street)

    def address_block(self, b: _Builder, addr: Address, indent: str = "") -> None:
        """A postal address as written in a letter, in this locale's order."""
        loc = self.locale
        if loc == "ja_JP":
            b.add(indent, "〒")
            b.pii(addr.postal, "postal_code")
            b.add("\n", indent)
            b.pii(addr.street, "street_address")
            b.add("\n")
            return
        if loc == "zh_CN":
            b.add(indent)
            b.pii(addr.street, "street_address")
            b.add("\n", indent, "邮编：")
            b.pii(addr.postal, "postal_code")
            b.add("\n")
            return
        b.add(indent)
        b.pii(addr.street, "street_address")
        b.add("\n", indent)
        if loc == "en_US":
            b.add(f"{addr.city}, {addr.state} ")
            b.pii(addr.postal, "postal_code")
        elif loc == "en_GB":
            b.add(addr.city, "\n", indent)
            b.pii(addr.postal, "postal_code")
        else:
            b.pii(addr.postal, "postal_code")
            b.add(" ", addr.city)
            if loc == "it_IT":
                b.add(f" ({addr.state})")
        b.add("\n", indent, addr.country, "\n")

    def address_inline(self, b: _Builder, addr: Address) -> None:
        """A one-line address, as in a chat or a log message."""
        if self.locale == "ja_JP":
            b.add("〒")
            b.pii(addr.postal, "postal_code")
            b.add(" ")
            b.pii(addr.street, "street_address")
        elif self.locale == "zh_CN":
            b.pii(addr.street, "street_address")
            b.add("（邮编 ")
            b.pii(addr.postal, "postal_code")
            b.add("）")
        elif self.locale == "en_US":
            b.pii(addr.street, "street_address")
            b.add(f", {addr.city}, {addr.state} ")
            b.pii(addr.postal, "postal_code")
        elif self.locale == "en_GB":
            b.pii(addr.street, "street_address")
            b.add(f", {addr.city} ")
            b.pii(addr.postal, "postal_code")
        else:
            b.pii(addr.street, "street_address")
            b.add(", ")
            b.pii(addr.postal, "postal_code")
            b.add(" ", addr.city)

    # -- money and identity ----------------------------------------------------------------
    def card(self) -> str:
        rng = self.rng
        kind = rng.choice(_CARD_TYPES)
        if kind == "mastercard2":
            # Faker draws the 2-series rarely; the issue asks for it explicitly.
            body = str(rng.randint(2221, 2720)) + "".join(rng.choices(string.digits, k=11))
            number = body + next(d for d in string.digits if luhn_ok(body + d))
        else:
            number = self.cards.credit_card_number(kind)
        assert luhn_ok(number), number
        style = rng.random()
        if style < 0.5:
            return number
        sep = " " if style < 0.85 else "-"
        if len(number) == 15 or len(number) == 14:
            groups = [number[:4], number[4:10], number[10:]]
        else:
            groups = [number[i : i + 4] for i in range(0, len(number), 4)]
        return sep.join(groups)

    def iban(self) -> str:
        # Faker only knows a country's IBAN format in that country's locale; elsewhere it
        # falls back to GB, which is fine: buyers bank abroad too.
        value = self.fake.iban()
        if self.rng.random() < 0.5:
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ssn(self) -> str:
        rng = self.rng
        area = rng.choice([a for a in (rng.randint(1, 899),) if a != 666] or [123])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"

    def cn_resident_id(self) -> str:
        born = self.birth_date()
        first17 = self.rng.choice(_CN_AREAS) + born.strftime("%Y%m%d") + f"{self.rng.randint(0, 999):03d}"
        return first17 + cn_id_check(first17)

    def ipv4(self) -> str:
        return self.fake.ipv4_public()

    def ip(self) -> str:
        return self.fake.ipv6() if self.rng.random() < 0.25 else self.fake.ipv4_public()

    # -- order data and hard negatives -----------------------------------------------------------
    def order_id(self) -> str:
        rng = self.rng
        return f"{rng.choice(_ORDER_PREFIX[self.locale])}-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"

    def order_item_id(self) -> str:
        return str(self.rng.randint(10**13, 10**14 - 1))

    def asin(self) -> str:
        return "B0" + "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=8))

    def sku(self) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.3:
            kind, colour = rng.choice(("TSH", "MUG", "LMP", "CBL", "BAG")), rng.choice(("BLK", "WHT", "RED", "NVY"))
            return f"{kind}-{colour}-{rng.choice(('S', 'M', 'L', 'XL'))}-{rng.randint(100, 9999)}"
        if style < 0.6:
            return f"SKU{rng.randint(10000, 9999999)}"
        if style < 0.8:
            return "".join(rng.choices(string.ascii_uppercase, k=2)) + "-" + str(rng.randint(10**5, 10**7))
        return f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}-{rng.choice(string.ascii_uppercase)}"

    def tracking(self) -> tuple[str, str]:
        carrier, pattern = self.rng.choice(_TRACKING)
        return carrier, self.fill(pattern)

    def fill(self, pattern: str) -> str:
        """D a digit, A an upper-case letter or digit, L a letter; anything else as is."""
        pools = {"D": string.digits, "A": string.ascii_uppercase + string.digits, "L": string.ascii_uppercase}
        return "".join(self.rng.choice(pools[c]) if c in pools else c for c in pattern)

    def price(self) -> str:
        value = self.rng.randint(199, 49999) / 100
        if self.locale == "ja_JP":
            return str(int(value * 100))
        return f"{value:.2f}"

    def shipping_price(self) -> str:
        # Shipping costs little; a five-digit yen "shipping price" would read as a postcode.
        cost = self.rng.choice((0, 0, 299, 399, 499, 799, 1299))
        if self.locale == "ja_JP":
            return str(cost if cost < 500 else cost // 2)
        return f"{cost / 100:.2f}"

    def price_text(self) -> str:
        value = self.rng.randint(199, 49999) / 100
        loc = self.locale
        if loc == "en_US":
            return f"${value:,.2f}"
        if loc == "en_GB":
            return f"£{value:,.2f}"
        if loc == "ja_JP":
            return f"¥{int(value * 100):,}"
        if loc == "zh_CN":
            return f"¥{value:.2f}"
        return f"{value:,.2f} €".replace(",", " ").replace(".", ",")

    def dimensions(self) -> str:
        rng = self.rng
        if self.locale == "en_US":
            return f"{rng.randint(20, 400) / 10} x {rng.randint(20, 300) / 10} x {rng.randint(10, 200) / 10} inches"
        return f"{rng.randint(5, 90)} x {rng.randint(5, 60)} x {rng.randint(1, 40)} cm"

    def version(self) -> str:
        rng = self.rng
        return f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 200)}"

    def ean(self) -> str:
        return str(self.rng.randint(4 * 10**12, 5 * 10**12 - 1))

    def timestamp(self, day_span: int = 365) -> datetime:
        return _EPOCH_START + timedelta(seconds=self.rng.randrange(day_span * 86400))

    def uuid(self) -> str:
        return self.fake.uuid4()

    def product(self) -> str:
        return {
            "en": ("Stainless Steel Water Bottle 750ml", "USB-C Cable 2m (3-pack)", "Cotton T-Shirt, Navy, XL",
                   "LED Desk Lamp with Dimmer", "Ceramic Coffee Mug 350 ml"),
            "de": ("Edelstahl Trinkflasche 750ml", "USB-C Kabel 2m (3er Pack)", "Baumwoll T-Shirt, Marine, XL",
                   "LED Schreibtischlampe dimmbar"),
            "fr": ("Gourde en acier inoxydable 750 ml", "Câble USB-C 2 m (lot de 3)", "Lampe de bureau LED"),
            "es": ("Botella de agua de acero 750 ml", "Cable USB-C 2 m (pack de 3)", "Lámpara de escritorio LED"),
            "it": ("Borraccia in acciaio 750 ml", "Cavo USB-C 2 m (3 pezzi)", "Lampada da scrivania LED"),
            "ja": ("ステンレス水筒 750ml", "USB-Cケーブル 2m 3本セット", "LEDデスクライト 調光機能付き"),
            "zh": ("不锈钢保温杯 750毫升", "USB-C 数据线 2米 三条装", "LED 护眼台灯 可调光"),
        }[self.lang][self.rng.randrange(3)]  # fmt: skip


# ---------------------------------------------------------------------------------------
# Phrases per language: support mail, returns, chats.

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Dear {t}", "hi": "Hi ", "thanks": "Thank you for contacting us about order ",
        "late": ". We are sorry your parcel has not arrived yet. The carrier ({c}) shows tracking number {n}. "
                "Could you please confirm the delivery address below?",
        "ship_to": "Shipping address on file:", "phone": "Phone: ", "call": "If it is easier, we can call you on ",
        "card": "The refund of {p} goes back to the card you paid with, ", "iban": "Please send the refund to my IBAN ",
        "dob": "Date of birth: ", "dob_ctx": "For age verification the customer gave DOB ",
        "bye": "Kind regards,\n", "team": "Customer Service", "ssn": "SSN: ",
        "reason": "Reason: item arrived damaged, box dimensions {d}.", "return": "Return request",
        "customer": "Customer: ", "email": "Email: ", "order": "Order: ", "pickup": "Pickup address: ",
        "refund": "Refund method: ", "chat_c": "Customer", "chat_a": "Agent",
        "c1": "hi, my order {o} still hasn't arrived", "a1": "Sorry! Can you confirm your name and address?",
        "c3": "you can also reach me at ", "c4": "or email me: ", "a2": "Thanks, I've reshipped it. New tracking: {n}",
    },
    "de": {
        "hello": "Sehr geehrte/r {t}", "hi": "Hallo ", "thanks": "vielen Dank für Ihre Nachricht zur Bestellung ",
        "late": ". Es tut uns leid, dass Ihr Paket noch nicht angekommen ist. Der Versanddienst ({c}) meldet die "
                "Sendungsnummer {n}. Bitte bestätigen Sie die Lieferadresse:",
        "ship_to": "Lieferadresse:", "phone": "Tel.: ", "call": "Gerne rufen wir Sie an unter ",
        "card": "Die Erstattung von {p} erfolgt auf die Karte ", "iban": "Bitte erstatten Sie auf IBAN ",
        "dob": "Geburtsdatum: ", "dob_ctx": "Zur Altersprüfung: Kunde geboren am ",
        "bye": "Mit freundlichen Grüßen\n", "team": "Kundenservice", "ssn": "SSN: ",
        "reason": "Grund: Artikel beschädigt, Karton {d}.", "return": "Rücksendeantrag",
        "customer": "Kunde: ", "email": "E-Mail: ", "order": "Bestellung: ", "pickup": "Abholadresse: ",
        "refund": "Erstattung: ", "chat_c": "Kunde", "chat_a": "Support",
        "c1": "Hallo, meine Bestellung {o} ist immer noch nicht da", "a1": "Das tut mir leid! Name und Adresse bitte?",
        "c3": "Sie erreichen mich auch unter ", "c4": "oder per Mail: ", "a2": "Danke, neu versendet: {n}",
    },
    "fr": {
        "hello": "Bonjour {t}", "hi": "Bonjour ", "thanks": "merci pour votre message concernant la commande ",
        "late": ". Nous sommes désolés que votre colis ne soit pas encore arrivé. Le transporteur ({c}) indique le "
                "numéro de suivi {n}. Pouvez-vous confirmer l'adresse de livraison ?",
        "ship_to": "Adresse de livraison :", "phone": "Tél. : ", "call": "Nous pouvons vous rappeler au ",
        "card": "Le remboursement de {p} sera effectué sur la carte ", "iban": "Merci de rembourser sur mon IBAN ",
        "dob": "Date de naissance : ", "dob_ctx": "Vérification d'âge : client né le ",
        "bye": "Cordialement,\n", "team": "Service client", "ssn": "SSN : ",
        "reason": "Motif : article endommagé, carton {d}.", "return": "Demande de retour",
        "customer": "Client : ", "email": "E-mail : ", "order": "Commande : ", "pickup": "Adresse d'enlèvement : ",
        "refund": "Remboursement : ", "chat_c": "Client", "chat_a": "Conseiller",
        "c1": "bonjour, ma commande {o} n'est toujours pas arrivée", "a1": "Désolé ! Vos nom et adresse ?",
        "c3": "vous pouvez aussi m'appeler au ", "c4": "ou par mail : ", "a2": "Merci, renvoyé. Nouveau suivi : {n}",
    },
    "es": {
        "hello": "Estimado/a {t}", "hi": "Hola ", "thanks": "gracias por escribirnos sobre el pedido ",
        "late": ". Lamentamos que su paquete aún no haya llegado. El transportista ({c}) indica el número de "
                "seguimiento {n}. ¿Puede confirmar la dirección de entrega?",
        "ship_to": "Dirección de envío:", "phone": "Tel.: ", "call": "Podemos llamarle al ",
        "card": "El reembolso de {p} se hará a la tarjeta ", "iban": "Por favor, hagan el reembolso a mi IBAN ",
        "dob": "Fecha de nacimiento: ", "dob_ctx": "Verificación de edad: cliente nacido el ",
        "bye": "Un saludo,\n", "team": "Atención al cliente", "ssn": "SSN: ",
        "reason": "Motivo: artículo dañado, caja {d}.", "return": "Solicitud de devolución",
        "customer": "Cliente: ", "email": "Correo: ", "order": "Pedido: ", "pickup": "Dirección de recogida: ",
        "refund": "Reembolso: ", "chat_c": "Cliente", "chat_a": "Agente",
        "c1": "hola, mi pedido {o} todavía no ha llegado", "a1": "¡Lo siento! ¿Me confirma nombre y dirección?",
        "c3": "también me puede llamar al ", "c4": "o escribirme a ", "a2": "Gracias, reenviado. Seguimiento: {n}",
    },
    "it": {
        "hello": "Gentile {t}", "hi": "Ciao ", "thanks": "grazie per averci scritto riguardo all'ordine ",
        "late": ". Ci dispiace che il pacco non sia ancora arrivato. Il corriere ({c}) indica il numero di "
                "spedizione {n}. Può confermare l'indirizzo di consegna?",
        "ship_to": "Indirizzo di spedizione:", "phone": "Tel.: ", "call": "Possiamo chiamarla al ",
        "card": "Il rimborso di {p} sarà accreditato sulla carta ", "iban": "Vi prego di rimborsare sul mio IBAN ",
        "dob": "Data di nascita: ", "dob_ctx": "Verifica dell'età: cliente nato il ",
        "bye": "Cordiali saluti,\n", "team": "Servizio clienti", "ssn": "SSN: ",
        "reason": "Motivo: articolo danneggiato, scatola {d}.", "return": "Richiesta di reso",
        "customer": "Cliente: ", "email": "Email: ", "order": "Ordine: ", "pickup": "Indirizzo di ritiro: ",
        "refund": "Rimborso: ", "chat_c": "Cliente", "chat_a": "Operatore",
        "c1": "ciao, il mio ordine {o} non è ancora arrivato", "a1": "Mi dispiace! Mi conferma nome e indirizzo?",
        "c3": "può chiamarmi anche al ", "c4": "o scrivermi a ", "a2": "Grazie, rispedito. Nuovo tracking: {n}",
    },
    "ja": {
        "hello": "{t}様", "hi": "", "thanks": "いつもご利用ありがとうございます。ご注文番号 ",
        "late": "の件でご連絡いたします。お荷物がまだ届いておらず申し訳ございません。配送業者（{c}）の"
                "追跡番号は {n} です。お届け先住所をご確認ください。",
        "ship_to": "お届け先：", "phone": "電話番号：", "call": "お電話でのご連絡先：",
        "card": "{p} の返金はご利用のカード ", "iban": "返金先 IBAN：", "dob": "生年月日：",
        "dob_ctx": "年齢確認のため、お客様の生年月日 ", "bye": "よろしくお願いいたします。\n",
        "team": "カスタマーサービス", "ssn": "SSN：", "reason": "理由：商品破損、箱サイズ {d}。",
        "return": "返品リクエスト", "customer": "お客様：", "email": "メール：", "order": "注文番号：",
        "pickup": "集荷先：", "refund": "返金方法：", "chat_c": "お客様", "chat_a": "担当",
        "c1": "注文 {o} がまだ届きません", "a1": "申し訳ございません。お名前とご住所を教えてください。",
        "c3": "電話は ", "c4": "メールは ", "a2": "再発送しました。追跡番号：{n}",
    },
    "zh": {
        "hello": "尊敬的{t}", "hi": "", "thanks": "您好，感谢您就订单 ",
        "late": " 联系我们。很抱歉您的包裹尚未送达。承运商（{c}）显示运单号 {n}。请确认以下收货地址：",
        "ship_to": "收货地址：", "phone": "电话：", "call": "我们可以致电 ", "card": "{p} 的退款将退回到银行卡 ",
        "iban": "请退款到我的 IBAN ", "dob": "出生日期：", "dob_ctx": "年龄核验：客户生日 ",
        "bye": "祝好，\n", "team": "客服部", "ssn": "SSN：", "reason": "原因：商品损坏，包装尺寸 {d}。",
        "return": "退货申请", "customer": "客户：", "email": "邮箱：", "order": "订单号：", "pickup": "取件地址：",
        "refund": "退款方式：", "chat_c": "客户", "chat_a": "客服",
        "c1": "你好，我的订单 {o} 还没到", "a1": "抱歉！请提供您的姓名和地址。", "c3": "电话 ",
        "c4": "邮箱 ", "a2": "已重新发货，新运单号：{n}",
    },
}  # fmt: skip


def _title(loc: _Locale) -> str:
    if loc.lang in {"ja", "zh"}:
        return ""
    return loc.rng.choice({"en": ("Mr. ", "Ms. ", ""), "de": ("Frau ", "Herr ", ""), "fr": ("Madame ", "Monsieur "),
                           "es": ("Sr. ", "Sra. ", ""), "it": ("Sig. ", "Sig.ra ", "")}[loc.lang])  # fmt: skip


def _customer_email(loc: _Locale) -> tuple[str, str]:
    if loc.rng.random() < 0.4:
        return loc.relay_email(), "amazon_relay_email"
    return loc.email(), "email"


# ---------------------------------------------------------------------------------------
# Document kinds.

_REPORT_HEADER = (
    "order-id", "order-item-id", "purchase-date", "payments-date", "buyer-email", "buyer-name",
    "buyer-phone-number", "sku", "asin", "product-name", "quantity-purchased", "currency", "item-price",
    "shipping-price", "ship-service-level", "recipient-name", "ship-address-1", "ship-address-2", "ship-city",
    "ship-state", "ship-postal-code", "ship-country", "carrier", "tracking-number", "item-dimensions",
)  # fmt: skip


def order_report(loc: _Locale) -> _Builder:
    b = _Builder()
    rng = loc.rng
    b.add("\t".join(_REPORT_HEADER), "\r\n")
    for _ in range(rng.randint(4, 14)):
        name, addr = loc.name(), loc.address()
        recipient = name if rng.random() < 0.8 else loc.name()
        bought = loc.timestamp()
        paid = bought + timedelta(minutes=rng.randint(1, 90))
        carrier, tracking = loc.tracking()
        phone: Cell = loc.contact_phone() if rng.random() < 0.85 else ""
        cells: list[Cell] = [
            (loc.order_id(), "amazon_order_id"), loc.order_item_id(),
            bought.isoformat(timespec="seconds"), paid.isoformat(timespec="seconds"),
            (loc.relay_email(), "amazon_relay_email"), (name, "person_name"), phone, loc.sku(), loc.asin(),
            loc.product(), str(rng.randint(1, 3)), _CURRENCY[loc.locale], loc.price(), loc.shipping_price(),
            rng.choice(("Standard", "Expedited", "NextDay")), (recipient, "person_name"),
            (addr.local, "street_address"), "", addr.city, addr.state, (addr.postal, "postal_code"),
            _COUNTRY[loc.locale], carrier, tracking, loc.dimensions(),
        ]  # fmt: skip
        for i, cell in enumerate(cells):
            if i:
                b.add("\t")
            b.put(cell)
        b.add("\r\n")
    return b


def support_email(loc: _Locale) -> _Builder:
    b, rng, t = _Builder(), loc.rng, _TEXT[loc.lang]
    name, addr, agent = loc.name(), loc.address(), loc.name()
    order = loc.order_id()
    carrier, tracking = loc.tracking()
    mail, mail_type = _customer_email(loc)
    # A role mailbox is not a person's, but it is an address like any other to a scanner,
    # and every address is labeled: the labels say what a detector can see, not intent.
    b.add(f"From: {t['team']} <")
    b.pii(f"support@{loc.fake.domain_name()}", "email")
    b.add(">\nTo: ")
    b.pii(mail, mail_type)
    b.add(f"\nDate: {loc.timestamp().strftime('%a, %d %b %Y %H:%M:%S +0000')}\n")
    b.add(f"X-Ticket-ID: {loc.uuid()}\nSubject: {t['order']}")
    b.pii(order, "amazon_order_id")
    b.add("\n\n")
    salutation, _, rest = t["hello"].partition("{t}")
    b.add(salutation, _title(loc))
    b.pii(name, "person_name")
    b.add(rest, ",\n\n", t["thanks"])
    b.pii(order, "amazon_order_id")
    b.add(" ", t["late"].format(c=carrier, n=tracking), "\n\n", t["ship_to"], "\n")
    b.add("    ")
    b.pii(name, "person_name")
    b.add("\n")
    loc.address_block(b, addr, indent="    ")
    b.add("\n", t["call"])
    b.pii(*loc.contact_phone())
    b.add(".\n")
    roll = rng.random()
    if roll < 0.25:
        b.add(t["card"].format(p=loc.price_text()))
        b.pii(loc.card(), "payment_card")
        b.add(".\n")
    elif roll < 0.45 and loc.lang not in {"ja", "zh"}:
        b.add("\n> ", t["iban"])
        b.pii(loc.iban(), "iban")
        b.add("\n")
    if rng.random() < 0.15:
        b.add(t["dob_ctx"])
        b.pii(loc.dob_text(), "date_of_birth")
        b.add(".\n")
    if loc.locale == "en_US" and rng.random() < 0.15:
        b.add("> My SSN is ")
        b.pii(loc.ssn(), "us_ssn")
        b.add(" if you need it for the tax form.\n")
    b.add(f"\nASIN {loc.asin()} · SKU {loc.sku()} · {loc.price_text()} · {loc.dimensions()}\n\n", t["bye"])
    b.pii(agent, "person_name")
    b.add("\n", t["team"], " · ", loc.fake.company(), "\n")
    return b


def return_request(loc: _Locale) -> _Builder:
    b, rng, t = _Builder(), loc.rng, _TEXT[loc.lang]
    addr = loc.address()
    b.add(f"{t['return']} RMA-{rng.randint(2025, 2026)}-{rng.randint(1, 999999):06d}\n")
    b.add(f"Created: {loc.timestamp().isoformat(timespec='seconds')}\n", t["order"])
    b.pii(loc.order_id(), "amazon_order_id")
    b.add(f"  (order-item-id {loc.order_item_id()})\n", t["customer"])
    b.pii(loc.name(), "person_name")
    b.add("\n", t["email"])
    b.pii(*_customer_email(loc))
    b.add("\n", t["phone"])
    b.pii(*loc.contact_phone())
    b.add("\n", t["pickup"])
    loc.address_inline(b, addr)
    b.add("\n", t["refund"])
    if rng.random() < 0.5 and loc.lang not in {"ja", "zh"}:
        b.add("IBAN ")
        b.pii(loc.iban(), "iban")
    else:
        b.add("card ")
        b.pii(loc.card(), "payment_card")
    b.add(f"\nItem: {loc.product()} — ASIN {loc.asin()}, SKU {loc.sku()}, EAN {loc.ean()}\n")
    b.add(t["reason"].format(d=loc.dimensions()), "\n")
    carrier, tracking = loc.tracking()
    b.add(f"Return label: {carrier} {tracking}, weight {rng.randint(1, 25)}.{rng.randint(0, 9)} kg\n")
    if rng.random() < 0.3:
        b.add(t["dob"])
        b.pii(loc.dob_text(), "date_of_birth")
        b.add("\n")
    b.add("Client IP: ")
    b.pii(loc.ip(), "ip_address")
    b.add(f"\nForm version {loc.version()}\n")
    return b


def chat(loc: _Locale) -> _Builder:
    b, rng, t = _Builder(), loc.rng, _TEXT[loc.lang]
    when = loc.timestamp()
    name, agent, addr = loc.name(), loc.name(), loc.address()
    order = loc.order_id()
    carrier, tracking = loc.tracking()

    def turn(speaker: str, who: str | None) -> None:
        nonlocal when
        when += timedelta(seconds=rng.randint(5, 240))
        b.add(f"[{when.strftime('%Y-%m-%d %H:%M:%S')}] {speaker}")
        if who:
            b.add(" (")
            b.pii(who, "person_name")
            b.add(")")
        b.add(": ")

    b.add(f"Chat session {loc.uuid()} · visitor ip ")
    b.pii(loc.ip(), "ip_address")
    b.add(f" · widget v{loc.version()}\n")
    turn(t["chat_c"], name)
    b.add(t["c1"].split("{o}")[0])
    b.pii(order, "amazon_order_id")
    b.add(t["c1"].split("{o}")[1], "\n")
    turn(t["chat_a"], agent)
    b.add(t["a1"], "\n")
    turn(t["chat_c"], None)
    b.pii(name, "person_name")
    b.add(", ")
    loc.address_inline(b, addr)
    b.add("\n")
    turn(t["chat_c"], None)
    b.add(t["c3"])
    b.pii(*loc.contact_phone())
    b.add(" ", t["c4"])
    b.pii(*_customer_email(loc))
    b.add("\n")
    if rng.random() < 0.2:
        turn(t["chat_c"], None)
        b.add(t["card"].format(p=loc.price_text()))
        b.pii(loc.card(), "payment_card")
        b.add("\n")
    turn(t["chat_a"], agent)
    b.add(t["a2"].format(n=f"{carrier} {tracking}"), f" ({loc.sku()}, {loc.price_text()})\n")
    return b


_PATHS = ("/api/v1/orders", "/api/v1/customers/search", "/checkout/confirm", "/account/login", "/returns/new",
          "/api/v1/shipments/label", "/healthz", "/static/app.{h}.js")  # fmt: skip


def app_log(loc: _Locale) -> _Builder:
    b, rng = _Builder(), loc.rng
    when = loc.timestamp()
    for _ in range(rng.randint(15, 45)):
        when += timedelta(milliseconds=rng.randint(1, 20000))
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        level = rng.choice(("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"))
        b.add(f"{stamp} {level} [{rng.choice(('web', 'worker', 'payments', 'mailer'))}-{rng.randint(1, 9)}] ")
        roll = rng.random()
        if roll < 0.3:
            path = rng.choice(_PATHS).format(h=loc.fake.md5()[:12])
            b.add(f"request_id={loc.uuid()} ip=")
            b.pii(loc.ip(), "ip_address")
            b.add(f" user_id={rng.randint(1, 10**7)} {rng.choice(('GET', 'POST'))} {path}")
            if rng.random() < 0.4:
                b.add("?email=")
                b.pii(*_customer_email(loc))
                b.add(f"&page={rng.randint(1, 40)}")
            b.add(f" status={rng.choice((200, 200, 201, 302, 404, 500))} dur_ms={rng.randint(1, 3000)}"
                  f" ts={int(when.timestamp() * 1000)}")  # fmt: skip
        elif roll < 0.42:
            b.add("order ")
            b.pii(loc.order_id(), "amazon_order_id")
            carrier, tracking = loc.tracking()
            b.add(f" item {loc.order_item_id()} shipped via {carrier} tracking={tracking} sku={loc.sku()}"
                  f" asin={loc.asin()}")  # fmt: skip
        elif roll < 0.52:
            b.add('label created ship_to="')
            b.pii(loc.name(), "person_name")
            b.add(", ")
            loc.address_inline(b, loc.address())
            b.add(f'" weight_g={rng.randint(50, 20000)}')
        elif roll < 0.58:
            b.add(f"payment authorised order={loc.order_item_id()} amount={loc.price()} card=")
            b.pii(loc.card(), "payment_card")
            b.add(f" gateway_ref={loc.fake.sha1()[:20]}")
        elif roll < 0.66:
            b.add("sms queued to=")
            b.pii(*loc.contact_phone())
            b.add(f" template=shipping_update_v{rng.randint(1, 9)} epoch={int(when.timestamp())}")
        elif roll < 0.7 and loc.locale == "en_US":
            b.add("tax form 1099-K generated payee_ssn=")
            b.pii(loc.ssn(), "us_ssn")
            b.add(f" payee_id={rng.randint(10**5, 10**6)}")
        elif roll < 0.74 and loc.locale == "zh_CN":
            b.add("customs clearance id_no=")
            b.pii(loc.cn_resident_id(), "cn_resident_id")
            b.add(" consignee=")
            b.pii(loc.name(), "person_name")
        else:
            b.add(rng.choice((
                f"cache hit key=sku:{loc.sku()} ttl=3600",
                f"deploy version={loc.version()} commit={loc.fake.sha1()}",
                f"job sync_inventory finished items={rng.randint(1, 90000)} in {rng.randint(1, 99999) / 100}s",
                f"checksum sha256={loc.fake.sha256()}",
                f"price update asin={loc.asin()} old={loc.price()} new={loc.price()} ean={loc.ean()}",
                f"gc pause {rng.randint(1, 200)}ms heap={rng.randint(100, 4000)}MB ms={int(when.timestamp() * 1000)}",
                f"dimensions updated {loc.sku()}: {loc.dimensions()}",
            )))  # fmt: skip
        b.add("\n")
    return b


def _json_str(b: _Builder, key: str, value: str, kind: str | None = None, last: bool = False) -> None:
    encoded = json.dumps(value, ensure_ascii=False)
    # The label must cover the value exactly as it appears, so only values JSON leaves alone.
    assert encoded[1:-1] == value, value
    b.add(f'"{key}": "')
    if kind:
        b.pii(value, kind)
    else:
        b.add(value)
    b.add('"' if last else '", ')


def json_record(loc: _Locale, b: _Builder) -> None:
    rng = loc.rng
    addr = loc.address()
    phone, phone_type = loc.contact_phone()
    mail, mail_type = _customer_email(loc)
    b.add("{")
    _json_str(b, "orderId", loc.order_id(), "amazon_order_id")
    _json_str(b, "orderItemId", loc.order_item_id())
    _json_str(b, "purchaseDate", loc.timestamp().isoformat(timespec="seconds"))
    b.add(f'"lastUpdated": {int(loc.timestamp().timestamp() * 1000)}, "buyer": {{')
    _json_str(b, "name", loc.name(), "person_name")
    _json_str(b, "email", mail, mail_type)
    _json_str(b, "phone", phone, phone_type, last=True)
    b.add('}, "shippingAddress": {')
    _json_str(b, "line1", addr.street, "street_address")
    _json_str(b, "city", addr.city)
    _json_str(b, "postalCode", addr.postal, "postal_code")
    _json_str(b, "countryCode", _COUNTRY[loc.locale], last=True)
    b.add('}, "items": [{')
    _json_str(b, "asin", loc.asin())
    _json_str(b, "sku", loc.sku())
    b.add(f'"price": {{"amount": "{loc.price()}", "currency": "{_CURRENCY[loc.locale]}"}}}}], ')
    if rng.random() < 0.3:
        _json_str(b, "clientIp", loc.ip(), "ip_address")
    if rng.random() < 0.15:
        _json_str(b, "dateOfBirth", loc.dob_text(iso=True), "date_of_birth")
    if loc.locale == "zh_CN" and rng.random() < 0.3:
        _json_str(b, "idCardNo", loc.cn_resident_id(), "cn_resident_id")
    _json_str(b, "traceId", loc.uuid(), last=True)
    b.add("}")


def ndjson(loc: _Locale) -> _Builder:
    b = _Builder()
    for _ in range(loc.rng.randint(3, 10)):
        json_record(loc, b)
        b.add("\n")
    return b


def json_document(loc: _Locale) -> _Builder:
    b = _Builder()
    b.add(f'{{"exportedAt": "{loc.timestamp().isoformat()}", "schemaVersion": "{loc.version()}", "orders": [\n  ')
    for i in range(loc.rng.randint(2, 6)):
        if i:
            b.add(",\n  ")
        json_record(loc, b)
    b.add("\n]}\n")
    return b


def _csv_cell(b: _Builder, value: str, kind: str | None) -> None:
    quote = "," in value
    if quote:
        b.add('"')
    if kind:
        b.pii(value, kind)
    else:
        b.add(value)
    if quote:
        b.add('"')


def customer_export(loc: _Locale) -> _Builder:
    b, rng = _Builder(), loc.rng
    with_dob = rng.random() < 0.5
    with_ssn = loc.locale == "en_US" and rng.random() < 0.3
    with_cnid = loc.locale == "zh_CN" and rng.random() < 0.5
    # SEPA direct-debit and refund exports carry the buyer's IBAN.
    with_iban = loc.locale in {"en_GB", "de_DE", "fr_FR", "es_ES", "it_IT"} and rng.random() < 0.35
    header = ["customer_id", "full_name", "email", "phone", "street", "city", "postal_code", "country",
              "last_order_id", "created_at", "lifetime_value", "external_ref"]  # fmt: skip
    if with_dob:
        header.insert(4, "date_of_birth")
    if with_ssn:
        header.append("ssn")
    if with_cnid:
        header.append("id_card")
    if with_iban:
        header.append("iban")
    b.add(",".join(header), "\n")
    for _ in range(rng.randint(8, 25)):
        addr = loc.address()
        phone, phone_type = loc.contact_phone()
        mail, mail_type = _customer_email(loc)
        cells: list[tuple[str, str | None]] = [
            (f"C{rng.randint(10**6, 10**7)}", None), (loc.name(), "person_name"), (mail, mail_type),
            (phone, phone_type), (addr.local, "street_address"), (addr.city, None), (addr.postal, "postal_code"),
            (_COUNTRY[loc.locale], None), (loc.order_id(), "amazon_order_id"),
            (str(int(loc.timestamp(900).timestamp())), None), (loc.price(), None), (loc.uuid(), None),
        ]  # fmt: skip
        if with_dob:
            cells.insert(4, (loc.dob_text(iso=rng.random() < 0.5), "date_of_birth"))
        if with_ssn:
            cells.append((loc.ssn(), "us_ssn"))
        if with_cnid:
            cells.append((loc.cn_resident_id(), "cn_resident_id"))
        if with_iban:
            cells.append((loc.iban(), "iban"))
        for i, (value, kind) in enumerate(cells):
            if i:
                b.add(",")
            _csv_cell(b, value, kind)
        b.add("\n")
    return b


def team_message(loc: _Locale) -> _Builder:
    """A seller team's group chat (WeChat, DingTalk, LINE, Slack): colleagues passing buyer data."""
    b, rng = _Builder(), loc.rng
    when = loc.timestamp()
    colleagues = [loc.name() for _ in range(3)]
    say = _team_line_zh if loc.lang == "zh" else _team_line_ja
    for _ in range(rng.randint(4, 10)):
        when += timedelta(minutes=rng.randint(1, 50))
        b.add(f"{when.strftime('%m-%d %H:%M')} ")
        b.pii(rng.choice(colleagues), "person_name")
        b.add("：" if rng.random() < 0.7 else ": ")
        say(loc, b, colleagues)
        b.add("\n")
    return b


def _team_line_zh(loc: _Locale, b: _Builder, colleagues: list[str]) -> None:
    rng = loc.rng
    roll = rng.random()
    buyer = loc.name()
    if roll < 0.35:
        b.add("@")
        b.pii(rng.choice(colleagues), "person_name")
        b.add(" 买家 ")
        b.pii(buyer, "person_name")
        b.add(" 的订单 ")
        b.pii(loc.order_id(), "amazon_order_id")
        b.add(" 改地址：")
        loc.address_inline(b, loc.address())
        b.add("，电话 ")
        b.pii(loc.cn_mobile(), "cn_mobile")
    elif roll < 0.55:
        b.add("清关需要身份证：")
        b.pii(buyer, "person_name")
        b.add(" ")
        b.pii(loc.cn_resident_id(), "cn_resident_id")
        b.add(f"，{loc.tracking()[1]} 已发")
    elif roll < 0.7:
        b.add("客户生日 ")
        b.pii(loc.dob_text(), "date_of_birth")
        b.add("，会员优惠券已发到 ")
        b.pii(*_customer_email(loc))
    else:
        b.add(rng.choice((
            f"SKU {loc.sku()} 库存只剩 {rng.randint(1, 50)} 件，ASIN {loc.asin()} 要补货",
            f"FBA 货件 FBA{rng.randint(10**8, 10**9)}{rng.choice('ABCDEFGH')} 尺寸 {loc.dimensions()}",
            f"新版插件 v{loc.version()} 已上线，价格 {loc.price_text()}",
            f"运单 {loc.tracking()[1]} 已签收，子订单 {loc.order_item_id()}",
        )))  # fmt: skip


def _team_line_ja(loc: _Locale, b: _Builder, colleagues: list[str]) -> None:
    rng = loc.rng
    roll = rng.random()
    buyer = loc.name()
    if roll < 0.35:
        b.add("注文 ")
        b.pii(loc.order_id(), "amazon_order_id")
        b.add(" の ")
        b.pii(buyer, "person_name")
        b.add(" 様、住所変更です：")
        loc.address_inline(b, loc.address())
        b.add(" 電話 ")
        b.pii(*loc.contact_phone())
    elif roll < 0.5:
        b.add("返金は ")
        b.pii(loc.card(), "payment_card")
        b.add(" のカードへお願いします（")
        b.pii(buyer, "person_name")
        b.add(" 様）")
    elif roll < 0.65:
        b.add("年齢確認：")
        b.pii(buyer, "person_name")
        b.add(" 様 生年月日 ")
        b.pii(loc.dob_text(), "date_of_birth")
        b.add("、メール ")
        b.pii(*_customer_email(loc))
    else:
        b.add(rng.choice((
            f"SKU {loc.sku()} の在庫が残り {rng.randint(1, 50)} 個です。ASIN {loc.asin()}",
            f"ヤマト {loc.tracking()[1]} 配達済み、注文明細 {loc.order_item_id()}",
            f"ツール v{loc.version()} にアップデートしました。価格 {loc.price_text()}",
            f"サイズ {loc.dimensions()}、JAN {loc.ean()}",
        )))  # fmt: skip


_KINDS: tuple[tuple[str, Callable[[_Locale], _Builder], float], ...] = (
    ("order_report", order_report, 0.2),
    ("support_email", support_email, 0.16),
    ("return_request", return_request, 0.1),
    ("chat", chat, 0.1),
    ("app_log", app_log, 0.14),
    ("ndjson", ndjson, 0.08),
    ("json", json_document, 0.05),
    ("customer_export", customer_export, 0.1),
    ("team_message", team_message, 0.07),
)


def generate(seed: int = 2026, documents: int = DEFAULT_DOCUMENTS) -> list[Document]:
    """The corpus: the same documents, labels and order for the same seed and count."""
    rng = random.Random(seed)
    locales = {name: _Locale(name, seed + i, random.Random(seed * 31 + i)) for i, name in enumerate(LOCALES)}
    kinds = [k for k in _KINDS if k[0] != "team_message"]
    weights = [w for _, _, w in kinds]
    out: list[Document] = []
    for i in range(documents):
        if rng.random() < _KINDS[-1][2]:
            locale = "zh_CN" if rng.random() < 0.55 else "ja_JP"
            kind, make = "team_message", team_message
        else:
            locale = LOCALES[i % len(LOCALES)]
            kind, make, _ = rng.choices(kinds, weights)[0]
        out.append(make(locales[locale]).document(kind, locale))
    return out


def check(corpus: list[Document]) -> Counter[str]:
    """Every label covers exactly its value, labels do not overlap, and checksummed values
    are valid. Returns the per-type label counts."""
    counts: Counter[str] = Counter()
    for n, doc in enumerate(corpus):
        assert len(doc.labels) == len(doc.values), n
        previous_end = 0
        for label, value in zip(doc.labels, doc.values, strict=True):
            got = doc.text[label.start : label.end]
            assert got == value, (n, label, got, value)
            assert label.start >= previous_end, (n, label)
            previous_end = label.end
            assert value == value.strip() and value, (n, label, value)
            digits = "".join(c for c in value if c.isdigit())
            if label.type == "payment_card":
                assert luhn_ok(digits) and 13 <= len(digits) <= 19, value
            elif label.type == "iban":
                assert iban_ok(value), value
            elif label.type == "us_ssn":
                assert ssn_ok(value), value
            elif label.type == "cn_resident_id":
                assert len(value) == 18 and cn_id_check(value[:17]) == value[17], value
            elif label.type == "ip_address":
                ipaddress.ip_address(value)
            elif label.type == "amazon_order_id":
                assert len(value) == 19 and value[3] == value[11] == "-", value
            elif label.type == "phone":
                region = _PHONE_REGION[doc.locale]
                assert phonenumbers.is_valid_number(phonenumbers.parse(value, region)), (doc.locale, value)
            elif label.type == "cn_mobile":
                assert len(digits) in {11, 13} and digits[-11] == "1", value
            counts[label.type] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument(
        "--small", action="store_true", help=f"{SMALL_DOCUMENTS} documents instead of {DEFAULT_DOCUMENTS}"
    )
    parser.add_argument("--check", action="store_true", help="verify every label and print per-type counts")
    parser.add_argument("--dump", type=Path, help="write the documents and a labels.jsonl into this folder")
    args = parser.parse_args()
    documents = args.documents or (SMALL_DOCUMENTS if args.small else DEFAULT_DOCUMENTS)
    started = time.perf_counter()
    corpus = generate(args.seed, documents)
    elapsed = time.perf_counter() - started
    size = sum(len(d.text.encode()) for d in corpus)
    print(f"{len(corpus):,} documents, {size / 1e6:.2f} MB, generated in {elapsed:.1f} s", file=sys.stderr)
    if args.check:
        counts = check(corpus)
        kinds = Counter(d.kind for d in corpus)
        locales = Counter(d.locale for d in corpus)
        print("labels exact, checksums valid")
        for kind in TYPES:
            print(f"  {kind:20} {counts[kind]:7,}")
        print(f"  {'total':20} {sum(counts.values()):7,}")
        print("kinds:   " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        print("locales: " + ", ".join(f"{k} {v}" for k, v in sorted(locales.items())))
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        with (args.dump / "labels.jsonl").open("w", encoding="utf-8") as out:
            for i, doc in enumerate(corpus):
                name = f"{i:05d}-{doc.kind}-{doc.locale}.txt"
                (args.dump / name).write_text(doc.text, encoding="utf-8")
                record = {"file": name, "kind": doc.kind, "locale": doc.locale, "labels": [list(x) for x in doc.labels]}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
