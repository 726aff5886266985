"""Console: the retention page (upcoming deletions by week, overdue, holds)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/console", include_in_schema=False)
