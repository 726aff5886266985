"""/api/v1/retention, /api/v1/holds, /api/v1/amazon: deletion on time, legal holds, revocation.

Dates (`until`) are calendar days in UTC and mean the end of that day (23:59:59 UTC): a plan
"until 2027-01-31" includes 31 January, a hold "until 2027-06-30" keeps the data through
30 June — as in the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tutela.adapters.api.deps import Store, principal
from tutela.adapters.documents import certificate_html, certificate_pdf
from tutela.services import amazon_revocation, holds, retention_apply, retention_plan
from tutela.services.amazon_revocation import Revocation
from tutela.services.context import Context
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1", tags=["retention"])
Reader = Annotated[TokenPrincipal, Depends(principal("retention:read"))]
Writer = Annotated[TokenPrincipal, Depends(principal("retention:write"))]
# The certificate is a self-contained document with its own inline CSS: it may style itself,
# and nothing else (no scripts, no requests, no forms).
CERTIFICATE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str | None = Field(default=None, min_length=1, max_length=64, description="hold this customer")
    order_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="or the customer of this order (as the shop knows it)"
    )
    reason: str = Field(min_length=1, max_length=500, description="why: a case number, no personal data (audited)")
    until: date = Field(description="the hold's last day, YYYY-MM-DD; it ends at 23:59:59 UTC that day")

    @model_validator(mode="after")
    def _one_subject(self) -> HoldIn:
        if (self.customer_id is None) == (self.order_id is None):
            raise ValueError("give customer_id or order_id (one of them)")
        return self


class HoldOut(BaseModel):
    id: int
    customer_id: str
    order_id: str | None
    reason: str
    author: str
    created_at: datetime
    until: datetime
    released_at: datetime | None
    released_by: str | None
    active: bool


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    within_days: int = Field(
        default=0, ge=0, le=amazon_revocation.MAX_DAYS, description="days until every Amazon field is gone (0: now)"
    )


@router.get("/retention/plan")
def plan(
    ctx: Store,
    _who: Reader,
    until: Annotated[date | None, Query(description="up to the end of this day, UTC (default: 8 weeks)")] = None,
    customer_id: Annotated[str | None, Query(max_length=64, description="one customer's records")] = None,
) -> dict[str, Any]:
    """What will be deleted, when and why (nothing is deleted)."""
    horizon = end_of_day(until) if until is not None else None
    return retention_plan.plan(ctx, until=horizon, customer_id=customer_id).as_dict()


@router.post("/retention/apply")
def apply(ctx: Store, who: Writer) -> dict[str, Any]:
    """Delete every due field that no hold keeps (a receipt per batch); an open Amazon
    revocation with no Amazon field left gets its certificate (`amazon_certificate`: its id)."""
    result = retention_apply.apply(ctx, actor=who.actor)
    certificate = amazon_revocation.complete_if_done(ctx, actor=who.actor)
    return {**result.as_dict(), "amazon_certificate": certificate.revocation_id if certificate else None}


@router.get("/holds", response_model=list[HoldOut])
def list_holds(
    ctx: Store,
    _who: Reader,
    include_released: Annotated[bool, Query(description="also released and expired holds")] = False,
) -> list[dict[str, Any]]:
    return holds.list_holds(ctx, include_released=include_released)


@router.post("/holds", status_code=201)
def add_hold(ctx: Store, who: Writer, hold: HoldIn) -> dict[str, int]:
    hold_id = holds.add_hold(ctx, actor=who.actor, reason=hold.reason, until=end_of_day(hold.until),
                             customer_id=hold.customer_id, order_id=hold.order_id)  # fmt: skip
    return {"id": hold_id}


@router.post("/holds/{hold_id}/release")
def release_hold(ctx: Store, who: Writer, hold_id: int) -> dict[str, Any]:
    holds.release_hold(ctx, actor=who.actor, hold_id=hold_id)
    return {"id": hold_id, "released": True}


@router.post("/amazon/revoke")
def revoke(ctx: Store, who: Writer, request: RevokeIn) -> dict[str, Any]:
    """DPP §1.7: every Amazon-sourced field falls due by now + `within_days`. With 0 (the
    default) they are deleted at once and the certificate issued; a later deadline leaves the
    deletion to retention's apply (hourly inside `serve`). Asking again while a revocation is
    open answers with that one (its deadline stands)."""
    done = amazon_revocation.revoke_and_delete(ctx, actor=who.actor, within_days=request.within_days)
    return {**done.revocation.as_dict(), "fields_deleted": done.fields_deleted,
            "certificate_ready": done.certificate is not None}  # fmt: skip


def _revocation(ctx: Context, revocation_id: int) -> Revocation:
    found = amazon_revocation.get(ctx, revocation_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no Amazon revocation {revocation_id}")
    return found


@router.get("/amazon/revocations/{revocation_id}")
def revocation(ctx: Store, _who: Reader, revocation_id: int) -> dict[str, Any]:
    """A revocation; while it is open, also the Amazon-sourced fields still stored."""
    found = _revocation(ctx, revocation_id)
    remaining = None if found.completed_at else sum(amazon_revocation.amazon_fields(ctx).values())
    return {**found.as_dict(), "amazon_fields_remaining": remaining}


@router.get(
    "/amazon/revocations/{revocation_id}/certificate",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}, 409: {"description": "not complete"}},
)
def certificate(
    ctx: Store,
    _who: Reader,
    revocation_id: int,
    format: Annotated[Literal["html", "pdf"], Query(description="printable HTML or PDF")] = "html",
    language: Annotated[Literal["en", "zh"], Query(description="the HTML's language (the PDF is English)")] = "en",
) -> Response:
    """The destruction certificate, as a download; 409 while Amazon fields remain."""
    _revocation(ctx, revocation_id)
    cert = amazon_revocation.certificate_of(ctx, revocation_id)
    name = f"amazon-destruction-certificate-{revocation_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "pdf":
        return Response(certificate_pdf(cert), media_type="application/pdf", headers=headers)
    headers["Content-Security-Policy"] = CERTIFICATE_CSP
    return Response(certificate_html(cert, language=language), media_type="text/html; charset=utf-8", headers=headers)
