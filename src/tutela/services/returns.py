"""Return cases: the queue, a case with its returner's fields under the returns purpose only,
opening a case by hand, agents' notes and closing.

A case holds its order link, reason, status and resolution in plain columns, never a
personal value: the returner's name and return address live in the vault, in the customer's
record for `returns` (encrypted; the policy decides what each role sees, and every read is
audited by `vault.reveal`). Free text typed by an agent (a reason, a note) is checked for
e-mail addresses, phone and card numbers before it is saved, and refused if it seems to
hold one. Closing a case sets `closed_at`: the day the returns purpose's retention clock
("14 days after return_closed") starts; opening and closing put the customer in the retention
service's queue of due times to recompute. Every write is one audit event with ids and counts."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, case, insert, or_, select, update

from tutela.core.actor import Actor
from tutela.core.errors import (
    CustomerErased,
    InvalidValue,
    OrderNotFound,
    PersonalDataInText,
    PurposeNotAllowed,
    ReturnAlreadyClosed,
    ReturnNotFound,
)
from tutela.core.normalize import normalize_order_id
from tutela.core.pii_guard import personal_data_kind
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import orders, return_case
from tutela.core.suggest import did_you_mean
from tutela.services import audit, purpose_record, retention, vault
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer, open_dek
from tutela.services.field_input import Prepared, check_source, prepare_fields

RETURNS = "returns"  # the one purpose a case's personal fields are read and stored under
SOURCE = "manual"  # fields an agent types
CHANNEL = "manual"  # cases opened by hand (imported ones carry their report's channel, e.g. amazon)
OUTCOMES = ("refunded", "replaced", "rejected", "returned_without_refund")
MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 128  # return_case.reason
MAX_PAGE = 1000
# open_return's keyword -> the category it is stored as (all declared by the returns purpose).
PERSONAL_FIELDS = {
    "name": "user.name",
    "street": "user.contact.address.street",
    "city": "user.contact.address.city",
    "state": "user.contact.address.state",
    "postal_code": "user.contact.address.postal_code",
    "country": "user.contact.address.country",
}

STATUSES = ("open", "closed")  # open: closed_at not set (whatever the report's own status says)


@dataclass(frozen=True)
class ReturnRow:
    """A case in the queue: no personal data. Open until `closed_at` is set."""

    id: int
    channel: str
    order_id: str
    status: str | None
    reason: str | None
    resolution: str | None
    requested_at: datetime | None
    closed_at: datetime | None
    customer_id: str | None
    age: timedelta  # from the request (or, without one, from when the case was stored) to closing or now

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def age_days(self) -> int:
        return self.age.days


@dataclass(frozen=True)
class Note:
    at: datetime
    by: str  # the actor id (a staff member's sign-in name, a token's name): no customer data
    text: str


@dataclass(frozen=True)
class ReturnCase:
    """A case's plain facts and notes (no personal data)."""

    row: ReturnRow
    return_key: str
    sku: str | None
    quantity: int | None
    refunded_amount: Decimal | None
    currency: str | None
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ShownReturn:
    """A case and its customer's fields as the actor's role sees them under `returns`.
    `revealed` is None when the case has no customer or the customer was erased."""

    case: ReturnCase
    revealed: vault.Revealed | None
    customer_erased: bool = False


# -- reading ---------------------------------------------------------------------------------

_ROW_COLUMNS = (
    return_case.c.id, return_case.c.channel, return_case.c.order_id, return_case.c.status, return_case.c.reason,
    return_case.c.resolution, return_case.c.requested_at, return_case.c.closed_at, return_case.c.customer_id,
    return_case.c.created_at,
)  # fmt: skip
_closed_group = case((return_case.c.closed_at.is_(None), 0), else_=1)  # open cases first


