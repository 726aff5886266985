"""Amazon buyers behind relay e-mails, and the free text some of them type into returns."""

from __future__ import annotations

import random

import phonenumbers
from faker import Faker

from tutela.services.demo_shop.marketplaces import Marketplace
from tutela.services.demo_shop.people import (
    RETURNING_SHARE,
    Person,
    cp1252_person,
    new_person,
    personal_email,
    phone_number,
)
from tutela.services.demo_shop.randomness import ALNUM_LOWER, random_text

_COMMENT_SHARE = 0.6
_PII_COMMENT_EVERY = 5

_RETURN_COMMENTS = {
    "en": ("Item arrived damaged.", "Wrong colour.", "Not as described.", "No longer needed.", "Stopped working."),
    "de": ("Artikel kam beschädigt an.", "Falsche Farbe.", "Nicht wie beschrieben.", "Wird nicht mehr benötigt."),
    "fr": ("Article arrivé endommagé.", "Mauvaise couleur.", "Non conforme à la description.", "Plus besoin."),
    "ja": ("商品が破損していました。", "色が違いました。", "説明と違いました。", "不要になりました。"),
}
# What buyers really type into a free-text box, and what a PII scanner must catch.
_RETURN_COMMENTS_WITH_EMAIL = {
    "en": "Please contact me at {} about the refund.",
    "de": "Bitte melden Sie sich wegen der Erstattung unter {}.",
    "fr": "Merci de me contacter à {} pour le remboursement.",
    "ja": "返金について {} までご連絡ください。",
}
_RETURN_COMMENTS_WITH_PHONE = {
    "en": "Call me on {} if the courier cannot find the house.",
    "de": "Rückfragen gerne telefonisch unter {}.",
    "fr": "Vous pouvez m'appeler au {} si besoin.",
    "ja": "集荷の際は {} までお電話ください。",
}


class AmazonBuyers:
    """One marketplace's buyers; about 30% of orders come from someone who bought there before."""

    def __init__(self, marketplace: Marketplace, fake: Faker, rng: random.Random, taken_emails: set[str]) -> None:
        self._marketplace = marketplace
        self._fake = fake
        self._rng = rng
        self._taken_emails = taken_emails
        self._known: list[Person] = []

    @property
    def distinct(self) -> int:
        return len(self._known)

    def next_buyer(self) -> Person:
        if self._known and self._rng.random() < RETURNING_SHARE:
            return self._rng.choice(self._known)
        buyer = self._new_buyer()
        self._known.append(buyer)
        return buyer

    def _new_buyer(self) -> Person:
        marketplace, rng = self._marketplace, self._rng
        number_format = (
            phonenumbers.PhoneNumberFormat.INTERNATIONAL
            if rng.random() < 0.5
            else phonenumbers.PhoneNumberFormat.NATIONAL
        )
        buyer = new_person(
            self._fake,
            rng,
            locale=marketplace.locale,
            country=marketplace.country,
            email=self._relay_email(),
            phone=phone_number(rng, marketplace.country, number_format),
        )
        return cp1252_person(buyer) if marketplace.order_report_encoding == "cp1252" else buyer

    def _relay_email(self) -> str:
        while True:
            email = f"{random_text(self._rng, ALNUM_LOWER, 16)}@{self._marketplace.relay_domain}"
            if email not in self._taken_emails:
                self._taken_emails.add(email)
                return email


class ReturnComments:
    """Free text for FBA returns. Every fifth comment carries an e-mail address or phone number, so a scanner has
    something to find even in a small demo."""

    def __init__(self) -> None:
        self._written = 0

    def comment(self, rng: random.Random, fake: Faker, language: str, buyer: Person) -> str:
        if rng.random() >= _COMMENT_SHARE:
            return ""
        self._written += 1
        if self._written % _PII_COMMENT_EVERY != 1:
            return rng.choice(_RETURN_COMMENTS[language])
        if rng.random() < 0.5:
            email = personal_email(fake, rng, buyer.first_name, buyer.last_name)
            return _RETURN_COMMENTS_WITH_EMAIL[language].format(email)
        return _RETURN_COMMENTS_WITH_PHONE[language].format(buyer.phone)
