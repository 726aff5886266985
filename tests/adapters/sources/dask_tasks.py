"""Tasks for the Dask tests, importable by the workers: scan a unit, but first kill the
worker process running it, once or every time, for the file named "victim.log"."""

from __future__ import annotations

import os
from pathlib import Path

from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.units import Unit, UnitResult, scan_unit


def _killing(unit: Unit, marker_name: str, always: bool) -> None:
    path = Path(unit.path)
    if path.name != "victim.log":
        return
    marker = path.parent.parent / marker_name
    if always or not marker.exists():
        marker.touch()
        os._exit(1)  # the worker process dies here, mid-scan, as on a lost machine


def kill_once_then_scan(unit: Unit, options: ScanOptions) -> UnitResult:
    _killing(unit, "killed-once", always=False)
    return scan_unit(unit, options)


def kill_always(unit: Unit, options: ScanOptions) -> UnitResult:
    _killing(unit, "killed", always=True)
    return scan_unit(unit, options)
