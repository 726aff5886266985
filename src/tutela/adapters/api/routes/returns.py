"""/api/v1/returns: the returns queue, a case under the returns purpose, opening and closing."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/returns", tags=["returns"])
