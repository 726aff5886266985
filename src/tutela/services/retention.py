"""Due times kept current: each record's due time, scope and basis, computed from the policy
and the customer's orders and returns (core/retention_due), stored on the record so that a
plan over a million customers is one indexed query.

What needs recomputing is known without a scan: new records have no basis yet (a partial
index finds them), writers that change a customer's events put the customer in
`retention_stale`, and a policy other than the one last used recomputes everything."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select

from tutela.core.policy import Policy
from tutela.core.record_codec import decode
from tutela.core.retention_due import CustomerEvents, Due, DueCalculator, OrderDates, ReturnDates, Scope
from tutela.core.storage.bulk import db_value, from_db_time, put_meta, select_in
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import amazon_revocation, meta, record, retention_stale
from tutela.services.context import Context

_POLICY_KEY = "retention.policy_sha256"
_CHUNK = 10_000  # customers per transaction while recomputing (fewer commits rewrite fewer pages)


def mark_stale(connection: Connection, customer_ids: Iterable[str]) -> None:
    """The customers' events changed: their due times are recomputed before the next plan."""
    rows = [(c,) for c in sorted(set(customer_ids))]
    if rows:
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"INSERT INTO retention_stale (customer_id) VALUES ({marker}) ON CONFLICT DO NOTHING",  # noqa: S608
            rows,
        )


@dataclass(frozen=True)
class RefreshResult:
    customers: int
    records: int
    untrusted_dates: int
    full: bool


def refresh(ctx: Context, *, full: bool = False) -> RefreshResult:
    """Recompute the due times that may be out of date (all of them after a policy change)."""
    with read_only(ctx.engine) as connection:
        used = connection.execute(select(meta.c.value).where(meta.c.key == _POLICY_KEY)).scalar()
    full = full or used != ctx.policy.sha256
    customers = records = untrusted = 0
    for chunk in _chunks(ctx, full):
        with transaction(ctx.engine) as connection:
            calculator = DueCalculator(ctx.policy, ctx.clock.now(), revocation_deadline=revocation_deadline(connection))
            computed = compute(connection, calculator, chunk)
            store_due(connection, computed)
            connection.execute(delete(retention_stale).where(retention_stale.c.customer_id.in_(chunk)))
        customers += len(chunk)
        records += len(computed)
        untrusted += sum(1 for computed_row in computed if computed_row[4].untrusted_dates)
    if full:
        with transaction(ctx.engine) as connection:
            put_meta(connection, _POLICY_KEY, ctx.policy.sha256)
    return RefreshResult(customers=customers, records=records, untrusted_dates=untrusted, full=full)


def store_due(connection: Connection, computed: Sequence[Computed]) -> None:
    if not computed:
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"UPDATE record SET due_at = {marker}, due_scope = {marker}, due_basis = {marker}, "  # noqa: S608
        f"due_untrusted = {marker} WHERE id = {marker}",
        [
            (db_value(connection, due.at), due.scope.value, due.basis, due.untrusted_dates > 0, ref)
            for ref, _, _, _, due, _ in computed
        ],
    )


def _chunks(ctx: Context, full: bool) -> Iterator[list[str]]:
    if full:
        after = ""
        while True:
            with read_only(ctx.engine) as connection:
                ids = [str(c) for (c,) in connection.execute(
                    select(record.c.customer_id).distinct().where(record.c.customer_id > after)
                    .order_by(record.c.customer_id).limit(_CHUNK)
                )]  # fmt: skip
            if not ids:
                return
            yield ids
            after = ids[-1]
    while True:
        with read_only(ctx.engine) as connection:
            stale = [str(c) for (c,) in connection.execute(select(retention_stale.c.customer_id).limit(_CHUNK))]
            new = [str(c) for (c,) in connection.execute(
                select(record.c.customer_id).where(record.c.due_basis.is_(None)).limit(_CHUNK)
            )]  # fmt: skip
        ids = sorted(set(stale) | set(new))
        if not ids:
            return
        yield ids


def revocation_deadline(connection: Connection) -> datetime | None:
    """The deadline of an open Amazon revocation (DPP §1.7), if there is one."""
    found = connection.execute(
        select(amazon_revocation.c.deadline_at).where(amazon_revocation.c.completed_at.is_(None))
        .order_by(amazon_revocation.c.deadline_at).limit(1)
    ).scalar()  # fmt: skip
    return from_db_time(found)


# record id, customer id, purpose, categories bit set, due, categories of its Amazon-sourced fields
Computed = tuple[int, str, str, int, Due, list[str]]


def compute(connection: Connection, calculator: DueCalculator, customer_ids: Sequence[str]) -> list[Computed]:
    """Due times of every record of these customers (nothing written)."""
    events = load_events(connection, customer_ids)
    policy: Policy = calculator.policy
    found: list[Computed] = []
    rows = select_in(connection, "SELECT id, customer_id, purpose, fields, created_at, categories FROM record "
                     "WHERE customer_id IN ({})", customer_ids)  # fmt: skip
    for ref, cid, purpose_key, blob, created, categories in rows:
        purpose = policy.purposes.get(str(purpose_key))
        collected = from_db_time(created)
        assert collected is not None
        entries = decode(bytes(blob))
        amazon = [entry.category for entry in entries if entry.source == "amazon"]
        if purpose is None:  # a purpose the policy no longer has: nothing justifies keeping it
            due = Due(calculator.now, Scope.ALL, f"purpose '{purpose_key}' is no longer in the policy")
        else:
            events_of = events.get(str(cid), _NO_EVENTS)
            due = calculator.due(purpose, events_of, collected=collected, has_amazon=bool(amazon))
            if due.scope is Scope.AMAZON and len(amazon) == len(entries):
                due = Due(due.at, Scope.ALL, due.basis, due.untrusted_dates)  # Amazon fields only: all of it
        found.append((int(ref), str(cid), str(purpose_key), int(categories), due, amazon))
    return found


_NO_EVENTS = CustomerEvents()


def load_events(connection: Connection, customer_ids: Sequence[str]) -> dict[str, CustomerEvents]:
    events: dict[str, CustomerEvents] = {}
    for cid, channel, purchased, shipped, promised, delivered in select_in(
        connection, "SELECT customer_id, channel, purchased_at, shipped_at, promised_delivery_at, delivered_at "
        "FROM orders WHERE customer_id IN ({})", customer_ids,
    ):  # fmt: skip
        events.setdefault(str(cid), CustomerEvents()).orders.append(
            OrderDates(
                str(channel),
                from_db_time(purchased),
                from_db_time(shipped),
                from_db_time(promised),
                from_db_time(delivered),
            )
        )
    for cid, requested, closed in select_in(
        connection, "SELECT customer_id, requested_at, closed_at FROM return_case WHERE customer_id IN ({})",
        customer_ids,
    ):  # fmt: skip
        events.setdefault(str(cid), CustomerEvents()).returns.append(
            ReturnDates(from_db_time(requested), from_db_time(closed))
        )
    return events
