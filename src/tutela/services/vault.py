"""Customers and their personal fields: store under a purpose and a source, find by blind
index, reveal per the policy, rectify, erase (crypto-shredding). Every call writes its
audit event in the same transaction as its data, so no event means no data.

A customer has one data key (DEK) and one record per purpose; a record holds that purpose's
fields, each its own envelope, with the source of each (DPP §1.8)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import Row

from tutela.core.actor import Actor
from tutela.core.errors import (
    AccessDenied,
    CannotOpen,
    CategoryNotDeclared,
    CustomerErased,
    CustomerNotFound,
    InvalidValue,
    PersonalDataInText,
    SourceNotAllowed,
    UnknownCategory,
)
from tutela.core.masking import mask
from tutela.core.normalize import email_index_key, normalize_email, normalize_order_id, normalize_phone
from tutela.core.pii_guard import personal_data_kind
from tutela.core.policy import Access, Policy, Purpose
from tutela.core.policy.model import SOURCES
from tutela.core.record_codec import Entry, categories_mask, decode, encode, encode_sealed, entry_heads
from tutela.core.storage.bulk import db_time, insert_rows
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import customer, order_link, record, tombstone
from tutela.core.suggest import did_you_mean
from tutela.core.taxonomy import CATEGORIES, IndexKind
from tutela.services import audit, tombstones
from tutela.services.context import Context

AnyRow = Row[*tuple[Any, ...]]
MAX_VALUE_CHARS = 2000
_INDEX_COLUMN = {IndexKind.EMAIL: "email_index", IndexKind.PHONE: "phone_index"}
_EMAIL = "user.contact.email"
_PHONE = "user.contact.phone_number"


@dataclass(frozen=True)
class NewCustomer:
    fields: Mapping[str, str]
    order_ids: Sequence[str] = ()


@dataclass(frozen=True)
class FoundCustomer:
    id: str
    categories: list[str]
    sources: list[str]
    created_at: datetime


@dataclass(frozen=True)
class RevealedField:
    category: str
    access: Access
    value: str | None
    stored_under: str
    source: str


@dataclass(frozen=True)
class Revealed:
    customer_id: str
    purpose: str
    role: str
    fields: list[RevealedField] = field(default_factory=list)


@dataclass(frozen=True)
class ErasureReceipt:
    customer_id: str
    fields_deleted: int
    erased_at: datetime


class _Prepared(NamedTuple):  # a tuple, not a dataclass: one per field on the write path
    category: str
    value: str
    index_kind: IndexKind | None = None
    index_key: str | None = None


@dataclass(frozen=True)
class _Copy:
    """One stored copy of a category: which purpose's record holds it, and from where."""

    purpose: str
    source: str
    envelope: bytes
    updated_at: datetime


# -- checking input (before anything is written) -------------------------------------------


def _check_source(purpose: Purpose, source: str) -> None:
    if source not in SOURCES:
        raise SourceNotAllowed(f"unknown source '{source}'", hint=did_you_mean(source, SOURCES, "source"))
    if source not in purpose.sources:
        rule = " (Amazon AUP §4.2)" if purpose.marketing and source == "amazon" else ""
        raise SourceNotAllowed(
            f"purpose '{purpose.key}' may not use data from source '{source}'{rule}",
            hint=f"its sources are: {', '.join(sorted(purpose.sources))}",
        )


def _prepare_value(policy: Policy, category: str, raw: str) -> _Prepared:
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
        return _Prepared(category, value)
    if entry.index is IndexKind.EMAIL:
        value = normalize_email(value)
        return _Prepared(category, value, IndexKind.EMAIL, email_index_key(value))
    value = normalize_phone(value, policy.shop.country)
    return _Prepared(category, value, IndexKind.PHONE, value[1:])


