"""Amazon revocation (DPP §1.7): when access ends, every Amazon-sourced personal field is
deleted within 30 days (at once by default) and the deletion is certified in writing.

`revoke` records the deadline and recomputes every due time, so that Amazon fields fall due
by it (in every purpose, tax included); retention's apply deletes them like anything else;
`complete_if_done` issues the certificate once no Amazon field is left. While a revocation
is open, Amazon files are refused at import."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from tutela.core.actor import Actor
from tutela.core.destruction import DestructionCertificate
from tutela.core.errors import ImportFileInvalid, InvalidValue, RevocationNotComplete
from tutela.core.record_codec import decode
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import amazon_revocation, audit_event, audit_head, customer, record
from tutela.services import audit, retention, retention_apply
from tutela.services.context import Context

MAX_DAYS = 30  # DPP §1.7


@dataclass(frozen=True)
class Revocation:
    id: int
    requested_at: datetime
    deadline_at: datetime
    requested_by: str
    completed_at: datetime | None
    amazon_fields_at_start: dict[str, int]
    first_seq: int  # audit events from here on belong to this revocation
    certificate: DestructionCertificate | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "requested_at": self.requested_at.isoformat(), "deadline_at": self.deadline_at.isoformat(),
            "requested_by": self.requested_by,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "amazon_fields_at_start": self.amazon_fields_at_start,
            "certificate": json.loads(self.certificate.to_json()) if self.certificate else None,
        }  # fmt: skip


def revoke(ctx: Context, *, actor: Actor, within_days: int = 0) -> Revocation:
    """Schedule every Amazon-sourced field for deletion by now + `within_days` (0: at once)."""
    if not 0 <= within_days <= MAX_DAYS:
        raise InvalidValue(f"the deletion deadline must be 0 to {MAX_DAYS} days (Amazon DPP §1.7)",
                           hint="e.g. --within 0 to delete at once")  # fmt: skip
    now = ctx.clock.now()
    existing = open_revocation(ctx)
    if existing is not None:
        return existing  # asking again changes nothing: the earlier deadline stands
    snapshot = amazon_fields(ctx)
    with transaction(ctx.engine) as connection:
        result = connection.execute(insert(amazon_revocation).values(
            requested_at=now, deadline_at=now + timedelta(days=within_days), requested_by=actor.id,
            certificate=json.dumps({"amazon_fields_at_start": snapshot}),
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        revocation_id = int(result.inserted_primary_key[0])
        audit.record(connection, ctx, actor, [audit.Event(
            action="amazon.revoke",
            details={"revocation_id": revocation_id, "deadline_at": (now + timedelta(days=within_days)).isoformat(),
                     "amazon_fields": sum(snapshot.values())},
        )])  # fmt: skip
    retention.refresh(ctx, full=True)
    found = get(ctx, revocation_id)
    assert found is not None
    return found


@dataclass(frozen=True)
class Revoked:
    revocation: Revocation
    fields_deleted: int  # by this call (0 when the deadline is later: the scheduler deletes then)
    customers_shredded: int
    certificate: DestructionCertificate | None  # None while fields remain (e.g. under a legal hold)


def revoke_and_delete(ctx: Context, *, actor: Actor, within_days: int = 0) -> Revoked:
    """`revoke`, and with no delay the deletion and the certificate at once (CLI, API and console alike)."""
    revocation = revoke(ctx, actor=actor, within_days=within_days)
    if within_days:
        return Revoked(revocation, 0, 0, None)
    result = retention_apply.apply(ctx, actor=actor)
    return Revoked(revocation, result.fields_deleted, result.customers_shredded, complete_if_done(ctx, actor=actor))


def amazon_fields(ctx: Context) -> dict[str, int]:
    """Amazon-sourced fields stored now, by category (entry heads only: nothing is opened)."""
    counts: Counter[str] = Counter()
    with read_only(ctx.engine) as connection:
        for (blob,) in connection.execute(select(record.c.fields)).yield_per(5000):
            counts.update(e.category for e in decode(bytes(blob)) if e.source == "amazon")
    return dict(sorted(counts.items()))


def open_revocation(ctx: Context) -> Revocation | None:
    with read_only(ctx.engine) as connection:
        row = connection.execute(
            select(amazon_revocation.c.id).where(amazon_revocation.c.completed_at.is_(None))
            .order_by(amazon_revocation.c.id).limit(1)
        ).scalar()  # fmt: skip
    return get(ctx, int(row)) if row is not None else None


def latest(ctx: Context) -> Revocation | None:
    with read_only(ctx.engine) as connection:
        row = connection.execute(
            select(amazon_revocation.c.id).order_by(amazon_revocation.c.id.desc()).limit(1)
        ).scalar()
    return get(ctx, int(row)) if row is not None else None


def get(ctx: Context, revocation_id: int) -> Revocation | None:
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(amazon_revocation).where(amazon_revocation.c.id == revocation_id)).first()
        if row is None:
            return None
        first_seq = _first_seq(connection, revocation_id)
    facts = json.loads(row.certificate or "{}")
    certificate = DestructionCertificate.from_json(row.certificate) if row.completed_at is not None else None
    return Revocation(
        id=int(row.id), requested_at=row.requested_at, deadline_at=row.deadline_at, requested_by=row.requested_by,
        completed_at=row.completed_at, amazon_fields_at_start=facts.get("amazon_fields_at_start", {}),
        first_seq=first_seq, certificate=certificate,
    )  # fmt: skip


def _first_seq(connection: Connection, revocation_id: int) -> int:
    for seq, details in connection.execute(
        select(audit_event.c.seq, audit_event.c.details).where(audit_event.c.action == "amazon.revoke")
    ):
        if json.loads(details or "{}").get("revocation_id") == revocation_id:
            return int(seq)
    return 0


def complete_if_done(ctx: Context, *, actor: Actor) -> DestructionCertificate | None:
    """The certificate, once no Amazon-sourced field is left (None while some remain)."""
    revocation = open_revocation(ctx)
    if revocation is None:
        return None
    remaining = sum(amazon_fields(ctx).values())
    if remaining:
        return None
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        receipts = _receipts(connection, revocation.first_seq)
        live = int(connection.execute(
            select(func.count()).select_from(customer).where(customer.c.wrapped_dek.isnot(None))
        ).scalar() or 0)  # fmt: skip
        head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
        certificate = DestructionCertificate(
            shop_name=ctx.policy.shop.name, shop_country=ctx.policy.shop.country, revocation_id=revocation.id,
            requested_at=revocation.requested_at, deadline_at=revocation.deadline_at, completed_at=now,
            requested_by=revocation.requested_by, fields_deleted=revocation.amazon_fields_at_start,
            records_deleted=sum(int(d.get("records_deleted", 0)) + int(d.get("records_trimmed", 0))
                                for _, d in receipts),
            customers_shredded=sum(len(d.get("shredded", [])) for _, d in receipts),
            customers_remaining=live, amazon_fields_remaining=0,
            audit_head_seq=int(head.seq) if head else 0, audit_head_hash=str(head.hash) if head else "",
            receipts=[seq for seq, _ in receipts],
        )  # fmt: skip
        connection.execute(update(amazon_revocation).where(amazon_revocation.c.id == revocation.id).values(
            completed_at=now, certificate=certificate.to_json(),
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(
            action="amazon.revocation_complete",
            details={"revocation_id": revocation.id, "fields_deleted": certificate.fields_total},
        )])  # fmt: skip
    return certificate


def _receipts(connection: Connection, first_seq: int) -> list[tuple[int, dict[str, Any]]]:
    rows = connection.execute(
        select(audit_event.c.seq, audit_event.c.details)
        .where(audit_event.c.action == "retention.delete", audit_event.c.seq > first_seq)
        .order_by(audit_event.c.seq)
    )  # fmt: skip
    return [(int(seq), json.loads(details or "{}")) for seq, details in rows]


def certificate_of(ctx: Context, revocation_id: int) -> DestructionCertificate:
    found = get(ctx, revocation_id)
    if found is None:
        raise InvalidValue(f"no Amazon revocation {revocation_id}", hint="see `tutela amazon status`")
    if found.certificate is None:
        raise RevocationNotComplete(
            f"revocation {revocation_id} is not complete: Amazon fields remain (deadline"
            f" {found.deadline_at:%Y-%m-%d %H:%M} UTC)",
            hint="run `tutela retention apply`, then ask again",
        )
    return found.certificate


def refuse_amazon_data(ctx: Context) -> None:
    """While a revocation is open (and after it completed), no Amazon data comes in again."""
    found = latest(ctx)
    if found is not None:
        raise ImportFileInvalid(
            f"Amazon access was revoked on {found.requested_at:%Y-%m-%d} (revocation {found.id}, DPP §1.7):"
            " Amazon data may not be imported",
            hint="import files from your own shop only",
        )
