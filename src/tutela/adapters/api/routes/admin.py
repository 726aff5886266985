"""/api/v1/policy and /api/v1/keys: the policy (read, validate, replace with an audited diff)
and the keys (status, rotate)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from tutela.adapters.api.deps import Store, principal
from tutela.core.policy import parse_policy
from tutela.services import keys, policy_versions
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1", tags=["policy and keys"])
PolicyText = Annotated[str, Body(media_type="application/toml", max_length=200_000)]


@router.get("/policy")
def get_policy(ctx: Store, _who: Annotated[TokenPrincipal, Depends(principal("policy:read"))]) -> dict[str, Any]:
    return {"sha256": ctx.policy.sha256, "text": ctx.policy.text,
            "versions": [v.version for v in policy_versions.history(ctx)]}  # fmt: skip


@router.post("/policy/validate")
def validate_policy(
    _who: Annotated[TokenPrincipal, Depends(principal("policy:read"))], text: PolicyText
) -> dict[str, Any]:
    policy = parse_policy(text, source="policy.toml")
    return {"valid": True, "purposes": sorted(policy.purposes), "roles": sorted(policy.roles)}


@router.put("/policy")
def put_policy(
    ctx: Store, who: Annotated[TokenPrincipal, Depends(principal("policy:write"))], text: PolicyText
) -> dict[str, Any]:
    parse_policy(text, source="policy.toml")  # refused before anything is written
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy.toml"
        path.write_text(text, encoding="utf-8")
        version = policy_versions.apply(ctx, who.actor, path)
    return {"version": version, "changed": version is not None,
            "note": "the running server keeps the policy it started with until it restarts"}  # fmt: skip


@router.get("/keys")
def key_status(ctx: Store, _who: Annotated[TokenPrincipal, Depends(principal("keys:admin"))]) -> dict[str, Any]:
    report = keys.status(ctx)
    return {
        "source": report.source, "newest_version": report.newest_version, "pending_rewrap": report.pending_rewrap,
        "versions": [{"version": v.version, "created_at": v.created_at.isoformat(), "data_keys": v.data_keys}
                     for v in report.versions],
    }  # fmt: skip


@router.post("/keys/rotate")
def rotate(ctx: Store, who: Annotated[TokenPrincipal, Depends(principal("keys:admin"))]) -> dict[str, Any]:
    report = keys.rotate(ctx, actor=who.actor)
    return {"version": report.version, "rewrapped": report.rewrapped, "complete": report.complete}