def _prepare_fields(policy: Policy, purpose: Purpose, fields: Mapping[str, str]) -> list[_Prepared]:
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    declared = purpose.categories
    prepared = []
    for category, raw in fields.items():
        if category not in declared:
            _prepare_value(policy, category, raw)  # an unknown category gets its own error first
            raise CategoryNotDeclared(
                f"purpose '{purpose.key}' does not collect '{category}'",
                hint=f"store it under a purpose that declares it, or add it to purposes.{purpose.key}.categories",
            )
        value = raw.strip()
        if not 0 < len(value) <= MAX_VALUE_CHARS:
            prepared.append(_prepare_value(policy, category, raw))  # raises with the right message
        elif category == _EMAIL:
            value = normalize_email(value)
            prepared.append(_Prepared(category, value, IndexKind.EMAIL, email_index_key(value)))
        elif category == _PHONE:
            value = normalize_phone(value, policy.shop.country)
            prepared.append(_Prepared(category, value, IndexKind.PHONE, value[1:]))
        else:  # this loop runs once per field on the bulk path, hence inline
            prepared.append(_Prepared(category, value))
    return prepared


def _new_id(now: datetime) -> str:
    """Time-ordered (so new rows land together in the B-tree) with 48 random bits."""
    return f"c{int(now.timestamp() * 1000):012x}{secrets.token_hex(6)}"


def _index_digests(ctx: Context, items: Sequence[_Prepared]) -> dict[str, bytes | None]:
    digests: dict[str, bytes | None] = {"email_index": None, "phone_index": None}
    for item in items:
        if item.index_kind is not None and item.index_key is not None:
            digests[_INDEX_COLUMN[item.index_kind]] = ctx.keyring.blind_index(item.index_kind, item.index_key)
    return digests


# -- store -----------------------------------------------------------------------------------

_CUSTOMER_COLUMNS = ("id", "kek_version", "wrapped_dek", "created_at", "updated_at")
_RECORD_COLUMNS = (
    "customer_id", "purpose", "fields", "categories", "email_index", "phone_index", "created_at", "updated_at",
)  # fmt: skip


def add_customers(
    ctx: Context, *, actor: Actor, purpose: str, source: str, customers: Sequence[NewCustomer]
) -> list[str]:
    """Store new customers in one transaction with one audit event that names every id (as
    every write is one event). All input is checked before anything is written: one bad
    value and nothing is stored."""
    acting = ctx.policy.purpose(purpose)
    _check_source(acting, source)
    prepared = [
        (_prepare_fields(ctx.policy, acting, c.fields), [normalize_order_id(o) for o in c.order_ids]) for c in customers
    ]
    if not prepared:
        return []
    now = ctx.clock.now()
    seal = ctx.keyring.seal_customer
    blind_index = ctx.keyring.blind_index
    heads = entry_heads(source, acting.categories)
    ids: list[str] = []
    customer_rows: list[tuple[Any, ...]] = []
    record_rows: list[tuple[Any, ...]] = []
    order_links: list[tuple[bytes, str]] = []
    stored: set[str] = set()
    id_prefix = f"c{int(now.timestamp() * 1000):012x}"
    id_suffixes = secrets.token_bytes(6 * len(prepared)).hex()
    masks: dict[tuple[str, ...], int] = {}
    for number, (items, order_ids) in enumerate(prepared):
        customer_id = id_prefix + id_suffixes[12 * number : 12 * number + 12]  # as _new_id, in one draw
        ids.append(customer_id)
        sealed = seal(customer_id, purpose, [(i.category, i.value) for i in items])
        categories = [i.category for i in items]
        shape = tuple(categories)
        mask = masks.get(shape)
        if mask is None:
            mask = masks[shape] = categories_mask(categories)
            stored.update(categories)
        email_digest = phone_digest = None
        for item in items:
            if item.index_kind is IndexKind.EMAIL and item.index_key:
                email_digest = blind_index(IndexKind.EMAIL, item.index_key)
            elif item.index_kind is IndexKind.PHONE and item.index_key:
                phone_digest = blind_index(IndexKind.PHONE, item.index_key)
        customer_rows.append((customer_id, sealed.kek_version, sealed.wrapped_dek))
        record_rows.append((
            customer_id, encode_sealed(heads, categories, sealed.envelopes), mask, email_digest, phone_digest,
        ))  # fmt: skip
        order_links += [(blind_index(IndexKind.ORDER_ID, o), customer_id) for o in order_ids]
    event = audit.Event(
        action="customer.add",
        customer_id=ids[0] if len(ids) == 1 else None,
        purpose=purpose,
        fields=sorted(stored),
        details={"source": source, "count": len(ids), "order_links": len(order_links), "customer_ids": ids},
    )
    with transaction(ctx.engine) as connection:
        at = db_time(connection, now)
        insert_rows(connection, customer, _CUSTOMER_COLUMNS, [(*row, at, at) for row in customer_rows])
        insert_rows(connection, record, _RECORD_COLUMNS, [(r[0], purpose, *r[1:], at, at) for r in record_rows])
        insert_rows(connection, order_link, ("blind_index", "customer_id", "created_at"),
                    [(digest, cid, at) for digest, cid in order_links])  # fmt: skip
        audit.record(connection, ctx, actor, [event])
    return ids


