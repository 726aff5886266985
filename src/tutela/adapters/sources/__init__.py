"""What the scanner reads: files and directories, CSV/TSV, spreadsheets, JSON and NDJSON, ZIP
archives, SQL databases and tutela's own store, locally, on a process pool or on a Dask
cluster. Every entry point returns a ScanReport whose findings carry masked previews only."""

from __future__ import annotations

from tutela.adapters.sources.database import scan_database
from tutela.adapters.sources.options import Progress, ScanOptions
from tutela.adapters.sources.own_store import scan_own_store
from tutela.adapters.sources.scan import scan_paths, scan_text

__all__ = ["Progress", "ScanOptions", "scan_database", "scan_own_store", "scan_paths", "scan_text"]
