#!/usr/bin/env python3
"""The API under load: `tutela serve` on loopback (SQLite) with the synthetic N-row
unshipped-orders report imported, driven by concurrent clients at a fixed request rate
(find a customer by e-mail, then reveal it for a purpose) for a fixed time.

    python bench/api_load.py [--rows 1000000] [--seconds 60] [--rate 200] [--clients 8]

Last line: {"rps", "p50_ms", "p99_ms", "errors", "requests", "target_rps", "rows"}.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx

from tutela import LOCAL_OPERATOR, Settings, SystemClock, init_store
from tutela.services import importing, tokens


def write_report(path: Path, rows: int) -> int:
    """The same synthetic report as bench/import.py (a module named `import` is loaded by path)."""
    spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).with_name("import.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.write_report(path, rows))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(data_dir: Path, port: int) -> Iterator[str]:
    """`tutela serve` over the store on loopback, answering its health check; yields its base URL."""
    env = {**os.environ, "TUTELA_DATA_DIR": str(data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "tutela.adapters.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def prepare(folder: Path, rows: int) -> tuple[str, int]:
    report = folder / "SYNTHETIC-unshipped-orders.txt"
    buyers = write_report(report, rows)
    ctx = init_store(Settings(data_dir=folder / "data"), SystemClock())
    importing.import_file(ctx, actor=LOCAL_OPERATOR, path=report)
    token = tokens.create_token(
        ctx,
        actor=LOCAL_OPERATOR,
        name="load",
        role="support_agent",
        scopes=["customers:read"],
        purposes=["support"],
        lifetime=timedelta(days=1),
    )
    ctx.close()
    report.unlink()
    return token.token, buyers


def drive(base: str, token: str, buyers: int, *, seconds: float, rate: float, clients: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    interval = clients / rate  # each client sends one pair per interval: `rate` requests/s in all

    def timed(http: httpx.Client, path: str, params: dict[str, str] | None) -> httpx.Response | None:
        nonlocal errors
        began = time.perf_counter()
        try:
            response: httpx.Response | None = http.get(path, params=params)
        except httpx.HTTPError:
            response = None
        ok = response is not None and response.status_code == 200
        with lock:
            latencies.append((time.perf_counter() - began) * 1000)
            errors += 0 if ok else 1
        return response if ok else None

    def client(index: int) -> None:
        rng = random.Random(index)
        headers = {"Authorization": f"Bearer {token}", "X-Tutela-Purpose": "support"}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
            due = start + index * interval / clients
            while due < start + seconds:
                time.sleep(max(0.0, due - time.perf_counter()))  # open loop: keep the schedule
                email = f"b{rng.randrange(buyers):09d}@marketplace.amazon.com"
                found = timed(http, "/api/v1/customers", {"email": email})
                if found is not None and found.json():
                    timed(http, f"/api/v1/customers/{found.json()[0]['id']}", None)
                due += 2 * interval

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=200, help="requests per second, all clients together")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        token, buyers = prepare(folder, args.rows)
        with serving(folder / "data", free_port()) as base:
            began = time.perf_counter()
            latencies, errors = drive(base, token, buyers, seconds=args.seconds, rate=args.rate, clients=args.clients)
            elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    print(json.dumps({
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 2) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2) if ordered else None,
        "errors": errors,
        "requests": len(latencies),
        "target_rps": args.rate,
        "rows": args.rows,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
