"""A file that appears complete or not at all: written beside its final name (owner-only),
flushed to disk, then renamed into place; on any error the partial file is removed. Exports,
access packages, letters, reports and redacted copies hold personal data or are evidence:
a reader must never find half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def whole_file(path: Path, *, binary: bool = False, prefix: str | None = None) -> Iterator[IO[Any]]:
    """Write through the handle; the file is at `path` once the block ends without error.
    Text is UTF-8 with newlines as written."""
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.", suffix=".partial")
    try:
        handle: IO[Any]
        with (os.fdopen(descriptor, "wb") if binary else
              os.fdopen(descriptor, "w", encoding="utf-8", newline="")) as handle:  # fmt: skip
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
