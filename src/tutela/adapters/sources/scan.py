"""A scan of paths: walk, plan units, run them inline, on a local process pool or on a Dask
cluster, and merge the results in a fixed order (by location, then offset), so that the
same input gives the same report however it was run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from tutela.adapters.sources.options import Progress, ScanOptions
from tutela.adapters.sources.text import scan_pieces
from tutela.adapters.sources.units import Unit, UnitResult, merge, plan, scan_unit
from tutela.adapters.sources.walk import FileEntry, walk
from tutela.core.detect.findings import ScanReport, Skipped

ProgressCallback = Callable[[Progress], None]
# Called with a unit's index when its result is in; runners call it from the calling thread.
UnitDone = Callable[[int, UnitResult], None]


def scan_paths(
    paths: Sequence[Path], options: ScanOptions, *, on_progress: ProgressCallback | None = None
) -> ScanReport:
    # The runners are imported when asked for: distributed alone takes a second to import.
    if options.dask_address is not None:
        from tutela.adapters.sources.dask_runner import connect, run_on_cluster

        # An unreachable scheduler fails the scan before the walk even starts.
        client = connect(options.dask_address, options.dask_connect_timeout)
        try:
            return _scan(paths, options, on_progress, lambda units, done: run_on_cluster(client, units, options, done))
        finally:
            client.close()  # type: ignore[no-untyped-call]
    if options.workers > 1:
        from tutela.adapters.sources.pool import run_on_pool

        return _scan(paths, options, on_progress, lambda units, done: run_on_pool(units, options, done))
    return _scan(paths, options, on_progress, lambda units, done: _run_inline(units, options, done))


Runner = Callable[[Sequence[Unit], UnitDone], list[UnitResult]]


def _scan(paths: Sequence[Path], options: ScanOptions, on_progress: ProgressCallback | None, run: Runner) -> ScanReport:
    entries: list[FileEntry] = []
    skipped: list[Skipped] = []
    for item in walk(paths, include=options.include, exclude=options.exclude, max_file_bytes=options.max_file_bytes):
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            entries.append(item)
    parallel = options.workers > 1 or options.dask_address is not None
    units = plan(entries, options, split=parallel)
    results = run(units, _Tracker(units, len(entries), on_progress))
    report = merge(units, results)
    report.skipped.extend(skipped)
    report.skipped.sort(key=lambda s: s.location)
    return report


def _run_inline(units: Sequence[Unit], options: ScanOptions, done: UnitDone) -> list[UnitResult]:
    results = []
    for i, unit in enumerate(units):
        result = scan_unit(unit, options)
        results.append(result)
        done(i, result)
    return results


class _Tracker:
    """Progress by file: a file split into byte ranges is done when its last range is."""

    def __init__(self, units: Sequence[Unit], files: int, on_progress: ProgressCallback | None) -> None:
        self._units = units
        self._left: dict[str, int] = {}
        for unit in units:
            self._left[unit.path] = self._left.get(unit.path, 0) + 1
        self._files = files
        self._done = 0
        self._bytes = 0
        self._on_progress = on_progress

    def __call__(self, index: int, result: UnitResult) -> None:
        unit = self._units[index]
        self._bytes += unit.size
        self._left[unit.path] -= 1
        if self._left[unit.path] == 0:
            self._done += 1
        if self._on_progress is not None:
            self._on_progress(Progress(self._done, self._files, self._bytes, unit.location))


def scan_text(text: str, location: str, *, chunk_chars: int = 1 << 20) -> ScanReport:
    """One text held in memory (a console paste, a file being redacted)."""
    pieces = (text[i : i + chunk_chars] for i in range(0, len(text), chunk_chars))
    result = scan_pieces(pieces, location, chunk_chars=chunk_chars)
    return ScanReport(
        findings=result.findings, locations_scanned=1, bytes_scanned=len(text.encode("utf-8", "surrogatepass"))
    )
