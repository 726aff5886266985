"""/api/v1/requests: data-subject requests — open (the code goes to the requester by mail),
the queue, verify the code the requester read out, fulfil (the reply, with a one-time
download link for an access package, goes to the requester only), extend, deny.

No answer here holds the requester's address, the code or the download link."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from tutela.adapters.api.deps import Store, principal
from tutela.adapters.documents import request_mail, summary_html
from tutela.services import request_fulfilment, subject_requests
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/requests", tags=["requests"])
Reader = Annotated[TokenPrincipal, Depends(principal("requests:read"))]
Writer = Annotated[TokenPrincipal, Depends(principal("requests:write"))]
KINDS = ", ".join(k.value for k in subject_requests.Kind)


class OpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=16, description=f"one of: {KINDS}")
    email: str = Field(min_length=3, max_length=320, description="the requester's address: the code is sent there")
    jurisdiction: str = Field("auto", max_length=8, description="auto (from the customer's orders), gdpr, ccpa, other")
    language: str = Field("en", max_length=8, description="the letters' language: en or zh")
    corrections: dict[str, str] | None = Field(
        None, max_length=50, description="rectification: category -> the corrected value"
    )


class OpenedOut(BaseModel):
    id: int
    due_at: datetime
    linked: bool = Field(description="an open request of the same person and type existed: this is that one")


class RequestOut(BaseModel):
    id: int
    kind: str
    status: str
    jurisdiction: str
    language: str
    customer_id: str | None
    received_at: datetime
    acknowledge_by: datetime | None
    due_at: datetime
    extended: bool
    overdue: bool
    verification: str
    outcome: str | None
    closed_at: datetime | None


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=12, description="the code the requester received")


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="sent to the requester; no personal data")


class StatusOut(BaseModel):
    id: int
    status: str


class FulfilledOut(BaseModel):
    id: int
    status: str
    outcome: str = Field(description="no_data, package_ready, erased, erased_except_tax, corrected, …")
    reply_sent: bool


class ExtendedOut(StatusOut):
    due_at: datetime


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@router.post("", response_model=OpenedOut, status_code=201)
def open_request(ctx: Store, request: OpenIn, who: Writer) -> dict[str, Any]:
    deliver = request_mail.code_sender(ctx, email=request.email, language=request.language)
    made = subject_requests.open_request(
        ctx, actor=who.actor, kind=request.type, email=request.email, jurisdiction=request.jurisdiction,
        language=request.language, corrections=request.corrections, deliver=deliver,
    )  # fmt: skip
    return {"id": made.request_id, "due_at": made.due_at, "linked": made.linked}


@router.get("", response_model=list[RequestOut])
def queue(
    ctx: Store,
    _who: Reader,
    due_before: Annotated[date | None, Query(description="only those due by the end of this day (UTC)")] = None,
    include_closed: Annotated[bool, Query(description="also completed and denied requests")] = False,
) -> list[dict[str, Any]]:
    limit = _end_of_day(due_before) if due_before else None
    return subject_requests.list_requests(ctx, due_before=limit, include_closed=include_closed)


@router.get("/{request_id}", response_model=RequestOut)
def show(ctx: Store, request_id: int, _who: Reader) -> dict[str, Any]:
    return subject_requests.get(ctx, request_id)


@router.post("/{request_id}/verify", response_model=StatusOut)
def verify(ctx: Store, request_id: int, body: CodeIn, who: Writer) -> dict[str, Any]:
    status = subject_requests.verify(ctx, actor=who.actor, request_id=request_id, code=body.code.strip())
    return {"id": request_id, "status": status.value}


@router.post("/{request_id}/fulfil", response_model=FulfilledOut)
def fulfil(ctx: Store, request_id: int, who: Writer) -> dict[str, Any]:
    """Do what the request asks and mail the reply. The download link is in the reply only."""
    done = request_fulfilment.fulfil(ctx, actor=who.actor, request_id=request_id, render_summary=summary_html)
    request_mail.send_reply(ctx, done)
    return {"id": request_id, "status": subject_requests.Status.COMPLETED.value, "outcome": done.outcome,
            "reply_sent": True}  # fmt: skip


@router.post("/{request_id}/extend", response_model=ExtendedOut)
def extend(ctx: Store, request_id: int, body: ReasonIn, who: Writer) -> dict[str, Any]:
    due = subject_requests.extend(ctx, actor=who.actor, request_id=request_id, reason=body.reason)
    request_mail.send_extension(ctx, request_id, body.reason.strip())
    return {"id": request_id, "status": subject_requests.get(ctx, request_id)["status"], "due_at": due}


@router.post("/{request_id}/deny", response_model=StatusOut)
def deny(ctx: Store, request_id: int, body: ReasonIn, who: Writer) -> dict[str, Any]:
    subject_requests.deny(ctx, actor=who.actor, request_id=request_id, reason=body.reason)
    request_mail.send_denial(ctx, request_id)
    return {"id": request_id, "status": subject_requests.Status.DENIED.value}
