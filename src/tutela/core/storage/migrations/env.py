"""Alembic runs migrations on the connection that tutela hands it (never on a URL of its own)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tutela.core.storage.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - only reached by misuse
    raise RuntimeError("tutela migrations run through tutela.core.storage.migrate")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
