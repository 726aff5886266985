"""Customers and their personal fields: store under a purpose and a source, find by blind
index, reveal per the policy, rectify, erase (crypto-shredding). Every call writes its
audit event in the same transaction as its data, so no event means no data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
from tutela.core.normalize import (
    email_index_key,
    normalize_email,
    normalize_order_id,
    normalize_phone,
)
from tutela.core.pii_guard import personal_data_kind
from tutela.core.policy import Access, Policy, Purpose
from tutela.core.policy.model import SOURCES
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import customer, order_link, tombstone
from tutela.core.storage.schema import field as field_table
from tutela.core.suggest import did_you_mean
from tutela.core.taxonomy import CATEGORIES, IndexKind
from tutela.services import audit, tombstones
from tutela.services.context import Context

AnyRow = Row[*tuple[Any, ...]]

MAX_VALUE_CHARS = 2000


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


@dataclass(frozen=True)
class _Prepared:
    category: str
    value: str
    index_kind: IndexKind | None
    index_key: str | None


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
    if not value:
        raise InvalidValue(f"{category} is empty", hint="give a value or leave the field out")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidValue(f"{category} is longer than {MAX_VALUE_CHARS} characters", hint="shorten it")
    if entry.index is IndexKind.EMAIL:
        value = normalize_email(value)
        return _Prepared(category, value, IndexKind.EMAIL, email_index_key(value))
    if entry.index is IndexKind.PHONE:
        value = normalize_phone(value, policy.shop.country)
        return _Prepared(category, value, IndexKind.PHONE, value[1:])
    return _Prepared(category, value, None, None)


def _prepare_fields(policy: Policy, purpose: Purpose, fields: Mapping[str, str]) -> list[_Prepared]:
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    prepared = []
    for category, raw in fields.items():
        item = _prepare_value(policy, category, raw)
        if category not in purpose.categories:
            raise CategoryNotDeclared(
                f"purpose '{purpose.key}' does not collect '{category}'",
                hint=f"store it under a purpose that declares it, or add it to purposes.{purpose.key}.categories",
            )
        prepared.append(item)
    return prepared


def _new_id() -> str:
    return "c" + secrets.token_hex(8)


# -- store -----------------------------------------------------------------------------------


def add_customers(
    ctx: Context, *, actor: Actor, purpose: str, source: str, customers: Sequence[NewCustomer]
) -> list[str]:
    """Store new customers in one transaction, one audit event each. All input is checked
    before anything is written: one bad value and nothing is stored."""
    acting = ctx.policy.purpose(purpose)
    _check_source(acting, source)
    prepared = [
        (_prepare_fields(ctx.policy, acting, c.fields), [normalize_order_id(o) for o in c.order_ids]) for c in customers
    ]
    now = ctx.clock.now()
    keyring = ctx.keyring
    customer_rows: list[dict[str, Any]] = []
    field_rows: list[dict[str, Any]] = []
    order_rows: list[dict[str, Any]] = []
    events: list[audit.Event] = []
    ids: list[str] = []
    for items, order_ids in prepared:
        customer_id = _new_id()
        ids.append(customer_id)
        sealed = keyring.seal_customer(customer_id, [(i.category, purpose, i.value) for i in items])
        customer_rows.append(
            {
                "id": customer_id,
                "kek_version": sealed.kek_version,
                "wrapped_dek": sealed.wrapped_dek,
                "created_at": now,
                "updated_at": now,
                "erased_at": None,
            }
        )
        for item, envelope in zip(items, sealed.envelopes, strict=True):
            field_rows.append(
                {
                    "customer_id": customer_id,
                    "category": item.category,
                    "purpose": purpose,
                    "source": source,
                    "ciphertext": envelope,
                    "blind_index": keyring.blind_index(item.index_kind, item.index_key)
                    if item.index_kind is not None and item.index_key is not None
                    else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for order_id in order_ids:
            order_rows.append(
                {
                    "blind_index": keyring.blind_index(IndexKind.ORDER_ID, order_id),
                    "customer_id": customer_id,
                    "created_at": now,
                }
            )
        events.append(
            audit.Event(
                action="customer.add",
                customer_id=customer_id,
                purpose=purpose,
                fields=[i.category for i in items],
                details={"source": source, "order_links": len(order_ids)},
            )
        )
    with transaction(ctx.engine) as connection:
        connection.execute(insert(customer), customer_rows)
        connection.execute(insert(field_table), field_rows)
        if order_rows:
            connection.execute(insert(order_link), order_rows)
        audit.record(connection, ctx, actor, events)
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
        ctx,
        actor=actor,
        purpose=purpose,
        source=source,
        customers=[NewCustomer(fields=fields, order_ids=order_ids)],
    )[0]


# -- find ------------------------------------------------------------------------------------


def _open_dek(ctx: Context, row: AnyRow) -> bytes:
    return ctx.keyring.unwrap_dek(row.id, int(row.kek_version), bytes(row.wrapped_dek))


def find_customers(
    ctx: Context, *, actor: Actor, email: str | None = None, phone: str | None = None, order_id: str | None = None
) -> list[FoundCustomer]:
    given = [(k, v) for k, v in (("email", email), ("phone", phone), ("order_id", order_id)) if v is not None]
    if len(given) != 1:
        raise InvalidValue("find takes exactly one of email, phone or order id", hint="e.g. --email ada@example.com")
    by, raw = given[0]
    keyring = ctx.keyring
    with transaction(ctx.engine) as connection:
        if by == "order_id":
            digest = keyring.blind_index(IndexKind.ORDER_ID, normalize_order_id(raw))
            ids = sorted(
                {
                    str(r.customer_id)
                    for r in connection.execute(
                        select(order_link.c.customer_id).where(order_link.c.blind_index == digest)
                    )
                }
            )
            category = "order_id"
        else:
            category = "user.contact.email" if by == "email" else "user.contact.phone_number"
            wanted = _prepare_value(ctx.policy, category, raw)
            assert wanted.index_kind is not None and wanted.index_key is not None
            digest = keyring.blind_index(wanted.index_kind, wanted.index_key)
            ids = _confirmed(ctx, connection, category, digest, wanted)
        found = _summaries(connection, ids)
        audit.record(
            connection,
            ctx,
            actor,
            [
                audit.Event(
                    action="customer.find",
                    customer_id=ids[0] if len(ids) == 1 else None,
                    fields=[category],
                    outcome="found" if ids else "none",
                    details={"by": by, "matches": len(ids), "customer_ids": ids[:50]},
                )
            ],
        )
    return found


def _confirmed(ctx: Context, connection: Connection, category: str, digest: bytes, wanted: _Prepared) -> list[str]:
    """Blind-index candidates whose decrypted value really matches (a truncated digest may collide)."""
    rows = connection.execute(
        select(
            field_table.c.customer_id,
            field_table.c.purpose,
            field_table.c.ciphertext,
            customer.c.id,
            customer.c.kek_version,
            customer.c.wrapped_dek,
        )
        .join(customer, customer.c.id == field_table.c.customer_id)
        .where(field_table.c.blind_index == digest, field_table.c.category == category)
    ).all()
    ids: set[str] = set()
    for row in rows:
        dek = _open_dek(ctx, row)
        value = ctx.keyring.open_field(dek, row.id, category, row.purpose, bytes(row.ciphertext))
        if _prepare_value(ctx.policy, category, value).index_key == wanted.index_key:
            ids.add(str(row.id))
    return sorted(ids)


def _summaries(connection: Connection, ids: list[str]) -> list[FoundCustomer]:
    if not ids:
        return []
    rows = connection.execute(
        select(field_table.c.customer_id, field_table.c.category, field_table.c.source).where(
            field_table.c.customer_id.in_(ids)
        )
    ).all()
    created = {
        str(r.id): r.created_at
        for r in connection.execute(select(customer.c.id, customer.c.created_at).where(customer.c.id.in_(ids)))
    }
    return [
        FoundCustomer(
            id=cid,
            categories=sorted({r.category for r in rows if r.customer_id == cid}),
            sources=sorted({r.source for r in rows if r.customer_id == cid}),
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


def _visible_copy(policy: Policy, purpose: str, rows: list[AnyRow]) -> AnyRow | None:
    """Of a category's stored copies, the one stored under the acting purpose, else the
    newest one whose purpose is not restricted (tax copies stay under tax). Either way the
    copy's source must be one the acting purpose may use: an Amazon-sourced address never
    reaches a marketing purpose (AUP §4.2)."""
    allowed_sources = policy.purposes[purpose].sources
    usable = [r for r in rows if r.source in allowed_sources]
    own = [r for r in usable if r.purpose == purpose]
    if own:
        return own[0]
    shareable = [r for r in usable if r.purpose in policy.purposes and not policy.purposes[r.purpose].restricted]
    return max(shareable, key=lambda r: r.updated_at) if shareable else None


def reveal(ctx: Context, *, actor: Actor, purpose: str, customer_id: str) -> Revealed:
    policy = ctx.policy
    policy.purpose(purpose)
    policy.role(actor.role)
    try:
        with transaction(ctx.engine) as connection:
            result = _reveal_in(connection, ctx, actor, purpose, customer_id)
    except (CustomerNotFound, CustomerErased, CannotOpen) as exc:
        audit.record_alone(
            ctx,
            actor,
            audit.Event(
                action="customer.reveal",
                customer_id=customer_id,
                purpose=purpose,
                outcome=exc.code.rsplit(".", 1)[-1],
                details={"role": actor.role},
            ),
        )
        raise
    return result


def _reveal_in(connection: Connection, ctx: Context, actor: Actor, purpose: str, customer_id: str) -> Revealed:
    policy = ctx.policy
    row = _load_customer(connection, customer_id)
    stored = connection.execute(select(field_table).where(field_table.c.customer_id == customer_id)).all()
    by_category: dict[str, list[AnyRow]] = {}
    for item in stored:
        by_category.setdefault(item.category, []).append(item)
    dek: bytes | None = None
    revealed: list[RevealedField] = []
    for category in sorted(by_category):
        access = policy.decide(actor.role, purpose, category)
        copy = _visible_copy(policy, purpose, by_category[category]) if access is not Access.DENIED else None
        if copy is None:
            sample = by_category[category][0]
            revealed.append(RevealedField(category, Access.DENIED, None, sample.purpose, sample.source))
            continue
        dek = dek or _open_dek(ctx, row)
        value = ctx.keyring.open_field(dek, customer_id, category, copy.purpose, bytes(copy.ciphertext))
        shown = value if access is Access.PLAIN else mask(category, value)
        revealed.append(RevealedField(category, access, shown, copy.purpose, copy.source))
    levels = {level.value: [f.category for f in revealed if f.access is level] for level in Access}
    audit.record(
        connection,
        ctx,
        actor,
        [
            audit.Event(
                action="customer.reveal",
                customer_id=customer_id,
                purpose=purpose,
                fields=[f.category for f in revealed if f.access is not Access.DENIED],
                details={"role": actor.role, **levels},
            )
        ],
    )
    return Revealed(customer_id=customer_id, purpose=purpose, role=actor.role, fields=revealed)


# -- rectify ------------------------------------------------------------------------------------


def rectify(ctx: Context, *, actor: Actor, purpose: str, customer_id: str, fields: Mapping[str, str]) -> list[str]:
    """Replace a category's value in every stored copy; add it under `purpose` if none exists."""
    policy = ctx.policy
    acting = policy.purpose(purpose)
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    prepared = [_prepare_value(policy, category, raw) for category, raw in fields.items()]
    for item in prepared:
        if item.category not in acting.categories:
            raise CategoryNotDeclared(
                f"purpose '{purpose}' does not use '{item.category}'",
                hint="rectify under a purpose that declares it",
            )
        if policy.decide(actor.role, purpose, item.category) is Access.DENIED:
            raise AccessDenied(
                f"role '{actor.role}' may not handle '{item.category}' under purpose '{purpose}'",
                hint="act under a purpose that needs this field, with a role the policy allows",
            )
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _load_customer(connection, customer_id)
        dek = _open_dek(ctx, row)
        updated = 0
        added: list[str] = []
        for item in prepared:
            copies = (
                connection.execute(
                    select(field_table.c.purpose).where(
                        field_table.c.customer_id == customer_id, field_table.c.category == item.category
                    )
                )
                .scalars()
                .all()
            )
            index = (
                ctx.keyring.blind_index(item.index_kind, item.index_key)
                if item.index_kind is not None and item.index_key is not None
                else None
            )
            if not copies:
                connection.execute(
                    insert(field_table).values(
                        customer_id=customer_id,
                        category=item.category,
                        purpose=purpose,
                        source="manual",
                        ciphertext=ctx.keyring.seal_field(dek, customer_id, item.category, purpose, item.value),
                        blind_index=index,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added.append(item.category)
                continue
            for stored_purpose in copies:
                connection.execute(
                    update(field_table)
                    .where(
                        field_table.c.customer_id == customer_id,
                        field_table.c.category == item.category,
                        field_table.c.purpose == stored_purpose,
                    )
                    .values(
                        ciphertext=ctx.keyring.seal_field(dek, customer_id, item.category, stored_purpose, item.value),
                        blind_index=index,
                        updated_at=now,
                    )
                )
                updated += 1
        connection.execute(update(customer).where(customer.c.id == customer_id).values(updated_at=now))
        audit.record(
            connection,
            ctx,
            actor,
            [
                audit.Event(
                    action="customer.rectify",
                    customer_id=customer_id,
                    purpose=purpose,
                    fields=[i.category for i in prepared],
                    details={"copies_updated": updated, "added": added},
                )
            ],
        )
    return [i.category for i in prepared]


# -- erase ------------------------------------------------------------------------------------


def erase(ctx: Context, *, actor: Actor, customer_id: str, reason: str, journal: bool = True) -> ErasureReceipt:
    """Crypto-shred: ciphertexts deleted, blind indexes gone, the DEK destroyed, a tombstone kept."""
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
        deleted = connection.execute(delete(field_table).where(field_table.c.customer_id == customer_id)).rowcount
        connection.execute(delete(order_link).where(order_link.c.customer_id == customer_id))
        connection.execute(
            update(customer)
            .where(customer.c.id == customer_id)
            .values(wrapped_dek=None, kek_version=None, erased_at=now, updated_at=now)
        )
        connection.execute(delete(tombstone).where(tombstone.c.customer_id == customer_id))
        connection.execute(insert(tombstone).values(customer_id=customer_id, erased_at=now, reason=text))
        audit.record(
            connection,
            ctx,
            actor,
            [
                audit.Event(
                    action="customer.erase",
                    customer_id=customer_id,
                    details={"fields_deleted": deleted, "reason": text},
                )
            ],
        )
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
            revived += [
                str(r.id)
                for r in connection.execute(
                    select(customer.c.id).where(customer.c.id.in_(chunk), customer.c.wrapped_dek.isnot(None))
                )
            ]
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
