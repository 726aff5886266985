"""The REST API under /api/v1 (FastAPI): routes parse, call one service, answer."""
