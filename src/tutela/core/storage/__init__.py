"""One schema for SQLite and PostgreSQL, the engine with each backend's settings, and migrations."""
