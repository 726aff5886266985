"""Alembic migrations (script location for tutela.core.storage.migrate)."""
