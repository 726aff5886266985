"""A database brought up by the migrations equals one made fresh from schema.py."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tutela.core.settings import Settings
from tutela.core.storage import migrate
from tutela.core.storage.engine import make_engine
from tutela.core.storage.schema import metadata


def _shape(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    shape: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        shape[table] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
            sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)),
        )
    return shape


def test_migrated_database_equals_fresh_one(settings: Settings, tmp_path: Path) -> None:
    settings.data_dir.mkdir(parents=True)
    migrated = make_engine(settings)
    migrate.upgrade(migrated)
    try:
        assert migrate.current_revision(migrated) == migrate.head_revision()
        with migrated.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        if settings.database_url is None:  # and, table by table, against create_all
            fresh_dir = tmp_path / "fresh"
            fresh_dir.mkdir()
            fresh = make_engine(Settings(data_dir=fresh_dir))
            metadata.create_all(fresh)
            assert _shape(fresh) == _shape(migrated)
            fresh.dispose()
    finally:
        migrated.dispose()