def add_customer(
    ctx: Context,
    *,
    actor: Actor,
    purpose: str,
    source: str,
    fields: Mapping[str, str],
    order_ids: Sequence[str] = (),
) -> str:
    return add_customers(
        ctx, actor=actor, purpose=purpose, source=source, customers=[NewCustomer(fields=fields, order_ids=order_ids)]
    )[0]


# -- find ------------------------------------------------------------------------------------


def _open_dek(ctx: Context, row: AnyRow) -> bytes:
    version = int(row.kek_version)
    return ctx.keys.with_version(version).unwrap_dek(row.id, version, bytes(row.wrapped_dek))


def find_customers(
    ctx: Context, *, actor: Actor, email: str | None = None, phone: str | None = None, order_id: str | None = None
) -> list[FoundCustomer]:
    given = [(k, v) for k, v in (("email", email), ("phone", phone), ("order_id", order_id)) if v is not None]
    if len(given) != 1:
        raise InvalidValue("find takes exactly one of email, phone or order id", hint="e.g. --email ada@example.com")
    by, raw = given[0]
    try:
        return _find_in(ctx, actor, by, raw)
    except CannotOpen:
        audit.record_alone(ctx, actor, audit.Event(action="customer.find", outcome="cannot_open", details={"by": by}))
        raise


def _find_in(ctx: Context, actor: Actor, by: str, raw: str) -> list[FoundCustomer]:
    with transaction(ctx.engine) as connection:
        if by == "order_id":
            digest = ctx.keyring.blind_index(IndexKind.ORDER_ID, normalize_order_id(raw))
            query = select(order_link.c.customer_id).where(order_link.c.blind_index == digest)
            ids = sorted({str(r.customer_id) for r in connection.execute(query)})
            looked_up = "order_id"
        else:
            looked_up = "user.contact.email" if by == "email" else "user.contact.phone_number"
            ids = _confirmed(ctx, connection, _prepare_value(ctx.policy, looked_up, raw))
        found = _summaries(connection, ids)
        audit.record(
            connection,
            ctx,
            actor,
            [
                audit.Event(
                    action="customer.find",
                    customer_id=ids[0] if len(ids) == 1 else None,
                    fields=[looked_up],
                    outcome="found" if ids else "none",
                    details={"by": by, "matches": len(ids), "customer_ids": ids[:50]},
                )
            ],
        )
    return found


