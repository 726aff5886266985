"""Checkpoints of SQLite's write-ahead log off the request path. SQLite copies the log into
the database file when it reaches `wal_autocheckpoint` pages, inside whichever commit
crosses the mark: under steady writes (unsubscribes at 200 a second) that one request waits
for a whole checkpoint (tens of ms). `tutela serve` instead checkpoints every second from a
connection of its own, a little at a time, so the mark is never reached."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from sqlalchemy import Engine

# What every connection is opened with (engine.py): about 40 MB of log between checkpoints.
DEFAULT_AUTOCHECKPOINT = 10_000


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """One passive checkpoint: it copies what no reader still needs and never waits for or
    blocks a writer. Returns SQLite's (busy, pages in the log, pages copied)."""
    busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(busy), int(logged), int(copied)


class WalCheckpointer:
    def __init__(self, engine: Engine, *, every_s: float = 1.0) -> None:
        self._database = engine.url.database or ""
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tutela-wal-checkpoint", daemon=True)

    @staticmethod
    def wanted(engine: Engine) -> bool:
        return engine.dialect.name == "sqlite" and bool(engine.url.database) and engine.url.database != ":memory:"

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        connection = sqlite3.connect(self._database, timeout=1.0, check_same_thread=False)
        try:
            while not self._stop.wait(self._every_s):
                with contextlib.suppress(sqlite3.Error):
                    checkpoint(connection)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@contextlib.contextmanager
def fewer_checkpoints(engine: Engine, *, pages: int = 100_000) -> Iterator[None]:
    """A bulk job on SQLite (retention apply, an import) lets the write-ahead log grow to `pages` before a
    checkpoint: a page its batches rewrite again and again is then copied into the database
    once instead of once per 10 000 pages of log. The log is checkpointed and truncated when
    the job ends, so the disk space comes back and the time is counted in the job."""
    if engine.dialect.name != "sqlite":
        yield
        return
    _pragma(engine, f"PRAGMA wal_autocheckpoint={int(pages)}")
    try:
        yield
    finally:
        _pragma(engine, f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")
        with contextlib.suppress(sqlite3.Error):  # a reader elsewhere: the next checkpoint finishes it
            _pragma(engine, "PRAGMA wal_checkpoint(TRUNCATE)")


def _pragma(engine: Engine, statement: str) -> None:
    # On the driver's connection, outside any transaction (the engine's begins BEGIN IMMEDIATE,
    # inside which a checkpoint may not run).
    connection = engine.raw_connection()
    try:
        connection.cursor().execute(statement).fetchall()
    finally:
        connection.close()
