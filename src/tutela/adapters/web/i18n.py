"""Translations from gettext catalogs (`locales/<lang>/LC_MESSAGES/messages.po`), read with
Babel at start-up: a third language is a new .po file, not a code change."""

from __future__ import annotations

import functools
import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT = "en"


@functools.cache
def available() -> dict[str, str]:
    """Language code -> catalog folder name, e.g. {"en": "", "zh": "zh_Hans"}."""
    found = {DEFAULT: ""}
    locales = resources.files("tutela.adapters.web").joinpath("locales")
    for folder in locales.iterdir():
        if folder.joinpath("LC_MESSAGES", "messages.po").is_file():
            found[folder.name.split("_")[0].lower()] = folder.name
    return found


@functools.cache
def translations(language: str) -> NullTranslations:
    folder = available().get(language, "")
    if not folder:
        return NullTranslations()
    source = resources.files("tutela.adapters.web").joinpath("locales", folder, "LC_MESSAGES", "messages.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=folder)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (query, cookie):
        if candidate and candidate.lower() in available():
            return candidate.lower()
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in available():
            return code
    return DEFAULT
