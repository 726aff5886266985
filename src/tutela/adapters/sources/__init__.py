"""What the scanner reads: files and directories, CSV/TSV, spreadsheets, JSON and NDJSON, ZIP
archives, SQL databases and tutela's own store, locally, on a process pool or on a Dask
cluster. Every entry point returns a ScanReport whose findings carry masked previews only."""

from __future__ import annotations

from tutela.adapters.sources.options import Progress, ScanOptions
from tutela.adapters.sources.scan import scan_paths, scan_text

__all__ = ["Progress", "ScanOptions", "scan_paths", "scan_text"]
