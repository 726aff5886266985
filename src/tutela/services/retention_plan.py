"""`retention plan`: what will be deleted, when and why — due now, overdue (should read 0),
week by week up to a date, what holds keep, what waits for an event. Under the applied
policy it reads the stored due times (one grouped query); under a proposed policy it
computes them in memory, so the effect of a change is seen before anything is deleted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from tutela.core.policy import Policy
from tutela.core.record_codec import decode
from tutela.core.retention_due import DueCalculator, Scope
from tutela.core.storage.bulk import db_value, from_db_time
from tutela.core.storage.engine import read_only
from tutela.core.storage.schema import legal_hold, orders, record
from tutela.core.taxonomy import CATEGORIES
from tutela.services import retention
from tutela.services.context import Context

OVERDUE_GRACE = timedelta(hours=1)  # apply runs hourly: due longer ago than this is overdue
_BITS = [(c.bit, c.key) for c in CATEGORIES.values()]


def category_names(mask: int) -> list[str]:
    return [key for bit, key in _BITS if mask & bit]


@dataclass
class Counts:
    records: int = 0
    fields: int = 0
    by_purpose: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, purpose: str, categories: list[str], records: int) -> None:
        self.records += records
        self.fields += records * len(categories)
        bucket = self.by_purpose.setdefault(purpose, {})
        for category in categories:
            bucket[category] = bucket.get(category, 0) + records

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "fields": self.fields, "by_purpose": self.by_purpose}


@dataclass
class Held:
    hold_id: int
    customer_id: str
    order_id: str | None
    reason: str
    until: datetime
    counts: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, Any]:
        return {"hold_id": self.hold_id, "customer_id": self.customer_id, "order_id": self.order_id,
                "reason": self.reason, "until": self.until.isoformat(), **self.counts.as_dict()}  # fmt: skip


@dataclass
class RecordDue:
    purpose: str
    categories: list[str]
    due_at: datetime | None
    scope: str
    basis: str
    held_by: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "categories": self.categories,
                "due_at": self.due_at.isoformat() if self.due_at else None, "scope": self.scope,
                "basis": self.basis, "held_by": self.held_by}  # fmt: skip


@dataclass
class Plan:
    generated_at: datetime
    until: datetime
    policy_sha256: str
    proposed: bool
    due_now: Counts = field(default_factory=Counts)
    overdue: Counts = field(default_factory=Counts)
    weeks: dict[date, Counts] = field(default_factory=dict)
    held: list[Held] = field(default_factory=list)
    waiting: dict[str, int] = field(default_factory=dict)  # purpose -> records waiting for an event
    untrusted_records: int = 0
    customer: list[RecordDue] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "until": self.until.isoformat(),
            "policy_sha256": self.policy_sha256,
            "proposed_policy": self.proposed,
            "due_now": self.due_now.as_dict(),
            "overdue": self.overdue.as_dict(),
            "weeks": [{"week_of": week.isoformat(), **counts.as_dict()} for week, counts in sorted(self.weeks.items())],
            "held": [h.as_dict() for h in self.held],
            "waiting_for_event": self.waiting,
            "untrusted_event_dates": self.untrusted_records,
            **({"customer": [r.as_dict() for r in self.customer]} if self.customer is not None else {}),
        }

    def _place(self, purpose: str, categories: list[str], due_at: datetime, records: int) -> None:
        if due_at <= self.generated_at:
            self.due_now.add(purpose, categories, records)
            if due_at <= self.generated_at - OVERDUE_GRACE:
                self.overdue.add(purpose, categories, records)
        elif due_at <= self.until:
            monday = due_at.date() - timedelta(days=due_at.weekday())
            self.weeks.setdefault(monday, Counts()).add(purpose, categories, records)


def plan(
    ctx: Context, *, until: datetime | None = None, customer_id: str | None = None, policy: Policy | None = None
) -> Plan:
    now = ctx.clock.now()
    horizon = until or now + timedelta(weeks=8)
    proposed = policy is not None and policy.sha256 != ctx.policy.sha256
    if not proposed:
        retention.refresh(ctx)
    result = Plan(generated_at=now, until=horizon, policy_sha256=(policy or ctx.policy).sha256, proposed=proposed)
    with read_only(ctx.engine) as connection:
        holds = _active_holds(connection, now)
        if proposed:
            assert policy is not None
            _plan_in_memory(connection, result, policy, holds, customer_id)
        elif customer_id is not None:
            _plan_customer(connection, result, holds, customer_id)
        else:
            _plan_stored(connection, result, holds)
    return result


def _active_holds(connection: Connection, now: datetime) -> dict[str, Held]:
    rows = connection.execute(
        select(legal_hold.c.id, legal_hold.c.customer_id, legal_hold.c.reason, legal_hold.c.until, orders.c.order_id)
        .select_from(legal_hold.outerjoin(orders, orders.c.id == legal_hold.c.order_ref))
        .where(legal_hold.c.released_at.is_(None), legal_hold.c.until > now)
        .order_by(legal_hold.c.id)
    )  # fmt: skip
    holds: dict[str, Held] = {}
    for row in rows:
        holds.setdefault(str(row.customer_id), Held(int(row.id), str(row.customer_id), row.order_id, row.reason,
                                                    row.until))  # fmt: skip
    return holds


def _day(connection: Connection) -> str:
    if connection.dialect.name == "sqlite":
        return "substr(due_at, 1, 10)"
    return "to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


_NOT_HELD = (
    "NOT EXISTS (SELECT 1 FROM legal_hold h WHERE h.customer_id = record.customer_id"
    " AND h.released_at IS NULL AND h.until > {now})"
)


def _plan_stored(connection: Connection, result: Plan, holds: dict[str, Held]) -> None:
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    horizon, now = db_value(connection, result.until), db_value(connection, result.generated_at)
    day = _day(connection)
    # Without a hold in force (the usual case) every row is counted: no per-row hold lookup.
    not_held, held_params = (_NOT_HELD.format(now=marker), (now,)) if holds else ("1 = 1", ())
    rows = connection.exec_driver_sql(
        f"SELECT purpose, categories, {day}, min(due_at), count(*) FROM record "  # noqa: S608 - fixed SQL
        f"WHERE due_at <= {marker} AND due_scope = 'all' AND {not_held} GROUP BY purpose, categories, {day}",
        (horizon, *held_params),
    ).cursor.fetchall()
    for purpose, mask, _, first, count in rows:
        due_at = from_db_time(first)
        assert due_at is not None
        result._place(str(purpose), category_names(int(mask)), due_at, int(count))
    # Mixed records lose only their Amazon-sourced fields: counted entry by entry (they are few).
    mixed = connection.exec_driver_sql(
        f"SELECT purpose, fields, due_at FROM record WHERE due_at <= {marker} AND due_scope = 'amazon'"  # noqa: S608
        f" AND {not_held}",
        (horizon, *held_params),
    ).cursor.fetchall()
    for purpose, blob, due in mixed:
        amazon = [e.category for e in decode(bytes(blob)) if e.source == "amazon"]
        due_at = from_db_time(due)
        assert due_at is not None
        result._place(str(purpose), amazon, due_at, 1)
    # After the refresh nothing is uncomputed: a NULL due time is a record waiting for an event.
    waiting = connection.exec_driver_sql(
        "SELECT purpose, count(*) FROM record WHERE due_at IS NULL GROUP BY purpose"
    ).cursor.fetchall()
    result.waiting = {str(p): int(n) for p, n in waiting}
    result.untrusted_records = int(connection.execute(
        select(func.count()).select_from(record).where(record.c.due_untrusted)
    ).scalar() or 0)  # fmt: skip
    _count_held(connection, result, holds)


def _count_held(connection: Connection, result: Plan, holds: dict[str, Held]) -> None:
    if not holds:
        return
    rows = connection.execute(
        select(record.c.customer_id, record.c.purpose, record.c.categories).where(
            record.c.customer_id.in_(sorted(holds)), record.c.due_at <= result.until
        )
    )
    for row in rows:
        holds[str(row.customer_id)].counts.add(str(row.purpose), category_names(int(row.categories)), 1)
    result.held = sorted(holds.values(), key=lambda h: h.hold_id)


def _plan_customer(connection: Connection, result: Plan, holds: dict[str, Held], customer_id: str) -> None:
    rows = connection.execute(
        select(record.c.purpose, record.c.categories, record.c.due_at, record.c.due_scope, record.c.due_basis)
        .where(record.c.customer_id == customer_id).order_by(record.c.purpose)
    )  # fmt: skip
    hold = holds.get(customer_id)
    result.customer = []
    for row in rows:
        categories = category_names(int(row.categories))
        basis = row.due_basis or "not computed yet"
        held_by = hold.hold_id if hold else None
        result.customer.append(RecordDue(str(row.purpose), categories, row.due_at, row.due_scope or "all", basis,
                                         held_by))  # fmt: skip
        if hold is None and row.due_at is not None:
            result._place(str(row.purpose), categories, row.due_at, 1)
    if hold is not None:
        result.held = [hold]


def _plan_in_memory(
    connection: Connection, result: Plan, policy: Policy, holds: dict[str, Held], customer_id: str | None
) -> None:
    calculator = DueCalculator(policy, result.generated_at,
                               revocation_deadline=retention.revocation_deadline(connection))  # fmt: skip
    waiting: dict[str, int] = defaultdict(int)
    customer_rows: list[RecordDue] = []
    for chunk in _customer_chunks(connection, customer_id):
        for _ref, cid, purpose, mask, due, amazon in retention.compute(connection, calculator, chunk):
            categories = category_names(mask)
            hold = holds.get(cid)
            if customer_id is not None:
                customer_rows.append(RecordDue(purpose, categories, due.at, due.scope.value, due.basis,
                                               hold.hold_id if hold else None))  # fmt: skip
            if due.untrusted_dates:
                result.untrusted_records += 1
            if due.at is None:
                waiting[purpose] += 1
            elif hold is not None:
                if due.at <= result.until:
                    hold.counts.add(purpose, categories, 1)
            else:
                result._place(purpose, categories if due.scope is Scope.ALL else amazon, due.at, 1)
    result.waiting = dict(waiting)
    result.held = [h for h in sorted(holds.values(), key=lambda h: h.hold_id) if h.counts.records]
    if customer_id is not None:
        result.customer = customer_rows


def _customer_chunks(connection: Connection, customer_id: str | None) -> list[list[str]]:
    if customer_id is not None:
        return [[customer_id]]
    ids = [
        str(c) for (c,) in connection.execute(select(record.c.customer_id).distinct().order_by(record.c.customer_id))
    ]
    return [ids[i : i + 2000] for i in range(0, len(ids), 2000)]
