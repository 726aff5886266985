"""/api/v1/customers: find, reveal (for a purpose), rectify, erase."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from tutela.adapters.api.deps import Store, principal, purposeful
from tutela.services import vault
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


class FoundOut(BaseModel):
    id: str
    categories: list[str]
    sources: list[str]
    created_at: str


class FieldOut(BaseModel):
    category: str
    access: str
    value: str | None
    stored_under: str
    source: str


class RevealedOut(BaseModel):
    customer_id: str
    purpose: str
    role: str
    fields: list[FieldOut]


class RectifyIn(BaseModel):
    fields: dict[str, str] = Field(min_length=1, description="category -> corrected value")


class EraseIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why (no personal data: it is audited)")


@router.get("", response_model=list[FoundOut])
def find(
    ctx: Store,
    who: Annotated[TokenPrincipal, Depends(principal("customers:read"))],
    email: Annotated[str | None, Query(max_length=320)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    found = vault.find_customers(ctx, actor=who.actor, email=email, phone=phone, order_id=order_id)
    return [
        {"id": f.id, "categories": f.categories, "sources": f.sources, "created_at": f.created_at.isoformat()}
        for f in found
    ]


@router.get("/{customer_id}", response_model=RevealedOut)
def reveal(
    ctx: Store, customer_id: str, who: Annotated[tuple[TokenPrincipal, str], Depends(purposeful("customers:read"))]
) -> dict[str, Any]:
    principal, purpose = who
    shown = vault.reveal(ctx, actor=principal.actor, purpose=purpose, customer_id=customer_id)
    return {
        "customer_id": shown.customer_id,
        "purpose": shown.purpose,
        "role": shown.role,
        "fields": [
            {"category": f.category, "access": f.access.value, "value": f.value, "stored_under": f.stored_under,
             "source": f.source}
            for f in shown.fields
        ],
    }  # fmt: skip


@router.patch("/{customer_id}")
def rectify(
    ctx: Store,
    customer_id: str,
    change: RectifyIn,
    who: Annotated[tuple[TokenPrincipal, str], Depends(purposeful("customers:write"))],
) -> dict[str, Any]:
    principal, purpose = who
    changed = vault.rectify(ctx, actor=principal.actor, purpose=purpose, customer_id=customer_id, fields=change.fields)
    return {"customer_id": customer_id, "rectified": changed}


@router.post("/{customer_id}/erase")
def erase(
    ctx: Store,
    customer_id: str,
    request: EraseIn,
    who: Annotated[TokenPrincipal, Depends(principal("customers:write"))],
) -> dict[str, Any]:
    receipt = vault.erase(ctx, actor=who.actor, customer_id=customer_id, reason=request.reason)
    return {"customer_id": receipt.customer_id, "fields_deleted": receipt.fields_deleted,
            "erased_at": receipt.erased_at.isoformat()}  # fmt: skip
