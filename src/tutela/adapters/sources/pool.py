"""Units on a local process pool. Workers are spawned, not forked: the caller may hold
threads (a web server, a Dask client) that a fork would copy in an undefined state."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.units import Unit, UnitResult, failed, scan_unit


def run_on_pool(
    units: Sequence[Unit], options: ScanOptions, done: Callable[[int, UnitResult], None]
) -> list[UnitResult]:
    results: list[UnitResult | None] = [None] * len(units)
    if not units:
        return []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(options.workers, len(units)), mp_context=context) as pool:
        futures: dict[Future[UnitResult], int] = {
            pool.submit(scan_unit, unit, options): i for i, unit in enumerate(units)
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): the pool cannot go on, and every unit
                # still in it is reported as not scanned.
                result = failed(units[i], "worker lost")
            results[i] = result
            done(i, result)
    return [r for r in results if r is not None]
