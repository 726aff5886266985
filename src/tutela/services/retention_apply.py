"""`retention apply`: delete what is due, in batches of whole customers, each batch one
transaction with one audit event — the deletion receipt (counts per purpose and category,
the customer ids). A customer left with no field is crypto-shredded as in an erasure.

Safe to run anywhere, any number of times: a batch either commits whole or not at all (after
`kill -9` a customer keeps its key and its remaining fields, or is fully shredded), nothing
due twice is deleted twice, and on PostgreSQL two servers take disjoint customers
(`FOR UPDATE SKIP LOCKED`). Held customers are skipped; an expired hold is closed here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from tutela.core.actor import Actor
from tutela.core.record_codec import categories_mask, decode, encode
from tutela.core.storage.bulk import db_value, insert_rows, put_meta, select_in
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import legal_hold, meta, tombstone
from tutela.core.storage.wal_checkpointer import fewer_checkpoints
from tutela.services import audit, retention, tombstones
from tutela.services.context import Context

_LAST_RUN_KEY = "retention.last_apply_at"
SHRED_REASON = "retention: every field reached its due time"


@dataclass
class ApplyResult:
    batches: int = 0
    records_deleted: int = 0  # whole records (every field of a purpose)
    records_trimmed: int = 0  # records that lost only their Amazon-sourced fields
    fields_deleted: int = 0
    customers_shredded: int = 0
    by_purpose: dict[str, dict[str, int]] = field(default_factory=dict)
    receipts: list[int] = field(default_factory=list)  # audit event numbers
    holds_expired: list[int] = field(default_factory=list)
    clock_moved_back_s: float | None = None  # set when now is earlier than the last run

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches, "records_deleted": self.records_deleted,
            "records_trimmed": self.records_trimmed, "fields_deleted": self.fields_deleted,
            "customers_shredded": self.customers_shredded, "by_purpose": self.by_purpose,
            "receipts": self.receipts, "holds_expired": self.holds_expired,
            "clock_moved_back_s": self.clock_moved_back_s,
        }  # fmt: skip


def apply(ctx: Context, *, actor: Actor, batch_customers: int = 5000, max_batches: int | None = None) -> ApplyResult:
    """Delete every due, unheld field. `max_batches` stops early, as a crash would (for tests)."""
    with fewer_checkpoints(ctx.engine):
        return _apply(ctx, actor=actor, batch_customers=batch_customers, max_batches=max_batches)


def _apply(ctx: Context, *, actor: Actor, batch_customers: int, max_batches: int | None) -> ApplyResult:
    retention.refresh(ctx)
    now = ctx.clock.now()
    result = ApplyResult()
    _check_clock(ctx, actor, now, result)
    result.holds_expired = expire_holds(ctx, actor=actor, now=now)
    empty_takes = 0
    after = ""  # customers are taken in id order: neighbours share pages, so a batch rewrites few
    sqlite = ctx.engine.dialect.name == "sqlite"
    while (max_batches is None or result.batches < max_batches) and empty_takes < 3:
        if sqlite:  # chosen outside the write lock, so other writers (an unsubscribe) do not wait on the search
            with read_only(ctx.engine) as reader:
                chosen = _take_customers(reader, now, batch_customers, after=after)
            if not chosen:
                break
        with transaction(ctx.engine) as connection:
            customers = chosen if sqlite else _take_customers(connection, now, batch_customers, after=after)
            if not customers:
                break
            after = customers[-1]
            shredded = _delete_batch(connection, ctx, actor, customers, now=now, result=result)
        if shredded is None:  # another server finished these customers between our query and our lock
            empty_takes += 1
            continue
        tombstones.append_many(ctx, shredded, now, mark=False)
        result.batches += 1
    if result.customers_shredded:
        tombstones.mark_seen(ctx)
    return result


def _check_clock(ctx: Context, actor: Actor, now: datetime, result: ApplyResult) -> None:
    """A clock that went back deletes nothing early (less is due); it is recorded, and the
    stored time never moves backwards."""
    with transaction(ctx.engine) as connection:
        stored = connection.execute(select(meta.c.value).where(meta.c.key == _LAST_RUN_KEY)).scalar()
        last = datetime.fromisoformat(stored) if stored else None
        if last is not None and now < last:
            result.clock_moved_back_s = round((last - now).total_seconds(), 3)
            audit.record(connection, ctx, actor, [audit.Event(
                action="retention.clock_backwards",
                details={"last_run_at": last.isoformat(), "now": now.isoformat()},
            )])  # fmt: skip
            return
        put_meta(connection, _LAST_RUN_KEY, now.isoformat())


def expire_holds(ctx: Context, *, actor: Actor, now: datetime) -> list[int]:
    """Holds past their end date are closed (and audited); their data is due at once if its time passed."""
    with transaction(ctx.engine) as connection:
        ended = [int(i) for (i,) in connection.execute(
            select(legal_hold.c.id).where(legal_hold.c.released_at.is_(None), legal_hold.c.until <= now)
        )]  # fmt: skip
        if not ended:
            return []
        connection.execute(
            update(legal_hold).where(legal_hold.c.id.in_(ended)).values(released_at=now, released_by="expired")
        )
        audit.record(connection, ctx, actor, [
            audit.Event(action="hold.expired", details={"hold_id": hold_id}) for hold_id in ended
        ])  # fmt: skip
    return ended


_NOT_HELD = (
    " AND NOT EXISTS (SELECT 1 FROM legal_hold h WHERE h.customer_id = record.customer_id"
    " AND h.released_at IS NULL AND h.until > {m})"
)


def _take_customers(connection: Connection, now: datetime, limit: int, *, after: str = "") -> list[str]:
    """Up to `limit` customers after `after` (in id order) with due, unheld records. The hold
    check is left out while no hold is in force."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    at = db_value(connection, now)
    anything = connection.exec_driver_sql(
        f"SELECT 1 FROM record WHERE due_at <= {marker} LIMIT 1",  # noqa: S608 - the due-time index answers
        (at,),
    ).cursor.fetchone()
    if anything is None:
        return []
    held = connection.execute(
        select(legal_hold.c.id).where(legal_hold.c.released_at.is_(None), legal_hold.c.until > now).limit(1)
    ).first()
    not_held, params = (_NOT_HELD.format(m=marker), (at, after, at)) if held else ("", (at, after))
    # SQLite: `+due_at` keeps the planner on the customer-id index (a forward walk through the
    # table in its own order) instead of sorting every due row for each batch.
    due_term = "+due_at" if connection.dialect.name == "sqlite" else "due_at"
    due = (
        f"SELECT customer_id FROM record WHERE {due_term} <= {marker} AND customer_id > {marker}{not_held} "  # noqa: S608
        f"ORDER BY customer_id LIMIT {4 * int(limit)}"
    )
    if connection.dialect.name == "postgresql":
        # Lock whole customers, skipping those another server is deleting right now (the
        # wider inner window leaves it customers to take when the first ones are locked).
        sql = (
            f"SELECT id FROM customer WHERE wrapped_dek IS NOT NULL AND id IN ({due}) "  # noqa: S608
            f"ORDER BY id LIMIT {int(limit)} FOR UPDATE SKIP LOCKED"
        )
        return [str(c) for (c,) in connection.exec_driver_sql(sql, params).cursor.fetchall()]
    # SQLite: the write transaction (BEGIN IMMEDIATE) already excludes every other writer.
    found = connection.exec_driver_sql(due, params).cursor.fetchall()
    return list(dict.fromkeys(str(c) for (c,) in found))[:limit]


