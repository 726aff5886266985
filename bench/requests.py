#!/usr/bin/env python3
"""Data-subject requests with a million customers stored (embedded SQLite): the time to fulfil
one verified access request (collect every field, decrypt, compute due times, write the zip,
issue the one-time link) and one erasure (withdraw consent, suppress, crypto-shred, journal),
each the median over --samples requests for random customers.

    python bench/requests.py [--customers 1000000] [--samples 100]

Last line: {"access_export_ms", "erasure_ms", "customers", "samples", "access_p95_ms", "erasure_p95_ms",
"ceiling_per_s"}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from shared_ceiling import fields_of, load_ceiling
from tutela import LOCAL_OPERATOR, Context, Settings, init_store, vault
from tutela.adapters.documents import summary_html
from tutela.core.clock import FixedClock
from tutela.services import request_fulfilment, subject_requests
from tutela.services.vault import NewCustomer

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def fill(ctx: Context, customers: int, batch: int = 5000) -> None:
    for start in range(0, customers, batch):
        count = min(batch, customers - start)
        made = [NewCustomer(fields=fields_of(start + i)) for i in range(count)]
        vault.add_customers(ctx, actor=LOCAL_OPERATOR, purpose="fulfillment", source="own_shop", customers=made)
        if start and start % 200_000 == 0:
            print(f"  filled {start:,}", file=sys.stderr)


def timed_fulfil(ctx: Context, kind: str, customer_number: int) -> float:
    opened = subject_requests.open_request(ctx, actor=LOCAL_OPERATOR, kind=kind,
                                           email=f"customer.{customer_number:07d}@example.com")  # fmt: skip
    assert opened.code is not None
    subject_requests.verify(ctx, actor=LOCAL_OPERATOR, request_id=opened.request_id, code=opened.code)
    started = time.perf_counter()
    done = request_fulfilment.fulfil(ctx, actor=LOCAL_OPERATOR, request_id=opened.request_id,
                                     render_summary=summary_html)  # fmt: skip
    elapsed = (time.perf_counter() - started) * 1000
    expected = "package_ready" if kind == "access" else "erased"
    if done.outcome != expected:
        sys.exit(f"bench: {kind} request ended {done.outcome}, expected {expected}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--ceiling-n", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(3)
    picked = rng.sample(range(args.customers), 2 * args.samples)
    with tempfile.TemporaryDirectory() as folder:
        ctx = init_store(Settings(data_dir=Path(folder) / "data"), FixedClock(NOW))
        started = time.perf_counter()
        fill(ctx, args.customers)
        print(f"filled:  {args.customers:,} customers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        access = [timed_fulfil(ctx, "access", n) for n in picked[: args.samples]]
        erasure = [timed_fulfil(ctx, "erasure", n) for n in picked[args.samples :]]
        ctx.close()

    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)]

    print(f"access:  median {statistics.median(access):.1f} ms, p95 {p95(access):.1f} ms", file=sys.stderr)
    print(f"erasure: median {statistics.median(erasure):.1f} ms, p95 {p95(erasure):.1f} ms", file=sys.stderr)
    ceiling_rate = load_ceiling().ceiling(args.ceiling_n, 3)
    print(json.dumps({
        "access_export_ms": round(statistics.median(access), 2),
        "erasure_ms": round(statistics.median(erasure), 2),
        "customers": args.customers,
        "samples": args.samples,
        "access_p95_ms": round(p95(access), 2),
        "erasure_p95_ms": round(p95(erasure), 2),
        "ceiling_per_s": round(ceiling_rate, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
