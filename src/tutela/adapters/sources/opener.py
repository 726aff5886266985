"""How a source reaches its bytes: a callable that opens them afresh each time, so that a
reader can look at a file's head and then start over (a file on disk, a member of a ZIP)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def file_opener(path: str) -> Opener:
    def open_file() -> AbstractContextManager[IO[bytes]]:
        return open(path, "rb")

    return open_file


def unreadable(exc: OSError) -> str:
    """A reason for a location that could not be read: the system's words, no path, no data."""
    reason = exc.strerror or (os.strerror(exc.errno) if exc.errno else type(exc).__name__)
    return f"unreadable: {reason[:1].lower()}{reason[1:]}"


_SPOOL_BYTES = 32 << 20


@contextmanager
def seekable(raw: IO[bytes]) -> Iterator[IO[bytes]]:
    """The stream itself if it can seek (a file), else a copy spooled to disk beyond 32 MB (a
    ZIP member, which readers of workbooks and archives need to seek in)."""
    try:
        raw.fileno()  # a file on disk seeks cheaply; a ZIP member seeks back by decompressing again
    except (OSError, AttributeError):
        pass
    else:
        yield raw
        return
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as copy:
        shutil.copyfileobj(raw, copy)
        copy.seek(0)
        yield copy
