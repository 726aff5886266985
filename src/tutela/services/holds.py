"""Legal holds: a customer's data (or an order's customer's) kept past its due time, with a
reason, an author and an end date. Releasing or expiring a hold makes held data that is past
its time due at once (the next apply deletes it). Every change is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import HoldAlreadyReleased, HoldNotFound, InvalidValue, OrderNotFound, PersonalDataInText
from tutela.core.pii_guard import personal_data_kind
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import legal_hold, orders
from tutela.services import audit
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer

MAX_HOLD = timedelta(days=366 * 10)


def add_hold(
    ctx: Context,
    *,
    actor: Actor,
    reason: str,
    until: datetime,
    customer_id: str | None = None,
    order_id: str | None = None,
) -> int:
    """Hold a customer, or the customer of an order (`order_id` as the shop knows it)."""
    if (customer_id is None) == (order_id is None):
        raise InvalidValue("a hold needs a customer or an order (one of them)", hint="pass --customer ID or --order ID")
    text = reason.strip()
    if not text:
        raise InvalidValue("a hold needs a reason", hint='e.g. --reason "chargeback dispute 2026-114"')
    kind = personal_data_kind(text)
    if kind:
        raise PersonalDataInText(
            f"the reason seems to contain {kind}; reasons are kept in the audit log, which holds no personal data",
            hint="describe the reason without it, e.g. a case number",
        )
    now = ctx.clock.now()
    if until.tzinfo is None:
        raise InvalidValue("a hold's end date needs a time zone", hint="give it as YYYY-MM-DD (UTC)")
    if until <= now:
        raise InvalidValue("a hold's end date must be in the future", hint="e.g. --until 2027-06-30")
    if until > now + MAX_HOLD:
        raise InvalidValue("a hold may last at most 10 years", hint="hold again later if the matter is still open")
    with transaction(ctx.engine) as connection:
        order_ref = None
        if order_id is not None:
            found = connection.execute(
                select(orders.c.id, orders.c.customer_id).where(orders.c.order_id == order_id)
            ).first()
            if found is None:
                raise OrderNotFound(f"no order '{order_id}'", hint="check the order id as the marketplace shows it")
            if found.customer_id is None:
                raise InvalidValue(f"order '{order_id}' has no customer data to hold", hint="nothing to keep")
            order_ref, customer_id = int(found.id), str(found.customer_id)
        assert customer_id is not None
        load_live_customer(connection, customer_id)
        result = connection.execute(insert(legal_hold).values(
            customer_id=customer_id, order_ref=order_ref, reason=text, author=actor.id, created_at=now, until=until,
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        hold_id = int(result.inserted_primary_key[0])
        audit.record(connection, ctx, actor, [audit.Event(
            action="hold.add", customer_id=customer_id,
            details={"hold_id": hold_id, "order_id": order_id, "reason": text, "until": until.isoformat()},
        )])  # fmt: skip
    return hold_id


def release_hold(ctx: Context, *, actor: Actor, hold_id: int) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = connection.execute(select(legal_hold).where(legal_hold.c.id == hold_id)).first()
        if row is None:
            raise HoldNotFound(f"no hold {hold_id}", hint="see `tutela hold list`")
        if row.released_at is not None:
            raise HoldAlreadyReleased(
                f"hold {hold_id} was already released ({row.released_by}, {row.released_at:%Y-%m-%d})",
                hint="nothing to do",
            )
        connection.execute(
            update(legal_hold).where(legal_hold.c.id == hold_id).values(released_at=now, released_by=actor.id)
        )
        audit.record(connection, ctx, actor, [audit.Event(
            action="hold.release", customer_id=row.customer_id, details={"hold_id": hold_id},
        )])  # fmt: skip


def list_holds(ctx: Context, *, include_released: bool = False) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    query = (
        select(legal_hold, orders.c.order_id)
        .select_from(legal_hold.outerjoin(orders, orders.c.id == legal_hold.c.order_ref))
        .order_by(legal_hold.c.id)
    )
    if not include_released:
        query = query.where(legal_hold.c.released_at.is_(None), legal_hold.c.until > now)
    with read_only(ctx.engine) as connection:
        rows = connection.execute(query).all()
    return [
        {
            "id": int(r.id), "customer_id": r.customer_id, "order_id": r.order_id, "reason": r.reason,
            "author": r.author, "created_at": r.created_at, "until": r.until,
            "released_at": r.released_at, "released_by": r.released_by,
            "active": r.released_at is None and r.until > now,
        }
        for r in rows
    ]  # fmt: skip
