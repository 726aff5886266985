"""How a source reaches its bytes: a callable that opens them afresh each time, so that a
reader can look at a file's head and then start over (a file on disk, a member of a ZIP)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
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
