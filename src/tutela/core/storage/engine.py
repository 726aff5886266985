"""Connecting to either backend with its right settings, one transaction at a time, and
turning driver errors into the error tree (no driver message reaches a user: it may quote
a value)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, QueuePool, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

from tutela.core.errors import StorageLocked, StorageUnavailable
from tutela.core.settings import Settings
from tutela.core.storage.wal_checkpointer import DEFAULT_AUTOCHECKPOINT

# Driver-level bulk inserts (storage/bulk.py) hand amounts to sqlite3 as Decimal; store the
# exact decimal text, which SQLite's NUMERIC affinity keeps as a number.
sqlite3.register_adapter(Decimal, str)


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        return _sqlite_engine(url, settings.busy_timeout_ms)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    # One connection per process: SQLite has one writer at a time anyway, and threads that
    # queue on the pool wake the moment it is free, where SQLite's own busy handler would
    # sleep and retry (tens of milliseconds under load). Other processes still meet the
    # busy timeout.
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000},
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=max(busy_timeout_ms / 1000, 1),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off so that BEGIN IMMEDIATE below
        # takes the write lock up front: two writers queue instead of deadlocking.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: blind-index inserts are random by nature
        cursor.execute(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def storage_error(exc: DBAPIError, backend: str) -> StorageLocked | StorageUnavailable:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    if "locked" in text or "busy" in text:
        return StorageLocked(
            "the database is locked by another tutela process",
            hint="wait for it to finish and run the command again (TUTELA_BUSY_TIMEOUT_MS waits longer)",
        )
    if backend == "postgresql":
        return StorageUnavailable(
            "cannot reach the PostgreSQL database",
            hint="check that the server runs and TUTELA_DATABASE_URL is right",
        )
    return StorageUnavailable(
        "cannot use the SQLite database",
        hint="check that the data directory exists, is writable and the disk is not full",
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; commits on success, rolls back on any error."""
    try:
        with engine.begin() as connection:
            yield connection
    except OperationalError as exc:
        raise storage_error(exc, engine.dialect.name) from None


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as connection:
            yield connection
    except OperationalError as exc:
        raise storage_error(exc, engine.dialect.name) from None
