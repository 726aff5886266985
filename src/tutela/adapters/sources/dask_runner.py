"""Units on an existing Dask cluster. Assumes a shared filesystem: a unit names a path (and a
byte range), each worker opens the file itself, and only findings with masked previews come
back, so no personal data crosses the network; the client talks to the given scheduler only.

An unreachable scheduler fails the scan before any work. A task whose worker dies is
rescheduled by the scheduler (up to its `distributed.scheduler.allowed-failures`); a task that
raises is retried `RETRIES` times; whatever still fails is reported as a Skipped entry per
unit that says which file, or which bytes of it, were not scanned."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from distributed import Client, Future, as_completed
from distributed.scheduler import KilledWorker

from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.units import Unit, UnitResult, failed, scan_unit
from tutela.core.errors import ScanClusterUnreachable

RETRIES = 2


def connect(address: str, timeout: float) -> Client:
    try:
        return Client(address, timeout=timeout, set_as_default=False, direct_to_workers=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScanClusterUnreachable(
            f"the Dask scheduler at {address} did not answer within {timeout:g} s ({type(exc).__name__})",
            hint="check the address and that the scheduler is running, or scan without --dask",
        ) from None


def run_on_cluster(
    client: Client, units: Sequence[Unit], options: ScanOptions, done: Callable[[int, UnitResult], None]
) -> list[UnitResult]:
    results: list[UnitResult | None] = [None] * len(units)
    if not units:
        return []
    futures: list[Future[UnitResult]] = client.map(scan_unit, list(units), options=options, pure=False, retries=RETRIES)
    index = {future.key: i for i, future in enumerate(futures)}
    for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
        i = index[future.key]
        if future.status == "finished":
            result: UnitResult = future.result()
        else:
            result = failed(units[i], _reason(future))
        results[i] = result
        done(i, result)
        future.release()
    return [r for r in results if r is not None]


def _reason(future: Future[UnitResult]) -> str:
    try:
        exc = future.exception()  # type: ignore[no-untyped-call]
    except Exception as err:
        exc = err
    if isinstance(exc, KilledWorker):
        return "worker lost"
    # The type only: an exception's message might quote the text it failed on.
    return f"failed on a worker: {type(exc).__name__}"
