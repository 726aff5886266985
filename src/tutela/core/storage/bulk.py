"""The hot write path: many rows in one driver-level executemany, without per-row
SQLAlchemy parameter processing (which costs more than the encryption). Only plain values
go through here; times are rendered once per batch with `db_time`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DateTime reads back


def db_time(connection: Connection, at: datetime) -> Any:
    """`at` as the driver wants it for a UtcDateTime column."""
    utc = at.astimezone(UTC)
    return utc.strftime(_SQLITE_TIME) if connection.dialect.name == "sqlite" else utc


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - names come from schema.py
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    connection.exec_driver_sql(sql, list(rows))
