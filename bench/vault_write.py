#!/usr/bin/env python3
"""Vault write path and find-by-email latency, against the physical ceiling of this machine.

Stores N synthetic customers (six encrypted fields, e-mail and phone blind indexes, one
audit event each) through `tutela.vault.add_customers` on the embedded SQLite store, then
times `find_customers(email=...)` on random stored customers. The denominator is
`../shared/bench/ceiling.py`, run in the same process right before.

    python bench/vault_write.py [--n 100000] [--runs 3] [--population 1000000] [--finds 1000]

The write rate is the median of --runs fresh stores of --n customers, like the ceiling's
own median of runs at the same n; the find latency is measured separately with
--population customers stored. Last line: {"customers_per_s", "ceiling_per_s",
"ratio_to_ceiling", "find_by_email_p50_ms", "customers", "find_population"}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shared_ceiling import fields_of, load_ceiling
from tutela import LOCAL_OPERATOR, Context, Settings, SystemClock, init_store, vault


def write_rate(n: int, batch_size: int) -> float:
    """Customers/s storing n customers into a fresh store, input made outside the timing
    (as ceiling.py does), one batch at a time as an importer streams it."""
    with tempfile.TemporaryDirectory() as folder:
        ctx = init_store(Settings(data_dir=Path(folder) / "data"), SystemClock())
        elapsed = fill(ctx, 0, n, batch_size)
        ctx.close()
    return n / elapsed


def fill(ctx: Context, start: int, stop: int, batch_size: int) -> float:
    elapsed = 0.0
    for first in range(start, stop, batch_size):
        batch = [vault.NewCustomer(fields=fields_of(i)) for i in range(first, min(first + batch_size, stop))]
        started = time.perf_counter()
        vault.add_customers(ctx, actor=LOCAL_OPERATOR, purpose="fulfillment", source="amazon", customers=batch)
        elapsed += time.perf_counter() - started
    return elapsed


def find_p50_ms(population: int, batch_size: int, finds: int) -> float:
    """Median find-by-email latency (blind index, confirmation by decryption, audit event)
    with `population` customers stored."""
    with tempfile.TemporaryDirectory() as folder:
        ctx = init_store(Settings(data_dir=Path(folder) / "data"), SystemClock())
        fill(ctx, 0, population, batch_size)
        rng = random.Random(7)
        latencies = []
        for _ in range(finds):
            email = f"customer.{rng.randrange(population):07d}@example.com"
            started = time.perf_counter()
            found = vault.find_customers(ctx, actor=LOCAL_OPERATOR, email=email)
            latencies.append((time.perf_counter() - started) * 1000)
            assert len(found) == 1
        ctx.close()
    return statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="customers per timed write run (and the ceiling's n)")
    parser.add_argument("--runs", type=int, default=3, help="timed write runs; the median counts, as in ceiling.py")
    parser.add_argument("--batch", type=int, default=1000, help="customers per add_customers call")
    parser.add_argument("--population", type=int, default=1_000_000, help="customers stored for the find test")
    parser.add_argument("--finds", type=int, default=1000)
    args = parser.parse_args()

    ceiling_rate = load_ceiling().ceiling(args.n, args.runs)
    print(f"ceiling: {ceiling_rate:,.0f} records/s (n={args.n:,})", file=sys.stderr)
    rate = statistics.median(write_rate(args.n, args.batch) for _ in range(args.runs))
    print(f"vault:   {rate:,.0f} customers/s (n={args.n:,}, median of {args.runs})", file=sys.stderr)
    p50 = find_p50_ms(args.population, args.batch, args.finds)
    print(f"find:    p50 {p50:.3f} ms with {args.population:,} customers stored", file=sys.stderr)
    print(
        json.dumps(
            {
                "customers_per_s": round(rate, 1),
                "ceiling_per_s": round(ceiling_rate, 1),
                "ratio_to_ceiling": round(rate / ceiling_rate, 3),
                "find_by_email_p50_ms": round(p50, 3),
                "customers": args.n,
                "find_population": args.population,
            }
        )
    )


if __name__ == "__main__":
    main()
