"""Checkpoints of SQLite's write-ahead log off the request path. SQLite copies the log into
the database file when it reaches `wal_autocheckpoint` pages, inside whichever commit
crosses the mark: under steady writes (unsubscribes at 200 a second) that one request waits
for a whole checkpoint (tens of ms). `tutela serve` instead checkpoints every second from a
connection of its own, a little at a time, so the mark is never reached."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

from sqlalchemy import Engine


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
