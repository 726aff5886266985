"""/api/v1/returns: the returns queue, a case under the returns purpose, opening and closing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from tutela.adapters.api.deps import Store, principal, purposeful
from tutela.core.errors import TokenNotAllowed
from tutela.services import returns
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/returns", tags=["returns"])


class ReturnOut(BaseModel):
    id: int
    channel: str
    order_id: str
    status: str | None
    reason: str | None
    resolution: str | None
    open: bool
    requested_at: str | None
    closed_at: str | None
    age_days: int
    customer_id: str | None


class PageOut(BaseModel):
    returns: list[ReturnOut]
    next_after: int | None = Field(description="pass as ?after= for the next page; null on the last one")


class NoteOut(BaseModel):
    at: str
    by: str
    text: str


class CaseOut(ReturnOut):
    return_key: str
    sku: str | None
    quantity: int | None
    refunded_amount: str | None
    currency: str | None
    notes: list[NoteOut]


class FieldOut(BaseModel):
    category: str
    access: str
    value: str | None
    stored_under: str
    source: str


class ShownOut(CaseOut):
    purpose: str
    role: str
    customer_erased: bool
    fields: list[FieldOut]


class OpenIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=64, description="the shop's order id (imported)")
    reason: str = Field(min_length=1, max_length=returns.MAX_REASON_CHARS, description="no personal data")
    note: str | None = Field(None, max_length=returns.MAX_NOTE_CHARS, description="no personal data")
    name: str | None = Field(None, max_length=2000)
    street: str | None = Field(None, max_length=2000)
    city: str | None = Field(None, max_length=2000)
    state: str | None = Field(None, max_length=2000)
    postal_code: str | None = Field(None, max_length=2000)
    country: str | None = Field(None, max_length=2000)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=returns.MAX_NOTE_CHARS, description="no personal data")


class CloseIn(BaseModel):
    outcome: str = Field(description=f"one of: {', '.join(returns.OUTCOMES)}")


def _writer(who: Annotated[TokenPrincipal, Depends(principal("customers:write"))]) -> TokenPrincipal:
    """Changing a case is work done under the returns purpose (and opening one stores personal
    fields under it): the token must be bound to that purpose."""
    if returns.RETURNS not in who.purposes:
        raise TokenNotAllowed(
            f"the token may not act under purpose '{returns.RETURNS}'", hint="use a token bound to it"
        )
    return who


Writer = Annotated[TokenPrincipal, Depends(_writer)]


def _row(row: returns.ReturnRow) -> dict[str, Any]:
    return {
        "id": row.id, "channel": row.channel, "order_id": row.order_id, "status": row.status, "reason": row.reason,
        "resolution": row.resolution, "open": row.is_open, "customer_id": row.customer_id, "age_days": row.age_days,
        "requested_at": row.requested_at.isoformat() if row.requested_at else None,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
    }  # fmt: skip


def _case(case: returns.ReturnCase) -> dict[str, Any]:
    return {
        **_row(case.row), "return_key": case.return_key, "sku": case.sku, "quantity": case.quantity,
        "refunded_amount": str(case.refunded_amount) if case.refunded_amount is not None else None,
        "currency": case.currency, "notes": [{"at": n.at.isoformat(), "by": n.by, "text": n.text} for n in case.notes],
    }  # fmt: skip


@router.get("", response_model=PageOut)
def queue(
    ctx: Store,
    _who: Annotated[TokenPrincipal, Depends(principal("customers:read"))],
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=returns.MAX_PAGE)] = 100,
) -> dict[str, Any]:
    page = returns.list_returns(ctx, status=status, limit=limit, after=after)
    return {"returns": [_row(r) for r in page], "next_after": page[-1].id if len(page) == limit else None}


@router.get("/{return_id}", response_model=ShownOut)
def show(
    ctx: Store, return_id: int, who: Annotated[tuple[TokenPrincipal, str], Depends(purposeful("customers:read"))]
) -> dict[str, Any]:
    principal_, purpose = who
    shown = returns.show_return(ctx, actor=principal_.actor, return_id=return_id, purpose=purpose)
    fields = shown.revealed.fields if shown.revealed else []
    return {
        **_case(shown.case), "purpose": purpose, "role": principal_.role, "customer_erased": shown.customer_erased,
        "fields": [{"category": f.category, "access": f.access.value, "value": f.value,
                    "stored_under": f.stored_under, "source": f.source} for f in fields],
    }  # fmt: skip


@router.post("", response_model=CaseOut, status_code=201)
def open_case(ctx: Store, request: OpenIn, who: Writer) -> dict[str, Any]:
    case = returns.open_return(
        ctx, actor=who.actor, order_id=request.order_id, reason=request.reason, notes=request.note,
        name=request.name, street=request.street, city=request.city, state=request.state,
        postal_code=request.postal_code, country=request.country,
    )  # fmt: skip
    return _case(case)


@router.post("/{return_id}/notes", response_model=CaseOut)
def add_note(ctx: Store, return_id: int, request: NoteIn, who: Writer) -> dict[str, Any]:
    return _case(returns.add_note(ctx, actor=who.actor, return_id=return_id, text=request.text))


@router.post("/{return_id}/close", response_model=CaseOut)
def close(ctx: Store, return_id: int, request: CloseIn, who: Writer) -> dict[str, Any]:
    return _case(returns.close_return(ctx, actor=who.actor, return_id=return_id, outcome=request.outcome))
