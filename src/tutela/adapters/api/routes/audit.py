"""/api/v1/audit: verify, events page by page, checkpoint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from tutela.adapters.api.deps import Store, principal
from tutela.services import audit
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Reader = Annotated[TokenPrincipal, Depends(principal("audit:read"))]


class CheckpointIn(BaseModel):
    checkpoint: str | None = None


@router.post("/verify")
def verify(ctx: Store, _who: Reader, request: CheckpointIn) -> dict[str, Any]:
    report = audit.verify(ctx, checkpoint=request.checkpoint)
    broken = report.verdict.first_break
    return {
        "ok": report.ok,
        "events": report.verdict.events,
        "head": report.verdict.head_hash,
        "first_broken_event": broken.seq if broken else None,
        "problem": broken.reason if broken else (report.checkpoint_problem or (None if report.head_matches else
                                                 "the recorded head does not match the last event")),
    }  # fmt: skip


@router.get("/events")
def events(
    ctx: Store,
    _who: Reader,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    page = audit.page(ctx, after=after, limit=limit)
    return {"events": page, "next_after": page[-1]["seq"] if len(page) == limit else None}


@router.post("/checkpoint")
def checkpoint(ctx: Store, who: Reader) -> dict[str, str]:
    return {"checkpoint": audit.checkpoint(ctx, who.actor)}