def _confirmed(ctx: Context, connection: Connection, wanted: _Prepared) -> list[str]:
    """Blind-index candidates whose decrypted value really matches (a truncated digest may collide)."""
    assert wanted.index_kind is not None and wanted.index_key is not None
    digest = ctx.keyring.blind_index(wanted.index_kind, wanted.index_key)
    column = record.c[_INDEX_COLUMN[wanted.index_kind]]
    rows = connection.execute(
        select(record.c.purpose, record.c.fields, customer.c.id, customer.c.kek_version, customer.c.wrapped_dek)
        .join(customer, customer.c.id == record.c.customer_id)
        .where(column == digest)
    ).all()
    ids: set[str] = set()
    for row in rows:
        for entry in decode(row.fields):
            if entry.category != wanted.category:
                continue
            value = ctx.keyring.open_field(_open_dek(ctx, row), row.id, entry.category, row.purpose, entry.envelope)
            if _prepare_value(ctx.policy, wanted.category, value).index_key == wanted.index_key:
                ids.add(str(row.id))
    return sorted(ids)


def _summaries(connection: Connection, ids: list[str]) -> list[FoundCustomer]:
    if not ids:
        return []
    entries: dict[str, list[Entry]] = {cid: [] for cid in ids}
    for row in connection.execute(select(record.c.customer_id, record.c.fields).where(record.c.customer_id.in_(ids))):
        entries[row.customer_id] += decode(row.fields)
    created = {
        str(r.id): r.created_at
        for r in connection.execute(select(customer.c.id, customer.c.created_at).where(customer.c.id.in_(ids)))
    }
    return [
        FoundCustomer(
            id=cid,
            categories=sorted({e.category for e in entries[cid]}),
            sources=sorted({e.source for e in entries[cid]}),
            created_at=created[cid],
        )
        for cid in ids
    ]


# -- reveal ------------------------------------------------------------------------------------


def _load_customer(connection: Connection, customer_id: str) -> AnyRow:
    row = connection.execute(
        select(customer.c.id, customer.c.kek_version, customer.c.wrapped_dek, customer.c.erased_at).where(
            customer.c.id == customer_id
        )
    ).first()
    if row is None:
        raise CustomerNotFound(f"no customer with id '{customer_id}'", hint="find the id with `tutela customer find`")
    if row.erased_at is not None or row.wrapped_dek is None:
        raise CustomerErased(f"customer '{customer_id}' was erased", hint="its data no longer exists")
    return row


def _copies(connection: Connection, customer_id: str) -> dict[str, list[_Copy]]:
    by_category: dict[str, list[_Copy]] = {}
    query = select(record.c.purpose, record.c.fields, record.c.updated_at).where(record.c.customer_id == customer_id)
    for row in connection.execute(query):
        for entry in decode(row.fields):
            by_category.setdefault(entry.category, []).append(
                _Copy(row.purpose, entry.source, entry.envelope, row.updated_at)
            )
    return by_category


def _visible_copy(policy: Policy, purpose: str, copies: list[_Copy]) -> _Copy | None:
    """Of a category's stored copies, the one stored under the acting purpose, else the
    newest one whose purpose is not restricted (tax copies stay under tax). Either way the
    copy's source must be one the acting purpose may use: an Amazon-sourced address never
    reaches a marketing purpose (AUP §4.2)."""
    allowed_sources = policy.purposes[purpose].sources
    usable = [c for c in copies if c.source in allowed_sources]
    own = [c for c in usable if c.purpose == purpose]
    if own:
        return own[0]
    shareable = [c for c in usable if c.purpose in policy.purposes and not policy.purposes[c.purpose].restricted]
    return max(shareable, key=lambda c: c.updated_at) if shareable else None


def reveal(ctx: Context, *, actor: Actor, purpose: str, customer_id: str) -> Revealed:
    ctx.policy.purpose(purpose)
    ctx.policy.role(actor.role)
    try:
        with transaction(ctx.engine) as connection:
            return _reveal_in(connection, ctx, actor, purpose, customer_id)
    except (CustomerNotFound, CustomerErased, CannotOpen) as exc:
        failed = audit.Event(
            action="customer.reveal",
            customer_id=customer_id,
            purpose=purpose,
            outcome=exc.code.rsplit(".", 1)[-1],
            details={"role": actor.role},
        )
        audit.record_alone(ctx, actor, failed)
        raise


