"""Checking and normalising personal fields before anything is written: the category is
known and declared by the purpose, the source is allowed, the value is valid (e-mail, E.164
phone), and the blind-index key is derived."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from tutela.core.errors import CategoryNotDeclared, InvalidValue, SourceNotAllowed, UnknownCategory
from tutela.core.normalize import email_index_key, normalize_email, normalize_phone
from tutela.core.policy import Policy, Purpose
from tutela.core.policy.model import SOURCES
from tutela.core.suggest import did_you_mean
from tutela.core.taxonomy import CATEGORIES, IndexKind
from tutela.services.context import Context

MAX_VALUE_CHARS = 2000
INDEX_COLUMN = {IndexKind.EMAIL: "email_index", IndexKind.PHONE: "phone_index"}
_EMAIL = "user.contact.email"
_PHONE = "user.contact.phone_number"


class Prepared(NamedTuple):  # a tuple, not a dataclass: one per field on the write path
    category: str
    value: str
    index_kind: IndexKind | None = None
    index_key: str | None = None


def check_source(purpose: Purpose, source: str) -> None:
    if source not in SOURCES:
        raise SourceNotAllowed(f"unknown source '{source}'", hint=did_you_mean(source, SOURCES, "source"))
    if source not in purpose.sources:
        rule = " (Amazon AUP §4.2)" if purpose.marketing and source == "amazon" else ""
        raise SourceNotAllowed(
            f"purpose '{purpose.key}' may not use data from source '{source}'{rule}",
            hint=f"its sources are: {', '.join(sorted(purpose.sources))}",
        )


def prepare_value(policy: Policy, category: str, raw: str) -> Prepared:
    entry = CATEGORIES.get(category)
    if entry is None:
        raise UnknownCategory(f"unknown category '{category}'", hint=did_you_mean(category, CATEGORIES, "category"))
    value = raw.strip()
    if not 0 < len(value) <= MAX_VALUE_CHARS:
        raise InvalidValue(
            f"{category} is empty" if not value else f"{category} is longer than {MAX_VALUE_CHARS} characters",
            hint="give a value or leave the field out" if not value else "shorten it",
        )
    if entry.index is None:
        return Prepared(category, value)
    if entry.index is IndexKind.EMAIL:
        value = normalize_email(value)
        return Prepared(category, value, IndexKind.EMAIL, email_index_key(value))
    value = normalize_phone(value, policy.shop.country)
    return Prepared(category, value, IndexKind.PHONE, value[1:])


def prepare_fields(policy: Policy, purpose: Purpose, fields: Mapping[str, str]) -> list[Prepared]:
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    declared = purpose.categories
    prepared = []
    for category, raw in fields.items():
        if category not in declared:
            prepare_value(policy, category, raw)  # an unknown category gets its own error first
            raise CategoryNotDeclared(
                f"purpose '{purpose.key}' does not collect '{category}'",
                hint=f"store it under a purpose that declares it, or add it to purposes.{purpose.key}.categories",
            )
        value = raw.strip()
        if not 0 < len(value) <= MAX_VALUE_CHARS:
            prepared.append(prepare_value(policy, category, raw))  # raises with the right message
        elif category == _EMAIL:
            value = normalize_email(value)
            prepared.append(Prepared(category, value, IndexKind.EMAIL, email_index_key(value)))
        elif category == _PHONE:
            value = normalize_phone(value, policy.shop.country)
            prepared.append(Prepared(category, value, IndexKind.PHONE, value[1:]))
        else:  # this loop runs once per field on the bulk path, hence inline
            prepared.append(Prepared(category, value))
    return prepared


def index_digests(ctx: Context, items: Sequence[Prepared]) -> dict[str, bytes | None]:
    digests: dict[str, bytes | None] = {"email_index": None, "phone_index": None}
    for item in items:
        if item.index_kind is not None and item.index_key is not None:
            digests[INDEX_COLUMN[item.index_kind]] = ctx.keyring.blind_index(item.index_kind, item.index_key)
    return digests


def new_ids(now: datetime, count: int) -> list[str]:
    """Time-ordered (new rows land together in the B-tree) with 48 random bits each, drawn
    from the random source once for the whole batch."""
    prefix = f"c{int(now.timestamp() * 1000):012x}"
    suffixes = secrets.token_bytes(6 * count).hex()
    return [prefix + suffixes[12 * i : 12 * i + 12] for i in range(count)]