def list_returns(
    ctx: Context, *, status: str | None = None, limit: int = 100, after: int | None = None
) -> list[ReturnRow]:
    """The queue: open cases first, then closed ones, each by id; `status` "open" or "closed"
    keeps one of the two. `after` is the id of the last case of the previous page. No personal
    data, so no audit event."""
    if status not in STATUSES and status is not None:
        raise InvalidValue(f"unknown status '{status}'", hint="open or closed (or none for both)")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidValue(f"a page holds 1 to {MAX_PAGE} cases", hint="e.g. limit 100")
    query = select(*_ROW_COLUMNS).order_by(_closed_group, return_case.c.id).limit(limit)
    if status == "open":
        query = query.where(return_case.c.closed_at.is_(None))
    elif status == "closed":
        query = query.where(return_case.c.closed_at.isnot(None))
    now = ctx.clock.now()
    with read_only(ctx.engine) as connection:
        if after is not None:
            query = query.where(_after(connection, after))
        return [_row(r, now) for r in connection.execute(query)]


def _after(connection: Connection, after: int) -> Any:
    last = connection.execute(select(return_case.c.closed_at).where(return_case.c.id == after)).first()
    if last is None:  # the cursor's case is gone: carry on by id
        return return_case.c.id > after
    group = 0 if last.closed_at is None else 1
    return or_(_closed_group > group, and_(_closed_group == group, return_case.c.id > after))


def _row(r: Any, now: datetime) -> ReturnRow:
    start = r.requested_at or r.created_at
    age = max((r.closed_at or now) - start, timedelta(0))
    return ReturnRow(
        id=int(r.id), channel=r.channel, order_id=r.order_id, status=r.status, reason=r.reason,
        resolution=r.resolution, requested_at=r.requested_at, closed_at=r.closed_at, customer_id=r.customer_id,
        age=age,
    )  # fmt: skip


def get_return(ctx: Context, *, return_id: int) -> ReturnCase:
    """A case's plain facts and notes: what the console shows before anything is revealed."""
    with read_only(ctx.engine) as connection:
        return _load(connection, return_id, ctx.clock.now())


def _load(connection: Connection, return_id: int, now: datetime) -> ReturnCase:
    r = connection.execute(
        select(*_ROW_COLUMNS, return_case.c.return_key, return_case.c.sku, return_case.c.quantity,
               return_case.c.refunded_amount, return_case.c.currency, return_case.c.notes)
        .where(return_case.c.id == return_id)
    ).first()  # fmt: skip
    if r is None:
        raise ReturnNotFound(f"no return with id {return_id}", hint="see `tutela returns list`")
    return ReturnCase(
        row=_row(r, now), return_key=r.return_key, sku=r.sku, quantity=r.quantity, refunded_amount=r.refunded_amount,
        currency=r.currency, notes=[Note(datetime.fromisoformat(n["at"]), n["by"], n["text"])
                                    for n in _notes(r.notes)],
    )  # fmt: skip


def _notes(stored: str | None) -> list[dict[str, str]]:
    notes: list[dict[str, str]] = json.loads(stored) if stored else []
    return notes


def show_return(ctx: Context, *, actor: Actor, return_id: int, purpose: str) -> ShownReturn:
    """The case and its customer's fields, revealed under `purpose` (which must be `returns`):
    the policy decides per field what the actor's role sees, and `vault.reveal` audits the read."""
    ctx.policy.purpose(purpose)  # an unknown purpose gets its own error, with a suggestion
    ctx.policy.role(actor.role)
    if purpose != RETURNS:
        refused = audit.Event(action="return.show", purpose=purpose, outcome="purpose_not_allowed",
                              details={"return_id": return_id, "role": actor.role})  # fmt: skip
        audit.record_alone(ctx, actor, refused)
        raise PurposeNotAllowed(
            f"a return case is read under purpose '{RETURNS}', not '{purpose}'",
            hint=f"act under purpose '{RETURNS}'; the policy then decides what your role sees",
        )
    found = get_return(ctx, return_id=return_id)
    customer_id = found.row.customer_id
    if customer_id is None:
        return ShownReturn(case=found, revealed=None)
    try:
        revealed = vault.reveal(ctx, actor=actor, purpose=purpose, customer_id=customer_id)
    except CustomerErased:  # the attempt is audited by reveal; the case itself is still there
        return ShownReturn(case=found, revealed=None, customer_erased=True)
    return ShownReturn(case=found, revealed=revealed)