def _reveal_in(connection: Connection, ctx: Context, actor: Actor, purpose: str, customer_id: str) -> Revealed:
    policy = ctx.policy
    row = _load_customer(connection, customer_id)
    dek: bytes | None = None
    revealed: list[RevealedField] = []
    for category, copies in sorted(_copies(connection, customer_id).items()):
        access = policy.decide(actor.role, purpose, category)
        copy = _visible_copy(policy, purpose, copies) if access is not Access.DENIED else None
        if copy is None:
            revealed.append(RevealedField(category, Access.DENIED, None, copies[0].purpose, copies[0].source))
            continue
        dek = dek or _open_dek(ctx, row)
        value = ctx.keyring.open_field(dek, customer_id, category, copy.purpose, copy.envelope)
        shown = value if access is Access.PLAIN else mask(category, value)
        revealed.append(RevealedField(category, access, shown, copy.purpose, copy.source))
    levels = {level.value: [f.category for f in revealed if f.access is level] for level in Access}
    event = audit.Event(
        action="customer.reveal",
        customer_id=customer_id,
        purpose=purpose,
        fields=[f.category for f in revealed if f.access is not Access.DENIED],
        details={"role": actor.role, **levels},
    )
    audit.record(connection, ctx, actor, [event])
    return Revealed(customer_id=customer_id, purpose=purpose, role=actor.role, fields=revealed)


# -- rectify ------------------------------------------------------------------------------------


def rectify(ctx: Context, *, actor: Actor, purpose: str, customer_id: str, fields: Mapping[str, str]) -> list[str]:
    """Replace a category's value in every stored copy (keeping each copy's source, so an
    Amazon buyer stays attributed to Amazon); add it under `purpose` if none exists."""
    policy = ctx.policy
    acting = policy.purpose(purpose)
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    prepared = {category: _prepare_value(policy, category, raw) for category, raw in fields.items()}
    for category in prepared:
        if category not in acting.categories:
            raise CategoryNotDeclared(
                f"purpose '{purpose}' does not use '{category}'", hint="rectify under a purpose that declares it"
            )
        if policy.decide(actor.role, purpose, category) is Access.DENIED:
            raise AccessDenied(
                f"role '{actor.role}' may not handle '{category}' under purpose '{purpose}'",
                hint="act under a purpose that needs this field, with a role the policy allows",
            )
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        dek = _open_dek(ctx, _load_customer(connection, customer_id))
        rows = connection.execute(
            select(record.c.id, record.c.purpose, record.c.fields, record.c.email_index, record.c.phone_index).where(
                record.c.customer_id == customer_id
            )
        ).all()
        seal = ctx.keyring.seal_field
        missing = set(prepared)
        updated = 0
        for row in rows:
            entries = decode(row.fields)
            touched = [e for e in entries if e.category in prepared]
            if not touched:
                continue
            missing -= {e.category for e in touched}
            updated += len(touched)
            new_entries = [
                Entry(e.category, e.source, seal(dek, customer_id, e.category, row.purpose, prepared[e.category].value))
                if e.category in prepared
                else e
                for e in entries
            ]
            digests = {"email_index": row.email_index, "phone_index": row.phone_index}
            digests.update({k: v for k, v in _index_digests(ctx, [prepared[e.category] for e in touched]).items() if v})
            connection.execute(
                update(record)
                .where(record.c.id == row.id)
                .values(fields=encode(new_entries), updated_at=now, **digests)
            )
        if missing:
            items = [prepared[c] for c in sorted(missing)]
            _add_to_record(connection, ctx=ctx, customer_id=customer_id, purpose=purpose, dek=dek, items=items, now=now)
        connection.execute(update(customer).where(customer.c.id == customer_id).values(updated_at=now))
        event = audit.Event(
            action="customer.rectify",
            customer_id=customer_id,
            purpose=purpose,
            fields=list(prepared),
            details={"copies_updated": updated, "added": sorted(missing)},
        )
        audit.record(connection, ctx, actor, [event])
    return list(prepared)


