"""Shared fixtures. Every storage test runs on SQLite and on a real PostgreSQL: the run
creates its own PostgreSQL database and drops it at the end; each test gets its own schema."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from tests.smtp_server import smtp_server  # noqa: F401
from tutela.core.actor import LOCAL_OPERATOR, Actor
from tutela.core.clock import FixedClock
from tutela.core.settings import Settings
from tutela.services.context import Context
from tutela.services.store import init_store

PG_ADMIN_URL = os.environ.get("TUTELA_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("TUTELA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
FIXED_NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

OWNER = LOCAL_OPERATOR
SUPPORT = Actor(id="agent-7", role="support_agent")
RETURNS = Actor(id="agent-9", role="returns_agent")
MARKETING = Actor(id="mkt-1", role="marketing")


def pytest_report_header() -> str:
    return f"tutela storage backends: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this run's own, dropped at the end (runs never see each other's data)."""
    if "postgresql" not in BACKENDS:
        yield ""
        return
    name = f"tutela_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is needed at {PG_ADMIN_URL} for the storage tests ({exc}); "
            "start it, or set TUTELA_TEST_BACKENDS=sqlite for a quick local run",
            returncode=3,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url(database: str, schema: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, pg_database: str) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_database}", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield pg_url(pg_database, schema)


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, busy_timeout_ms=2000)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW)


@pytest.fixture
def store(settings: Settings, clock: FixedClock) -> Iterator[Context]:
    ctx = init_store(settings, clock)
    try:
        yield ctx
    finally:
        ctx.close()