# -- writing ---------------------------------------------------------------------------------


def _free_text(what: str, text: str, limit: int) -> str:
    """An agent's text, refused (with a warning that names the kind, never the value) if it
    seems to hold an e-mail address, a phone or a card number: it is stored unencrypted."""
    value = text.strip()
    if not value:
        raise InvalidValue(f"the {what} is empty", hint=f"write the {what}")
    if len(value) > limit:
        raise InvalidValue(f"the {what} is longer than {limit} characters", hint="shorten it")
    kind = personal_data_kind(value)
    if kind:
        raise PersonalDataInText(
            f"the {what} seems to contain {kind}, so it was not saved; a case's {what} is stored unencrypted and"
            " read by every agent on the returns queue, so it must hold no personal data",
            hint="write it without that: the returner's name and address go in the case's fields, and card or"
            " phone numbers and e-mail addresses nowhere",
        )
    return value


def open_return(
    ctx: Context,
    *,
    actor: Actor,
    order_id: str,
    reason: str,
    notes: str | None = None,
    name: str | None = None,
    street: str | None = None,
    city: str | None = None,
    state: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
) -> ReturnCase:
    """Open a case by hand for an order the store knows (the shop's order id). The case links
    the order and its customer; the given personal fields are stored for that customer under
    `returns`, attributed to the source `manual` (a customer is created if the order has none).
    Everything is checked before the first write; one transaction, one audit event."""
    order_key = order_id.strip()
    normalize_order_id(order_key)  # the shape of an order id, or InvalidValue
    reason_text = _free_text("reason", reason, MAX_REASON_CHARS)
    note = _free_text("note", notes, MAX_NOTE_CHARS) if notes is not None and notes.strip() else None
    given = {PERSONAL_FIELDS[k]: v for k, v in (("name", name), ("street", street), ("city", city), ("state", state),
             ("postal_code", postal_code), ("country", country)) if v is not None}  # fmt: skip
    items: list[Prepared] = []
    if given:
        acting = ctx.policy.purpose(RETURNS)
        check_source(acting, SOURCE)
        items = prepare_fields(ctx.policy, acting, given)
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        order_ref, customer_id = _order(connection, order_key)
        created = False
        if items:
            if customer_id is None:
                customer_id, dek = purpose_record.new_customer(connection, ctx=ctx, now=now)
                created = True
                connection.execute(
                    update(orders).where(orders.c.id == order_ref, orders.c.customer_id.is_(None))
                    .values(customer_id=customer_id, updated_at=now)
                )  # fmt: skip
            else:
                dek = open_dek(ctx, load_live_customer(connection, customer_id))
            purpose_record.put_fields(connection, ctx=ctx, customer_id=customer_id, purpose=RETURNS, source=SOURCE,
                                      dek=dek, items=items, now=now)  # fmt: skip
            purpose_record.link_order(connection, ctx=ctx, customer_id=customer_id, order_id=order_key, now=now)
        stored_notes = json.dumps([_note(actor, now, note)]) if note else None
        # The key needs the id: a placeholder first, unique even when two agents open cases at once.
        return_id = int(connection.execute(
            insert(return_case).values(
                channel=CHANNEL, return_key=f"manual-pending-{secrets.token_hex(8)}", order_id=order_key,
                order_ref=order_ref, customer_id=customer_id, requested_at=now, status="open", reason=reason_text,
                notes=stored_notes, created_at=now, updated_at=now,
            ).returning(return_case.c.id)
        ).scalar_one())  # fmt: skip
        connection.execute(update(return_case).where(return_case.c.id == return_id)
                           .values(return_key=f"manual-{return_id}"))  # fmt: skip
        if customer_id is not None:  # an open return holds the returns fields until it closes
            retention.mark_stale(connection, [customer_id])
        event = audit.Event(
            action="return.open", customer_id=customer_id, purpose=RETURNS, fields=[i.category for i in items],
            details={"return_id": return_id, "order_ref": order_ref, "fields_stored": len(items),
                     "customer_created": created, "notes": 1 if note else 0},
        )  # fmt: skip
        audit.record(connection, ctx, actor, [event])
        return _load(connection, return_id, now)


