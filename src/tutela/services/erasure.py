"""Erasure by crypto-shredding, and erasing again what a restored backup brings back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue, PersonalDataInText
from tutela.core.pii_guard import personal_data_kind
from tutela.core.record_codec import decode
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import customer, order_link, record, tombstone
from tutela.services import audit, tombstones
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer


@dataclass(frozen=True)
class ErasureReceipt:
    customer_id: str
    fields_deleted: int
    erased_at: datetime


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
        load_live_customer(connection, customer_id)
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
