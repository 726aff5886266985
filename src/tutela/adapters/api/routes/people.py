"""/api/v1/staff and /api/v1/tokens: accounts and API tokens (scope staff:admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from tutela.adapters.api.deps import Store, principal
from tutela.services import staff, tokens
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1", tags=["staff and tokens"])
Admin = Annotated[TokenPrincipal, Depends(principal("staff:admin"))]


class StaffIn(BaseModel):
    name: str = Field(min_length=3, max_length=64)
    role: str = Field(min_length=1, max_length=64)


class TokenIn(BaseModel):
    name: str = Field(default="api", min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=64)
    scopes: list[str] = Field(min_length=1)
    purposes: list[str] = Field(default_factory=list)
    expires: str = Field(default="90d", pattern=r"^\d+[dh]$")


@router.get("/staff")
def list_staff(ctx: Store, _who: Admin) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "role": m.role, "active": m.active, "locked": m.locked, "set_up": m.set_up,
         "password_set_at": m.password_set_at.isoformat() if m.password_set_at else None}
        for m in staff.list_staff(ctx)
    ]  # fmt: skip


@router.post("/staff", status_code=201)
def add_staff(ctx: Store, who: Admin, request: StaffIn) -> dict[str, Any]:
    setup = staff.add_staff(ctx, actor=who.actor, name=request.name, role=request.role)
    return {"name": setup.name, "setup_path": f"/console/setup/{setup.setup_token}",
            "expires_at": setup.expires_at.isoformat()}  # fmt: skip


@router.post("/staff/{name}/disable")
def disable_staff(ctx: Store, who: Admin, name: str) -> dict[str, Any]:
    return {"name": name, "tokens_revoked": staff.disable(ctx, actor=who.actor, name=name)}


@router.get("/tokens")
def list_tokens(ctx: Store, _who: Admin) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "role": t.role, "scopes": t.scopes, "purposes": t.purposes,
         "expires_at": t.expires_at.isoformat(), "revoked": t.revoked}
        for t in tokens.list_tokens(ctx)
    ]  # fmt: skip


@router.post("/tokens", status_code=201)
def create_token(ctx: Store, who: Admin, request: TokenIn) -> dict[str, Any]:
    new = tokens.create_token(ctx, actor=who.actor, name=request.name, role=request.role, scopes=request.scopes,
                              purposes=request.purposes, lifetime=tokens.parse_lifetime(request.expires))  # fmt: skip
    return {"id": new.id, "token": new.token, "expires_at": new.expires_at.isoformat()}


@router.post("/tokens/{token_id}/revoke")
def revoke_token(ctx: Store, who: Admin, token_id: int) -> dict[str, Any]:
    tokens.revoke(ctx, actor=who.actor, token_id=token_id)
    return {"id": token_id, "revoked": True}