def _order(connection: Connection, order_id: str) -> tuple[int, str | None]:
    found = connection.execute(
        select(orders.c.id, orders.c.channel, orders.c.customer_id).where(orders.c.order_id == order_id)
    ).all()
    if not found:
        raise OrderNotFound(f"no order with id '{order_id}'", hint="import the order report first, or check the id")
    if len(found) > 1:
        channels = ", ".join(sorted(r.channel for r in found))
        raise InvalidValue(f"order id '{order_id}' is in several channels ({channels})",
                           hint="open the return from that channel's returns report instead")  # fmt: skip
    return int(found[0].id), found[0].customer_id


def _note(actor: Actor, now: datetime, text: str) -> dict[str, str]:
    return {"at": now.isoformat(), "by": actor.id, "text": text}


def add_note(ctx: Context, *, actor: Actor, return_id: int, text: str) -> ReturnCase:
    """Append an agent's note (checked first: refused, and nothing saved, if it seems to hold
    an e-mail address, a phone or a card number)."""
    note = _free_text("note", text, MAX_NOTE_CHARS)
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        found = connection.execute(
            select(return_case.c.notes, return_case.c.customer_id).where(return_case.c.id == return_id)
        ).first()
        if found is None:
            raise ReturnNotFound(f"no return with id {return_id}", hint="see `tutela returns list`")
        notes = [*_notes(found.notes), _note(actor, now, note)]
        connection.execute(
            update(return_case).where(return_case.c.id == return_id).values(notes=json.dumps(notes), updated_at=now)
        )
        event = audit.Event(action="return.note", customer_id=found.customer_id,
                            details={"return_id": return_id, "chars": len(note), "notes": len(notes)})  # fmt: skip
        audit.record(connection, ctx, actor, [event])
        return _load(connection, return_id, now)


def close_return(ctx: Context, *, actor: Actor, return_id: int, outcome: str) -> ReturnCase:
    """Close a case with its outcome (one of OUTCOMES): status `closed`, the outcome as its
    resolution, `closed_at` now — which starts the clock of the returns purpose's retention.
    A closed case is not closed again (nothing changes)."""
    if outcome not in OUTCOMES:
        raise InvalidValue(f"unknown outcome '{outcome}'", hint=did_you_mean(outcome, OUTCOMES, "outcome"))
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        closed = connection.execute(
            update(return_case).where(return_case.c.id == return_id, return_case.c.closed_at.is_(None))
            .values(status="closed", resolution=outcome, closed_at=now, updated_at=now)
        ).rowcount  # fmt: skip
        if not closed:
            earlier = connection.execute(select(return_case.c.closed_at).where(return_case.c.id == return_id)).first()
            if earlier is None:
                raise ReturnNotFound(f"no return with id {return_id}", hint="see `tutela returns list`")
            raise ReturnAlreadyClosed(
                f"return {return_id} is already closed (on {earlier.closed_at:%Y-%m-%d})",
                hint="nothing was changed; a closed case keeps its outcome and its retention clock",
            )
        shown = _load(connection, return_id, now)
        if shown.row.customer_id is not None:  # the clock of "14 days after return_closed" starts
            retention.mark_stale(connection, [shown.row.customer_id])
        event = audit.Event(action="return.close", customer_id=shown.row.customer_id,
                            details={"return_id": return_id, "outcome": outcome})  # fmt: skip
        audit.record(connection, ctx, actor, [event])
        return shown
