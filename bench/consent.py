#!/usr/bin/env python3
"""The consent ledger at scale on the embedded SQLite store: N customers from the seller's own
shop (name and e-mail sealed by the vault), about 70 % with a live e-mail marketing grant
(some withdrew and granted again), 10 % withdrawn, the rest never asked. Then:

- `can_contact` through the bulk gate, for every customer (gate load included);
- the audience export of all of them (eligible rows decrypted, links signed, file written);
- one-click unsubscribes (RFC 8058 POSTs) against `tutela serve` on loopback at a fixed rate.

    python bench/consent.py [--customers 1000000] [--seconds 30] [--rate 200] [--clients 8] [--warmup 3]

Last line: {"can_contact_per_s", "audience_export_s", "unsubscribe_p99_ms", "unsubscribe_p50_ms",
"unsubscribe_errors", "gate_load_s", "contacts", "customers", "ceiling_per_s"}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx

from api_load import free_port, serving
from shared_ceiling import load_ceiling
from tutela import LOCAL_OPERATOR, Context, Settings, init_store, vault
from tutela.adapters.sources.location_runner import runner_for
from tutela.core.clock import FixedClock, SystemClock
from tutela.core.storage.bulk import db_value, insert_rows
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import consent_event, consent_state
from tutela.services import audience, consent, consent_links, retention, scanning, scheduler
from tutela.services.store import open_store
from tutela.services.vault import NewCustomer

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PURPOSE = "marketing_email"
EVENT_COLUMNS = ("customer_id", "purpose", "channel", "kind", "at", "source", "notice_version", "wording_sha256",
                 "actor")  # fmt: skip
STATE_COLUMNS = ("customer_id", "purpose", "channel", "state", "granted_at", "source", "event_id", "updated_at")


def fill(ctx: Context, customers: int, batch: int = 5000) -> list[str]:
    """Customers through the vault; their consent histories written straight into the ledger
    tables (set-up only: the ledger's own write path is measured by the tests, not here)."""
    wording = consent.add_notice(ctx, actor=LOCAL_OPERATOR, purpose=PURPOSE, version="1",
                                 wording="Yes, send me offers by e-mail. I can unsubscribe at any time.")  # fmt: skip
    rng = random.Random(11)
    ids: list[str] = []
    event_id = 0
    for start in range(0, customers, batch):
        count = min(batch, customers - start)
        made = vault.add_customers(ctx, actor=LOCAL_OPERATOR, purpose="fulfillment", source="own_shop", customers=[
            NewCustomer(fields={"user.name": f"Customer {start + i:07d}",
                                "user.contact.email": f"customer.{start + i:07d}@example.com"})
            for i in range(count)
        ])  # fmt: skip
        ids += made
        events, states = [], []
        with transaction(ctx.engine) as connection:
            for customer_id in made:
                roll = rng.random()
                if roll >= 0.8:
                    continue  # never asked
                history = ["granted"] if roll < 0.5 else ["granted", "withdrawn"] if roll < 0.6 else \
                    ["granted", "withdrawn", "granted"]  # fmt: skip
                for step, kind in enumerate(history):
                    event_id += 1
                    at = db_value(connection, NOW - timedelta(days=200 - 30 * step))
                    events.append((customer_id, PURPOSE, "email", kind, at,
                                   "checkout_form" if kind == "granted" else "unsubscribe_link",
                                   "1" if kind == "granted" else None, wording if kind == "granted" else None,
                                   "bench"))  # fmt: skip
                last = history[-1]
                granted_at = events[-1][4] if last == "granted" else None
                states.append((customer_id, PURPOSE, "email", last, granted_at, events[-1][5], event_id, events[-1][4]))
            insert_rows(connection, consent_event, EVENT_COLUMNS, events)
            insert_rows(connection, consent_state, STATE_COLUMNS, states)
        if start and start % 200_000 == 0:
            print(f"  filled {start:,}", file=sys.stderr)
    return ids


SOURCES = 40  # mail providers post from many addresses: 127.0.0.10-49 (the per-address limit is 600/min)


def drive(base: str, links: list[str], *, seconds: float, rate: float, clients: int) -> tuple[list[float], int]:
    """Open-loop RFC 8058 one-click POSTs: `rate` requests/s in all, each to its own link, each
    client posting from its own loopback addresses."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    interval = clients / rate

    def client(index: int) -> None:
        nonlocal errors
        mine = links[index::clients]
        addresses = [f"127.0.0.{10 + a}" for a in range(index, SOURCES, clients)]
        senders = [httpx.Client(base_url=base, timeout=10, transport=httpx.HTTPTransport(local_address=a))
                   for a in addresses]  # fmt: skip
        try:
            due = start + index * interval / clients
            position = 0
            while due < start + seconds and position < len(mine):
                time.sleep(max(0.0, due - time.perf_counter()))
                began = time.perf_counter()
                try:
                    response = senders[position % len(senders)].post(
                        mine[position],
                        content="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
                    errors += 0 if ok else 1
                position += 1
                due += interval
        finally:
            for sender in senders:
                sender.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def serve_and_drive(data_dir: Path, port: int, links: list[str], args: argparse.Namespace) -> tuple[list[float], int]:
    """`tutela serve` on loopback over the store, driven with one-click unsubscribes."""
    with serving(data_dir, port) as base:
        # A first few seconds at the same rate, not counted: the server's caches (compiled
        # statements, routes, database pages) fill as they would long before in production.
        warm = int(args.rate * args.warmup)
        drive(base, links[:warm], seconds=args.warmup, rate=args.rate, clients=args.clients)
        return drive(base, links[warm:], seconds=args.seconds, rate=args.rate, clients=args.clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3, help="seconds driven before measuring")
    parser.add_argument("--ceiling-n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = free_port()
        settings = Settings(data_dir=folder / "data", public_url=f"http://127.0.0.1:{port}")
        ctx = init_store(settings, FixedClock(NOW))
        started = time.perf_counter()
        ids = fill(ctx, args.customers)
        print(f"filled:   {len(ids):,} customers in {time.perf_counter() - started:.0f} s", file=sys.stderr)

        started = time.perf_counter()
        gate = consent.ConsentGate(ctx, PURPOSE, "email")
        gate_load = time.perf_counter() - started
        allowed = sum(1 for customer_id in ids if gate.can_contact(customer_id))
        checks_s = time.perf_counter() - started
        print(f"gate:     {len(ids):,} checks in {checks_s:.2f} s (load {gate_load:.2f} s); {allowed:,} may be "
              "contacted", file=sys.stderr)  # fmt: skip

        started = time.perf_counter()
        exported = audience.export_audience(ctx, actor=LOCAL_OPERATOR, purpose=PURPOSE, out=folder / "audience.csv")
        export_s = time.perf_counter() - started
        print(f"audience: {exported.contacts:,} contacts in {export_s:.1f} s", file=sys.stderr)
        if exported.contacts != allowed:
            sys.exit(f"bench: the export wrote {exported.contacts} contacts, the gate allowed {allowed}")

        # Steady state for the server: every periodic job of `serve` has run once (due times
        # computed, lapses recorded, the own-store scan done), as the scheduler inside `serve`
        # would have long before; none of them is part of an unsubscribe.
        retention.refresh(ctx)
        # On the server's own clock (the data's clock is fixed): run at the fixed time, every
        # job would be due again the moment `serve` starts.
        live = open_store(settings, SystemClock())
        scheduler.run_due(live, scheduler.default_jobs(settings) + [scanning.scan_job(runner_for)], holder="bench")
        live.close()
        rng = random.Random(5)
        eligible = sorted(gate.eligible)
        wanted = int(args.rate * (args.seconds + args.warmup) * 1.2)
        links = [consent_links.unsubscribe_url(ctx, c, PURPOSE) for c in rng.sample(eligible, min(len(eligible),
                 wanted))]  # fmt: skip
        ctx.close()
        latencies, errors = serve_and_drive(settings.data_dir, port, links, args)
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else None
    print(f"unsub:    {len(ordered):,} POSTs, p99 {p99:.1f} ms, {errors} errors" if p99 else "unsub: none",
          file=sys.stderr)  # fmt: skip
    ceiling_rate = load_ceiling().ceiling(args.ceiling_n, 3)
    print(json.dumps({
        "can_contact_per_s": round(len(ids) / checks_s, 1),
        "audience_export_s": round(export_s, 2),
        "unsubscribe_p99_ms": round(p99, 2) if p99 is not None else None,
        "unsubscribe_p50_ms": round(statistics.median(ordered), 2) if ordered else None,
        "unsubscribe_errors": errors,
        "gate_load_s": round(gate_load, 2),
        "contacts": exported.contacts,
        "customers": len(ids),
        "ceiling_per_s": round(ceiling_rate, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