def _delete_batch(
    connection: Connection, ctx: Context, actor: Actor, taken: Sequence[str], *, now: datetime, result: ApplyResult
) -> list[str] | None:
    """None when none of the taken customers has anything due any more."""
    at = db_value(connection, now)
    rows = select_in(
        connection, "SELECT id, customer_id, purpose, fields, due_scope FROM record WHERE due_at <= ? "
        "AND customer_id IN ({})", taken, fixed=(at,),
    )  # fmt: skip
    customers = sorted({str(row[1]) for row in rows})
    if not customers:
        return None
    counts: dict[str, dict[str, int]] = {}
    deleted: list[int] = []
    trimmed: list[tuple[bytes, int, int]] = []
    fields = 0
    for ref, _cid, purpose, blob, scope in rows:
        entries = decode(bytes(blob))
        gone = entries if scope != "amazon" else [e for e in entries if e.source == "amazon"]
        kept = [e for e in entries if e not in gone] if scope == "amazon" else []
        bucket = counts.setdefault(str(purpose), {})
        for entry in gone:
            bucket[entry.category] = bucket.get(entry.category, 0) + 1
        fields += len(gone)
        if kept:
            trimmed.append((encode(kept), categories_mask([e.category for e in kept]), int(ref)))
        else:
            deleted.append(int(ref))
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    if deleted:
        # One prepared delete by primary key per record: an IN list of thousands of ids cost
        # more to build and bind than the deletes themselves.
        connection.exec_driver_sql(f"DELETE FROM record WHERE id = {marker}", [(ref,) for ref in deleted])  # noqa: S608
    if trimmed:
        connection.exec_driver_sql(
            f"UPDATE record SET fields = {marker}, categories = {marker}, due_at = NULL, due_scope = NULL, "  # noqa: S608
            f"due_basis = NULL, updated_at = {marker} WHERE id = {marker}",
            [(blob, mask, at, ref) for blob, mask, ref in trimmed],
        )  # the rest of the record waits for its own due time, recomputed on the next refresh
    left = {str(c) for (c,) in select_in(connection, "SELECT DISTINCT customer_id FROM record WHERE customer_id "
                                         "IN ({})", customers)}  # fmt: skip
    shredded = sorted(set(customers) - left)
    if shredded:
        _shred(connection, shredded, now)
    result.records_deleted += len(deleted)
    result.records_trimmed += len(trimmed)
    result.fields_deleted += fields
    result.customers_shredded += len(shredded)
    for purpose, by_category in counts.items():
        total = result.by_purpose.setdefault(purpose, {})
        for category, count in by_category.items():
            total[category] = total.get(category, 0) + count
    seq = audit.record(connection, ctx, actor, [audit.Event(
        action="retention.delete",
        details={"fields": fields, "records_deleted": len(deleted), "records_trimmed": len(trimmed),
                 "by_purpose": counts, "customers": sorted(customers), "shredded": shredded,
                 "policy_sha256": ctx.policy.sha256},
    )])  # fmt: skip
    result.receipts.append(seq)
    return shredded


def _shred(connection: Connection, customer_ids: list[str], now: datetime) -> None:
    """As an erasure: the data key destroyed, indexes gone with the records, a tombstone kept.
    Prepared statements run per customer (driver level): thousands of customers a batch."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    at = db_value(connection, now)
    each = [(c,) for c in customer_ids]
    connection.exec_driver_sql(f"DELETE FROM order_link WHERE customer_id = {marker}", each)  # noqa: S608
    connection.exec_driver_sql(
        f"UPDATE customer SET wrapped_dek = NULL, kek_version = NULL, erased_at = {marker}, updated_at = {marker} "  # noqa: S608
        f"WHERE id = {marker}",
        [(at, at, c) for c in customer_ids],
    )
    connection.exec_driver_sql(f"DELETE FROM tombstone WHERE customer_id = {marker}", each)  # noqa: S608
    insert_rows(connection, tombstone, ("customer_id", "erased_at", "reason"),
                [(c, at, SHRED_REASON) for c in customer_ids])  # fmt: skip
