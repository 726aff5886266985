"""The hot write path: many rows in one driver-level executemany, without per-row
SQLAlchemy parameter processing (which costs more than the encryption). Only plain values
go through here; times are rendered once per batch with `db_time`."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table


@functools.lru_cache(maxsize=4096)  # a report's times repeat: an order's on its lines, promise dates on many
def sqlite_time(at: datetime) -> str:
    """What SQLAlchemy's SQLite DateTime stores (%Y-%m-%d %H:%M:%S.%f), built faster than strftime."""
    if at.tzinfo is not UTC:  # parsed and clock times are UTC already: skip the conversion
        at = at.astimezone(UTC)
    return at.isoformat(" ", "microseconds")[:26]  # without the "+00:00": no naive copy to build


def db_time(connection: Connection, at: datetime) -> Any:
    """`at` as the driver wants it for a UtcDateTime column."""
    return sqlite_time(at) if connection.dialect.name == "sqlite" else at.astimezone(UTC)


def from_db_time(value: Any) -> datetime | None:
    """A time as the driver returns it (SQLite: naive UTC text; PostgreSQL: aware) -> aware UTC:
    the reverse of `db_time`, for rows read at driver level."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def db_value(connection: Connection, value: Any) -> Any:
    """A bulk-insert value as the driver wants it: times rendered by `db_time`, the rest as is."""
    return db_time(connection, value) if isinstance(value, datetime) else value


_IN_CHUNK = 5000  # below SQLite's 32766 and PostgreSQL's 65535 bound parameters
_IN_LENGTHS = (1, 8, 64, 512, 2048, _IN_CHUNK)


def _padded_length(count: int) -> int:
    return next(length for length in _IN_LENGTHS if length >= count)


def select_in(
    connection: Connection, sql: str, values: Sequence[Any], *, fixed: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """`sql` ends in `IN ({})`; runs it for `values` in chunks at driver level (SQLAlchemy's
    per-statement compilation of thousands of parameters costs more than the query).
    `fixed` parameters come first, for placeholders before the IN."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    ordered = sorted(set(values))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        # Padded (with the last value again) to one of a few lengths: each length is one
        # prepared statement that the driver keeps and reuses, where a new length every batch
        # would be parsed again and cached again (a 5000-parameter statement is large).
        chunk += chunk[-1:] * (_padded_length(len(chunk)) - len(chunk))
        result = connection.exec_driver_sql(sql.replace("?", marker).format(", ".join([marker] * len(chunk))),
                                            (*fixed, *chunk))  # fmt: skip
        # Fetched from the driver's cursor: SQLAlchemy's result rows cost more than the lookup.
        found += result.cursor.fetchall()
        result.close()
    return found


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    # A column that is NULL in every row, and has no server default to stand for, is left out:
    # the driver binds each value one by one (an order report fills barely half the facts).
    values_of = list(zip(*rows, strict=True))
    kept = [
        index
        for index, name in enumerate(columns)
        if table.c[name].server_default is not None or values_of[index].count(None) < len(rows)
    ]
    if len(kept) < len(columns):
        columns = [columns[index] for index in kept]
        rows = list(zip(*[values_of[index] for index in kept], strict=True))
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - names come from schema.py
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    connection.exec_driver_sql(sql, list(rows))


def put_meta(connection: Connection, key: str, value: str) -> None:
    """Set a store-wide value in `meta`; safe when two servers set it at once."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO meta (key, value) VALUES ({marker}, {marker}) "  # noqa: S608 - fixed names
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """`count` new primary keys of `table`, for rows inserted with their ids so that the rows
    that refer to them can be written without reading the ids back. SQLite: after the largest
    (the transaction holds the write lock, so nobody inserts meanwhile); PostgreSQL: drawn
    from the table's sequence, which concurrent inserts share."""
    if count <= 0:
        return []
    if connection.dialect.name == "sqlite":
        top = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar_one()  # noqa: S608
        return list(range(int(top) + 1, int(top) + 1 + count))
    result = connection.exec_driver_sql(
        f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
        (count,),
    )
    return [int(ref) for (ref,) in result.cursor.fetchall()]
