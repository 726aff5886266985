"""What a caller tunes about a scan, and what it is told while the scan runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanOptions:
    # Glob patterns against the path relative to the directory given: a pattern without "/"
    # matches a name at any depth ("*.csv"); with "/" the whole relative path, where "**"
    # spans any number of directories ("logs/**/*.log"). Exclude patterns also prune
    # directories. Files named on the command line are not filtered.
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_bytes: int | None = None
    workers: int = 1
    dask_address: str | None = None
    sample_rows: int = 1000
    zip_max_total_bytes: int = 1 << 30
    zip_max_ratio: float = 200.0
    zip_max_depth: int = 2
    # Tuning knobs, rarely changed: plain text is decoded and scanned in windows of this many
    # characters (memory stays at about two windows whatever the file size), and with workers
    # or Dask a plain-text file larger than `split_bytes` is cut at line boundaries into
    # byte ranges scanned in parallel.
    chunk_chars: int = 1 << 20
    split_bytes: int = 64 << 20
    dask_connect_timeout: float = 5.0


@dataclass(frozen=True)
class Progress:
    locations_done: int
    locations_total: int | None
    bytes_done: int
    current: str
