#!/usr/bin/env python3
"""Retention over a million customers on the embedded SQLite store: due times computed from
their orders (refresh), the plan of what goes when (plan), and deleting what is due now with
receipts and crypto-shredding (apply). The clock is fixed, so every run sees the same mix:
about 60 % of customers due now (delivered more than 30 days ago), 20 % due over the next
weeks (promised delivery still ahead), 20 % delivered recently.

    python bench/retention.py [--customers 1000000] [--ceiling-n 100000]

Last line: {"plan_s", "apply_fields_per_s", "fields_deleted", "refresh_s", "customers",
"ceiling_per_s", "apply_ratio_to_ceiling"} — the ceiling (../shared/bench/ceiling.py) is
in records of six fields per second; the ratio compares fields deleted to fields written.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared_ceiling import fields_of, load_ceiling
from tutela import LOCAL_OPERATOR, Context, Settings, init_store, vault
from tutela.core.clock import FixedClock
from tutela.core.storage.bulk import db_value, insert_rows
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import orders
from tutela.services import retention, retention_apply, retention_plan
from tutela.services.vault import NewCustomer

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FIELDS = 6
_ORDER_COLUMNS = ("channel", "order_id", "customer_id", "purchased_at", "promised_delivery_at", "delivered_at",
                  "created_at", "updated_at")  # fmt: skip


def order_dates(rng: random.Random) -> tuple[datetime, datetime | None, datetime | None]:
    """(purchased, promised, delivered) for one of the three groups."""
    roll = rng.random()
    if roll < 0.6:  # delivered 31 to 120 days ago: due now
        delivered = NOW - timedelta(days=31 + rng.random() * 89)
        return delivered - timedelta(days=3), None, delivered
    if roll < 0.8:  # not delivered, promised within the next 8 weeks: due week by week
        purchased = NOW - timedelta(days=rng.random() * 10)
        return purchased, NOW + timedelta(days=rng.random() * 56), None
    delivered = NOW - timedelta(days=rng.random() * 29)  # recently delivered: due within 30 days
    return delivered - timedelta(days=3), None, delivered


def fill(ctx: Context, customers: int, batch: int = 5000) -> None:
    rng = random.Random(7)
    for start in range(0, customers, batch):
        count = min(batch, customers - start)
        batch_of = [NewCustomer(fields=fields_of(start + i)) for i in range(count)]
        ids = vault.add_customers(ctx, actor=LOCAL_OPERATOR, purpose="fulfillment", source="amazon", customers=batch_of)
        with transaction(ctx.engine) as connection:
            at = db_value(connection, NOW)
            rows = []
            for offset, customer_id in enumerate(ids):
                purchased, promised, delivered = order_dates(rng)
                times = [db_value(connection, t) for t in (purchased, promised, delivered)]
                rows.append(("amazon", f"111-{start + offset:07d}-0000000", customer_id, *times, at, at))
            insert_rows(connection, orders, _ORDER_COLUMNS, rows)
        if start and start % 200_000 == 0:
            print(f"  filled {start:,}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--ceiling-n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ctx = init_store(Settings(data_dir=Path(folder) / "data"), FixedClock(NOW))
        started = time.perf_counter()
        fill(ctx, args.customers)
        print(f"filled:  {args.customers:,} customers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        refreshed = retention.refresh(ctx)
        refresh_s = time.perf_counter() - started
        print(f"refresh: {refreshed.records:,} due times in {refresh_s:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        planned = retention_plan.plan(ctx, until=NOW + timedelta(weeks=12))
        plan_s = time.perf_counter() - started
        print(f"plan:    {plan_s:.2f} s; due now {planned.due_now.fields:,} fields; "
              f"{len(planned.weeks)} weeks ahead", file=sys.stderr)  # fmt: skip
        started = time.perf_counter()
        applied = retention_apply.apply(ctx, actor=LOCAL_OPERATOR)
        apply_s = time.perf_counter() - started
        ctx.close()
    if applied.fields_deleted != planned.due_now.fields:
        sys.exit(f"bench: apply deleted {applied.fields_deleted} fields, the plan said {planned.due_now.fields}")
    rate = applied.fields_deleted / apply_s
    print(f"apply:   {applied.fields_deleted:,} fields in {apply_s:.1f} s ({rate:,.0f}/s), "
          f"{applied.customers_shredded:,} customers shredded", file=sys.stderr)  # fmt: skip
    ceiling_rate = load_ceiling().ceiling(args.ceiling_n, 3)
    print(json.dumps({
        "plan_s": round(plan_s, 3),
        "apply_fields_per_s": round(rate, 1),
        "fields_deleted": applied.fields_deleted,
        "refresh_s": round(refresh_s, 2),
        "customers": args.customers,
        "ceiling_per_s": round(ceiling_rate, 1),
        "apply_ratio_to_ceiling": round(rate / (ceiling_rate * FIELDS), 3),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
