#!/usr/bin/env python3
"""End-to-end import speed and memory: a synthetic Amazon Unshipped Orders report of N rows
(about 0.3 N distinct buyers, several orders each) imported into a fresh SQLite store —
parse, minimise, validate, encrypt, index, audit — against ../shared/bench/ceiling.py.

    python bench/import.py [--rows 1000000] [--ceiling-n 100000]

Last line: {"rows_per_s", "ceiling_per_s", "ratio_to_ceiling", "peak_rss_mb", "rows", "customers"}.
Peak RSS is the import's own high-water mark: it runs in a child process of its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from shared_ceiling import load_ceiling

HEADER = (
    "order-id\torder-item-id\tpurchase-date\tpayments-date\treporting-date\tpromise-date\tdays-past-promise\t"
    "buyer-email\tbuyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-purchased\tquantity-shipped\t"
    "quantity-to-ship\tship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\t"
    "ship-city\tship-state\tship-postal-code\tship-country\tis-business-order\tpurchase-order-number\t"
    "price-designation\tis-iba\tverge-of-cancellation\tverge-of-lateShipment"
)
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Ada"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lovelace", "Hopper"]
CITIES = [("Seattle", "WA", "981"), ("Austin", "TX", "787"), ("Boston", "MA", "021"), ("Denver", "CO", "802")]


def write_report(path: Path, rows: int, seed: int = 11) -> int:
    """Rows in purchase order; buyers come back (about 3.3 rows per buyer). Returns buyers."""
    rng = random.Random(seed)
    buyers = max(1, int(rows * 0.3))
    written = 0
    order = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        while written < rows:
            order += 1
            buyer = rng.randrange(buyers)
            name = f"{FIRST[buyer % len(FIRST)]} {LAST[buyer // len(FIRST) % len(LAST)]} {buyer}"
            city, state, zip3 = CITIES[buyer % len(CITIES)]
            day = 1 + order * 28 // max(1, rows)
            for item in range(min(1 + rng.randrange(2), rows - written)):
                phone = f"+1 {201 + buyer % 700}-{201 + buyer // 700 % 700}-{buyer % 10000:04d}"
                cells = (
                    f"{100 + buyer % 900:03d}-{order:07d}-{buyer % 10_000_000:07d}", f"{order:010d}{item:04d}",
                    f"2026-10-{day:02d}T10:00:00+00:00", f"2026-10-{day:02d}T10:05:00+00:00",
                    f"2026-10-{day:02d}T11:00:00+00:00", f"2026-11-{day:02d}T23:59:59+00:00", "0",
                    f"b{buyer:09d}@marketplace.amazon.com", name, phone, f"SKU-{rng.randrange(5000)}",
                    "Synthetic product", "1", "0", "1", "Standard", name, f"{buyer % 900 + 1} Main Street", "", "",
                    city, state, f"{zip3}{buyer % 100:02d}", "US", "false", "", "", "false", "false", "false",
                )  # fmt: skip
                out.write("\t".join(cells) + "\r\n")
                written += 1
    return buyers


def _import_child(folder: str, report: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tutela import LOCAL_OPERATOR, Settings, SystemClock, init_store
    from tutela.services import importing

    ctx = init_store(Settings(data_dir=Path(folder) / "data"), SystemClock())
    started = time.perf_counter()
    result = importing.import_file(ctx, actor=LOCAL_OPERATOR, path=Path(report))
    elapsed = time.perf_counter() - started
    ctx.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"elapsed": elapsed, "peak_mb": peak_mb, "rows": result.tally.rows_read,
               "customers": result.tally.customers_new, "rejected": result.tally.rows_rejected_total})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ceiling-n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "SYNTHETIC-unshipped-orders.txt"
        buyers = write_report(report, args.rows)
        print(f"report:  {args.rows:,} rows, ~{buyers:,} buyers, {report.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
        queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
        child = multiprocessing.get_context("spawn").Process(target=_import_child, args=(folder, str(report), queue))
        child.start()
        measured = queue.get()
        child.join()
    rate = measured["rows"] / measured["elapsed"]
    print(f"import:  {rate:,.0f} rows/s, peak RSS {measured['peak_mb']:.0f} MB, "
          f"{measured['customers']:,} customers", file=sys.stderr)  # fmt: skip
    ceiling_rate = load_ceiling().ceiling(args.ceiling_n, 3)
    print(
        json.dumps(
            {
                "rows_per_s": round(rate, 1),
                "ceiling_per_s": round(ceiling_rate, 1),
                "ratio_to_ceiling": round(rate / ceiling_rate, 3),
                "peak_rss_mb": round(measured["peak_mb"], 1),
                "rows": measured["rows"],
                "customers": measured["customers"],
            }
        )
    )


if __name__ == "__main__":
    main()
