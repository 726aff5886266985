"""/api/v1/retention, /api/v1/holds, /api/v1/amazon: deletion on time, legal holds, revocation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["retention"])
