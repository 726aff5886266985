"""A scan started from the API or the console runs on a worker thread: the request answers at
once with the run's number, and the run row carries its progress. Both adapters start scans
here, so a scan is recorded the same way whoever asked for it.

The app keeps the threads (`app.state.scan_workers`, joined at shutdown; tests join them
instead of sleeping) and the runner factory (`app.state.scan_runner_for`, which tests may
replace with a runner of their own)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from tutela.core.actor import Actor
from tutela.services import scanning
from tutela.services.context import Context
from tutela.services.scanning import ScanRunner

LOG = logging.getLogger("tutela.scans")

RunnerFactory = Callable[[Context], ScanRunner]


def _execute(ctx: Context, actor: Actor, run_id: int, name: str, runner: ScanRunner) -> None:
    try:
        scanning.execute(ctx, actor=actor, run_id=run_id, name=name, runner=runner)
    except Exception as exc:
        # A worker thread has nobody to raise to. execute() has recorded the run as failed
        # with its one-line reason; the log gets the kind of failure only (a message may quote
        # a path).
        LOG.warning("scan run %d failed (%s)", run_id, type(exc).__name__)


def start(state: Any, ctx: Context, *, actor: Actor, name: str) -> int:
    """Record the run (refused at once if the location is unknown or already being scanned),
    then scan it on a worker thread; returns the run's number."""
    runner_for: RunnerFactory = state.scan_runner_for
    run_id = scanning.start(ctx, actor=actor, name=name)
    try:
        runner = runner_for(ctx)
    except Exception as exc:
        scanning.fail(ctx, actor=actor, run_id=run_id, reason=f"internal error ({type(exc).__name__})")
        raise
    worker = threading.Thread(
        target=_execute, args=(ctx, actor, run_id, name, runner), name=f"tutela-scan-{run_id}", daemon=True
    )
    workers: list[threading.Thread] = state.scan_workers
    workers[:] = [w for w in workers if w.is_alive()]
    workers.append(worker)
    worker.start()
    return run_id


def join_all(state: Any, timeout: float | None = None) -> None:
    """Wait for every scan started so far (tests; and shutdown, with a timeout)."""
    for worker in list(state.scan_workers):
        worker.join(timeout=timeout)
