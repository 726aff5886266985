"""The plain facts of an import batch: orders (upserted, an older report never overwriting a
newer one), their lines, return cases and the consent evidence of shop exports."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, update

from tutela.core.formats.model import OrderFacts, ParsedRow
from tutela.core.formats.spec import FormatSpec
from tutela.core.storage.bulk import db_time, db_value, insert_rows, reserve_ids, select_in, sqlite_time
from tutela.core.storage.schema import consent_evidence, order_line, orders, return_case
from tutela.services.import_tally import Tally

_ORDER_FACTS = (
    "marketplace", "sales_channel", "fulfillment_channel", "status", "purchased_at", "shipped_at",
    "promised_delivery_at", "delivered_at", "last_updated_at", "currency", "total_amount", "ship_country", "ship_state",
)  # fmt: skip


Rows = Sequence[tuple[ParsedRow, str | None]]  # each parsed row with the customer it was matched to


class OrderWriter:
    def __init__(self, *, spec: FormatSpec, run_id: int | None, tally: Tally) -> None:
        self.spec = spec
        self.run_id = run_id
        self.tally = tally

    def write_orders(
        self,
        connection: Connection,
        rows: Sequence[tuple[ParsedRow, str | None]],
        known: dict[str, tuple[int, str | None]],
        now: datetime,
    ) -> None:
        fresh: dict[str, tuple[OrderFacts, str | None, datetime | None]] = {}
        changed: dict[str, tuple[OrderFacts, str | None]] = {}
        for row, customer_id in rows:
            facts = row.order
            if facts is None:
                continue
            if facts.order_id in known:
                changed[facts.order_id] = (facts, customer_id)
            elif facts.order_id not in fresh or _newer(row.as_of, fresh[facts.order_id][2]):
                previous = fresh.get(facts.order_id)
                merged = _merge_facts(previous[0], facts) if previous and previous[0] is not facts else facts
                fresh[facts.order_id] = (merged, customer_id or (previous[1] if previous else None), row.as_of)
        at = db_time(connection, now)
        columns = ("id", "channel", "order_id", "customer_id", *_ORDER_FACTS, "import_run_id", "created_at",
                   "updated_at")  # fmt: skip
        sqlite = connection.dialect.name == "sqlite"
        refs = {oid: ref for oid, (ref, _) in known.items()}
        new_refs = reserve_ids(connection, orders, len(fresh))
        insert_rows(connection, orders, columns, [
            (ref, self.spec.channel, oid, cid, *_fact_row(f, sqlite), self.run_id, at, at)
            for ref, (oid, (f, cid, _)) in zip(new_refs, fresh.items(), strict=True)
        ])  # fmt: skip
        refs.update(zip(fresh, new_refs, strict=True))
        self.tally.orders_new += len(fresh)
        for oid, (facts, cid) in changed.items():
            ref, stored_customer = known[oid]
            values = {a: getattr(facts, a) for a in _ORDER_FACTS if getattr(facts, a) is not None}
            if cid and not stored_customer:
                values["customer_id"] = cid
            if not values:
                continue
            conditions = [orders.c.id == ref, or_(*[orders.c[k].is_distinct_from(v) for k, v in values.items()])]
            if facts.last_updated_at is not None:  # an older report never overwrites a newer one
                conditions.append(
                    or_(orders.c.last_updated_at.is_(None), orders.c.last_updated_at <= facts.last_updated_at)
                )
            result = connection.execute(update(orders).where(*conditions).values(updated_at=now, **values))
            self.tally.orders_updated += 1 if result.rowcount else 0
        self._write_lines(connection, rows, known, refs)

    def _write_lines(
        self,
        connection: Connection,
        rows: Sequence[tuple[ParsedRow, str | None]],
        known: dict[str, tuple[int, str | None]],
        refs: dict[str, int],
    ) -> None:
        """Lines of the batch's orders; `refs` has every order's id (stored before or just now)."""
        wanted = {(row.order.order_id, row.line.line_id): row.line for row, _ in rows if row.order and row.line}
        if not wanted:
            return
        # Only orders stored before this batch can have lines already.
        existing = {
            (int(ref), str(line_id))
            for ref, line_id in select_in(
                connection, "SELECT order_ref, line_id FROM order_line WHERE order_ref IN ({})",
                [known[oid][0] for oid, _ in wanted if oid in known],
            )
        }  # fmt: skip
        lines = [
            (refs[oid], lid, line.sku, line.asin, line.quantity, line.item_price)
            for (oid, lid), line in wanted.items()
            if (refs[oid], lid) not in existing
        ]
        insert_rows(connection, order_line, ("order_ref", "line_id", "sku", "asin", "quantity", "item_price"), lines)
        self.tally.order_lines_new += len(lines)

    def write_returns(
        self, connection: Connection, rows: Sequence[tuple[ParsedRow, str | None]], now: datetime
    ) -> None:
        wanted = {row.returned.return_key: (row, customer_id) for row, customer_id in rows if row.returned}
        if not wanted:
            return
        sql = "SELECT return_key FROM return_case WHERE channel = ? AND return_key IN ({})"
        existing = {str(key) for (key,) in select_in(connection, sql, list(wanted), fixed=(self.spec.channel,))}
        order_ids = [row.returned.order_id for row, _ in wanted.values() if row.returned]
        sql = "SELECT id, order_id FROM orders WHERE channel = ? AND order_id IN ({})"
        order_refs = {
            str(order_id): int(ref)
            for ref, order_id in select_in(connection, sql, order_ids, fixed=(self.spec.channel,))
        }
        at = db_time(connection, now)
        found: list[tuple[Any, ...]] = []
        for key, (row, customer_id) in wanted.items():
            facts = row.returned
            if key in existing or facts is None:
                continue
            found.append((
                self.spec.channel, key, facts.order_id, order_refs.get(facts.order_id), customer_id,
                db_value(connection, facts.requested_at), facts.status, facts.reason, facts.resolution, facts.sku,
                facts.quantity, facts.refunded_amount, facts.currency, db_value(connection, facts.closed_at),
                self.run_id, at, at,
            ))  # fmt: skip
        insert_rows(connection, return_case, (
            "channel", "return_key", "order_id", "order_ref", "customer_id", "requested_at", "status", "reason",
            "resolution", "sku", "quantity", "refunded_amount", "currency", "closed_at", "import_run_id", "created_at",
            "updated_at",
        ), found)  # fmt: skip
        self.tally.returns_new += len(found)

    def write_consents(self, connection: Connection, rows: Sequence[tuple[ParsedRow, str | None]], at: Any) -> None:
        if self.run_id is None:
            return
        evidence = [
            (customer_id, flag.purpose, flag.channel, flag.granted, self.spec.source, flag.column, self.run_id,
             row.number, at)
            for row, customer_id in rows
            if customer_id
            for flag in row.consents
        ]  # fmt: skip
        insert_rows(connection, consent_evidence, (
            "customer_id", "purpose", "channel", "granted", "source", "column_name", "import_run_id", "row_number",
            "observed_at",
        ), evidence)  # fmt: skip
        self.tally.consent_evidence_new += len(evidence)


_FACT_VALUES = operator.attrgetter(*_ORDER_FACTS)


_FACT_TIMES = [i for i, name in enumerate(_ORDER_FACTS) if name.endswith("_at")]


def _fact_row(facts: OrderFacts, sqlite: bool) -> list[Any]:
    values = list(_FACT_VALUES(facts))
    if sqlite:
        for index in _FACT_TIMES:
            if values[index] is not None:
                values[index] = sqlite_time(values[index])
    return values


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    return candidate is not None and (current is None or candidate >= current)


def _merge_facts(old: OrderFacts, new: OrderFacts) -> OrderFacts:
    merged = OrderFacts(order_id=new.order_id, channel=new.channel)
    for attribute in _ORDER_FACTS:
        value = getattr(new, attribute)
        setattr(merged, attribute, value if value is not None else getattr(old, attribute))
    return merged
