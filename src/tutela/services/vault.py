"""Customers and their personal fields: store under a purpose and a source, find by blind
index, reveal per the policy, rectify, erase (crypto-shredding). Every call writes its
audit event in the same transaction as its data, so no event means no data.

A customer has one data key (DEK) and one record per purpose; a record holds that purpose's
fields, each its own envelope, with the source of each (DPP §1.8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tutela.core.actor import Actor
from tutela.core.errors import CannotOpen, CustomerErased, CustomerNotFound, CustomerRestricted, InvalidValue
from tutela.core.masking import mask
from tutela.core.normalize import normalize_order_id
from tutela.core.policy import Access, LegalBasis, Policy
from tutela.core.record_codec import Entry, categories_mask, decode, encode_sealed, entry_heads
from tutela.core.storage.bulk import db_time, insert_rows
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import customer, order_link, record
from tutela.core.taxonomy import IndexKind
from tutela.services import audit
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer, open_dek
from tutela.services.erasure import ErasureReceipt, erase, reapply_tombstones
from tutela.services.field_input import INDEX_COLUMN, Prepared, check_source, new_ids, prepare_fields, prepare_value
from tutela.services.rectification import rectify

__all__ = [
    "ErasureReceipt",
    "FoundCustomer",
    "NewCustomer",
    "Revealed",
    "RevealedField",
    "add_customer",
    "add_customers",
    "erase",
    "find_customers",
    "reapply_tombstones",
    "rectify",
    "reveal",
]


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
class StoredCopy:
    """One stored copy of a category: which purpose's record holds it, and from where."""

    purpose: str
    source: str
    envelope: bytes
    updated_at: datetime


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
    check_source(acting, source)
    prepared = [
        (prepare_fields(ctx.policy, acting, c.fields), [normalize_order_id(o) for o in c.order_ids]) for c in customers
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
    masks: dict[tuple[str, ...], int] = {}
    for customer_id, (items, order_ids) in zip(new_ids(now, len(prepared)), prepared, strict=True):
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
            ids = _confirmed(ctx, connection, prepare_value(ctx.policy, looked_up, raw))
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


def _confirmed(ctx: Context, connection: Connection, wanted: Prepared) -> list[str]:
    """Blind-index candidates whose decrypted value really matches (a truncated digest may collide)."""
    assert wanted.index_kind is not None and wanted.index_key is not None
    digest = ctx.keyring.blind_index(wanted.index_kind, wanted.index_key)
    column = record.c[INDEX_COLUMN[wanted.index_kind]]
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
            value = ctx.keyring.open_field(open_dek(ctx, row), row.id, entry.category, row.purpose, entry.envelope)
            if prepare_value(ctx.policy, wanted.category, value).index_key == wanted.index_key:
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


def _copies(connection: Connection, customer_id: str) -> dict[str, list[StoredCopy]]:
    by_category: dict[str, list[StoredCopy]] = {}
    query = select(record.c.purpose, record.c.fields, record.c.updated_at).where(record.c.customer_id == customer_id)
    for row in connection.execute(query):
        for entry in decode(row.fields):
            by_category.setdefault(entry.category, []).append(
                StoredCopy(row.purpose, entry.source, entry.envelope, row.updated_at)
            )
    return by_category


def visible_copy(policy: Policy, purpose: str, copies: list[StoredCopy]) -> StoredCopy | None:
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
    except (CustomerNotFound, CustomerErased, CustomerRestricted, CannotOpen) as exc:
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
    row = load_live_customer(connection, customer_id)
    if row.restricted_at is not None and policy.purposes[purpose].legal_basis is not LegalBasis.LEGAL_OBLIGATION:
        raise CustomerRestricted(
            f"customer '{customer_id}' is restricted (GDPR Art. 18) since {row.restricted_at:%Y-%m-%d}",
            hint="only a legal-obligation purpose (e.g. tax) may read it",
        )
    dek: bytes | None = None
    revealed: list[RevealedField] = []
    for category, copies in sorted(_copies(connection, customer_id).items()):
        access = policy.decide(actor.role, purpose, category)
        copy = visible_copy(policy, purpose, copies) if access is not Access.DENIED else None
        if copy is None:
            revealed.append(RevealedField(category, Access.DENIED, None, copies[0].purpose, copies[0].source))
            continue
        dek = dek or open_dek(ctx, row)
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


# -- erase ------------------------------------------------------------------------------------
