"""The server's log checkpoints (SQLite only: PostgreSQL keeps its own log): the write-ahead
log is copied into the database file by a connection of its own, and the thread starts and
stops cleanly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from tutela.core.settings import Settings
from tutela.core.storage.engine import make_engine, transaction
from tutela.core.storage.wal_checkpointer import DEFAULT_AUTOCHECKPOINT, WalCheckpointer, checkpoint, fewer_checkpoints


def test_a_checkpoint_copies_the_log_into_the_database(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    try:
        assert WalCheckpointer.wanted(engine)
        with transaction(engine) as connection:
            connection.execute(text("CREATE TABLE scratch (n INTEGER)"))
        for n in range(200):
            with transaction(engine) as connection:
                connection.execute(text("INSERT INTO scratch (n) VALUES (:n)"), {"n": n})
        own = sqlite3.connect(engine.url.database or "")
        try:
            busy, logged, copied = checkpoint(own)
            assert busy == 0 and logged > 0 and copied == logged
        finally:
            own.close()
    finally:
        engine.dispose()


def test_the_thread_starts_and_stops(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    try:
        worker = WalCheckpointer(engine, every_s=3600)
        worker.start()
        worker.stop()
        assert not worker._thread.is_alive()
    finally:
        engine.dispose()


def test_a_bulk_job_checkpoints_less_and_leaves_the_log_empty(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    try:
        with transaction(engine) as connection:
            connection.execute(text("CREATE TABLE scratch (n INTEGER)"))
        with fewer_checkpoints(engine, pages=50_000):
            raw = engine.raw_connection()
            try:
                assert raw.cursor().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 50_000
            finally:
                raw.close()
            with transaction(engine) as connection:
                connection.execute(text("INSERT INTO scratch (n) VALUES (1)"))
        wal = Path(f"{engine.url.database}-wal")
        assert not wal.exists() or wal.stat().st_size == 0  # truncated at the end
        raw = engine.raw_connection()
        try:
            assert raw.cursor().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == DEFAULT_AUTOCHECKPOINT
        finally:
            raw.close()
    finally:
        engine.dispose()
