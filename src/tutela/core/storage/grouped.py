"""Grouping the batches of a bulk job into fewer transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from tutela.core.storage.engine import storage_error


class TransactionGroup:
    """Several batches of a bulk job in one transaction: `connection()` per batch, `full()`
    says when to commit (with the job's checkpoint), `close()` rolls back what was not
    committed. Fewer commits write each randomly placed index page fewer times, the cost
    that grows with the size of the store."""

    def __init__(self, engine: Engine, *, batches: int) -> None:
        self.batches = batches
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: Any = None
        self._count = 0
        self.last_row = 0

    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        if self._transaction is None:
            self._transaction = self._connection.begin()
            self._count = 0
        self._count += 1
        return self._connection

    def full(self) -> bool:
        return self._count >= self.batches

    def open(self) -> bool:
        return self._transaction is not None

    def commit(self) -> None:
        try:
            self._transaction.commit()
        except OperationalError as exc:
            raise storage_error(exc, self._engine.dialect.name) from None
        self._transaction = None

    def close(self) -> None:
        if self._transaction is not None:
            self._transaction.rollback()
            self._transaction = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