def _add_to_record(
    connection: Connection,
    *,
    ctx: Context,
    customer_id: str,
    purpose: str,
    dek: bytes,
    items: list[_Prepared],
    now: datetime,
) -> None:
    """New categories (entered by hand) into the customer's record for `purpose`."""
    existing = connection.execute(
        select(record.c.id, record.c.fields, record.c.email_index, record.c.phone_index).where(
            record.c.customer_id == customer_id, record.c.purpose == purpose
        )
    ).first()
    entries = decode(existing.fields) if existing else []
    entries += [
        Entry(i.category, "manual", ctx.keyring.seal_field(dek, customer_id, i.category, purpose, i.value))
        for i in items
    ]
    digests = {k: v for k, v in _index_digests(ctx, items).items() if v}
    mask = categories_mask([e.category for e in entries])
    values = {"fields": encode(entries), "categories": mask, "updated_at": now, **digests}
    if existing is None:
        connection.execute(insert(record).values(customer_id=customer_id, purpose=purpose, created_at=now, **values))
    else:
        connection.execute(update(record).where(record.c.id == existing.id).values(**values))


# -- erase ------------------------------------------------------------------------------------


def erase(ctx: Context, *, actor: Actor, customer_id: str, reason: str, journal: bool = True) -> ErasureReceipt:
    """Crypto-shred: records and indexes deleted, the DEK destroyed, a tombstone kept."""
    text = reason.strip()
    if not text:
        raise InvalidValue("an erasure needs a reason", hint='e.g. --reason "GDPR Art. 17 request"')
    kind = personal_data_kind(text)
    if kind:
        raise PersonalDataInText(
            f"the reason seems to contain {kind}; reasons are kept in the audit log, which holds no personal data",
            hint="describe the reason without it, e.g. a ticket number",
        )
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        _load_customer(connection, customer_id)
        stored = connection.execute(select(record.c.fields).where(record.c.customer_id == customer_id)).scalars()
        deleted = sum(len(decode(blob)) for blob in stored)
        connection.execute(delete(record).where(record.c.customer_id == customer_id))
        connection.execute(delete(order_link).where(order_link.c.customer_id == customer_id))
        connection.execute(
            update(customer)
            .where(customer.c.id == customer_id)
            .values(wrapped_dek=None, kek_version=None, erased_at=now, updated_at=now)
        )
        connection.execute(delete(tombstone).where(tombstone.c.customer_id == customer_id))
        connection.execute(insert(tombstone).values(customer_id=customer_id, erased_at=now, reason=text))
        event = audit.Event(
            action="customer.erase", customer_id=customer_id, details={"fields_deleted": deleted, "reason": text}
        )
        audit.record(connection, ctx, actor, [event])
    if journal:
        tombstones.append(ctx, customer_id, now)
    return ErasureReceipt(customer_id=customer_id, fields_deleted=deleted, erased_at=now)


def reapply_tombstones(ctx: Context, *, actor: Actor) -> int:
    """After a restore: erase again every journalled customer that holds data again."""
    ids = tombstones.journalled_ids_if_grown(ctx)
    if ids is None:
        return 0
    ordered = sorted(ids)
    revived: list[str] = []
    with transaction(ctx.engine) as connection:
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            query = select(customer.c.id).where(customer.c.id.in_(chunk), customer.c.wrapped_dek.isnot(None))
            revived += [str(r.id) for r in connection.execute(query)]
    for customer_id in revived:
        erase(
            ctx,
            actor=actor,
            customer_id=customer_id,
            reason="re-erased after a restore (tombstone journal)",
            journal=False,
        )
    tombstones.mark_seen(ctx)
    return len(revived)
