#!/usr/bin/env python3
"""Vault write path and find-by-email latency, against the physical ceiling of this machine.

Stores N synthetic customers (six encrypted fields, e-mail and phone blind indexes, one
audit event each) through `tutela.vault.add_customers` on the embedded SQLite store, then
times `find_customers(email=...)` on random stored customers. The denominator is
`../shared/bench/ceiling.py`, run in the same process right before.

    python bench/vault_write.py [--n 1000000] [--batch 1000] [--finds 1000]

Last line: {"customers_per_s", "ceiling_per_s", "ratio_to_ceiling", "find_by_email_p50_ms", "customers"}.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from tutela import LOCAL_OPERATOR, Settings, SystemClock, init_store, vault

CEILING = Path(__file__).resolve().parents[2] / "shared" / "bench" / "ceiling.py"


def load_ceiling() -> ModuleType:
    if not CEILING.exists():
        sys.exit(f"bench: the ceiling script is missing at {CEILING}; it comes with ../shared/")
    spec = importlib.util.spec_from_file_location("ceiling", CEILING)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fields_of(i: int) -> dict[str, str]:
    """The same six values as the ceiling script, under their fideslang categories."""
    return {
        "user.name": f"Customer Number {i:07d}",
        "user.contact.email": f"customer.{i:07d}@example.com",
        "user.contact.phone_number": f"+4420{i % 10000:04d}{i % 9999:04d}",
        "user.contact.address.street": f"{i % 300} Long Street Name Apartment {i % 97}",
        "user.contact.address.city": "Springfield-upon-Thames",
        "user.contact.address.postal_code": f"SW{i % 20} {i % 9}AB",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--finds", type=int, default=1000)
    parser.add_argument("--ceiling-n", type=int, default=100_000)
    args = parser.parse_args()

    ceiling_rate = load_ceiling().ceiling(args.ceiling_n, 3)
    print(f"ceiling: {ceiling_rate:,.0f} records/s", file=sys.stderr)

    with tempfile.TemporaryDirectory() as folder:
        ctx = init_store(Settings(data_dir=Path(folder) / "data"), SystemClock())
        elapsed = 0.0
        for start in range(0, args.n, args.batch):
            # Input is made outside the timed part, as ceiling.py does, one batch at a time as
            # an importer streams it (a million prepared dicts would only measure the GC).
            batch = [vault.NewCustomer(fields=fields_of(i)) for i in range(start, min(start + args.batch, args.n))]
            started = time.perf_counter()
            vault.add_customers(ctx, actor=LOCAL_OPERATOR, purpose="fulfillment", source="amazon", customers=batch)
            elapsed += time.perf_counter() - started
        rate = args.n / elapsed
        print(f"vault:   {rate:,.0f} customers/s over {args.n:,} customers", file=sys.stderr)

        rng = random.Random(7)
        latencies = []
        for _ in range(args.finds):
            email = f"customer.{rng.randrange(args.n):07d}@example.com"
            t0 = time.perf_counter()
            found = vault.find_customers(ctx, actor=LOCAL_OPERATOR, email=email)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert len(found) == 1
        ctx.close()

    print(
        json.dumps(
            {
                "customers_per_s": round(rate, 1),
                "ceiling_per_s": round(ceiling_rate, 1),
                "ratio_to_ceiling": round(rate / ceiling_rate, 3),
                "find_by_email_p50_ms": round(statistics.median(latencies), 3),
                "customers": args.n,
            }
        )
    )


if __name__ == "__main__":
    main()
