"""First names and surnames of the seller's markets, taken from the Faker package's person
providers (census and registry name lists that Faker ships; Faker is already a runtime
dependency). Loaded on first use and cached for the life of the process: importing the
scanner stays cheap, and a worker process builds its own copy once."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

LOCALES = (
    "en_US", "en_GB", "en_IE", "en_AU", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CA", "fr_CH", "es_ES", "es_MX",
    "it_IT", "nl_NL", "nl_BE", "pl_PL", "pt_BR", "pt_PT", "sv_SE", "ja_JP", "zh_CN", "zh_TW",
)  # fmt: skip

# Capitalised words that are in the name lists but mostly are not names in a seller's text.
_NOT_NAME_WORDS = (
    "Amazon Order Orders Item Items Ship Shipping Total Price Date Status Customer Buyer Seller Support Team Dear Hi "
    "Hello Thanks Thank Best Regards Kind Name Street Road Avenue Return Refund Please Note Subject Re Fwd From To "
    "Street Post Mail Email Phone Tel Mobile Hallo Bonjour Hola Ciao Gentile Estimado Liebe Lieber Sehr Herr Frau "
    "Monsieur Madame Mr Mrs Ms Dr Prof Sr Sra Sig Customer Service Prime Express Standard Business Delivery Tracking "
    "January February March April June July August September October November December Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday North South East West New Old Via Calle Rue"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    first: frozenset[str]
    last: frozenset[str]


def _names(provider: type, attribute: str) -> list[str]:
    values = getattr(provider, attribute, ())
    return [str(name) for name in values]


@cache
def gazetteer() -> Gazetteer:
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ModuleNotFoundError, AttributeError):
            continue
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            first.update(_names(provider, attribute))
        last.update(_names(provider, "last_names"))
    # Compound names ("Hans-Peter", "Müller-Lüdenscheidt") are looked up by their parts.
    return Gazetteer(frozenset(first - _NOT_NAMES), frozenset(last - _NOT_NAMES))


def is_first_name(word: str) -> bool:
    names = gazetteer().first
    return word in names or ("-" in word and all(part in names for part in word.split("-")))


def is_last_name(word: str) -> bool:
    names = gazetteer().last
    return word in names or ("-" in word and any(part in names for part in word.split("-")))
