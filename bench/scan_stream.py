#!/usr/bin/env python3
"""The scanner on one very long line: a log written without a newline (N MB, default 100) is
scanned through `scan_paths` in one process. The issue asks for constant memory and linear
time whatever the line length; this shows both: MB/s on the line and the peak resident set.

    python bench/scan_stream.py [--mb 100]

Last line: {"mb", "seconds", "mb_per_s", "peak_rss_mb", "findings"}.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from tutela.adapters.sources import ScanOptions, scan_paths

# One request-log entry: a SKU, a status, a duration, a hex id — and, every twentieth, an
# e-mail address that should not be there.
_ENTRY = "GET /api/orders?sku=AB-1234 status=ok took 12ms user=7f3a "
_LEAK = "contact jo.bloggs@example.com "


def write_line(path: Path, megabytes: int) -> int:
    piece = _ENTRY * 20 + _LEAK
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < megabytes * 1_000_000:
            handle.write(piece)
            written += len(piece)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one-line.log"
        size = write_line(path, args.mb)
        started = time.perf_counter()
        report = scan_paths([path], ScanOptions())
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "mb": round(size / 1e6, 1), "seconds": round(seconds, 1), "mb_per_s": round(size / 1e6 / seconds, 2),
        "peak_rss_mb": round(peak_mb, 1), "findings": len(report.findings),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
