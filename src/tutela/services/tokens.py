"""API tokens: scoped, bound to a role and the purposes it may act under, stored as a
SHA-256 hash, shown once, expiring (at most a year: DPP §1.4.2), revocable. A token reads
`tut_<prefix>_<secret>`; the prefix finds the row, the hash proves the rest."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue, TokenInvalid, TokenNotAllowed
from tutela.core.policy import Access
from tutela.core.rules import API_TOKEN_MAX_DAYS
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import api_token
from tutela.core.suggest import did_you_mean
from tutela.services import audit
from tutela.services.context import Context

SCOPES = (
    "customers:read", "customers:write", "imports:write", "audit:read", "policy:read", "policy:write", "keys:admin",
    "staff:admin", "retention:read", "retention:write", "consent:read", "consent:write",
    "requests:read", "requests:write", "scans:read", "scans:write",
)  # fmt: skip
_TOKEN = re.compile(r"tut_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})")
_DURATION = re.compile(r"(\d+)([dh])")


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # shown once, never stored
    expires_at: datetime


@dataclass(frozen=True)
class TokenPrincipal:
    token_id: int
    name: str
    role: str
    scopes: frozenset[str]
    purposes: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(id=f"token:{self.name}", role=self.role)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    scopes: list[str]
    purposes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked: bool
    last_used_at: datetime | None


def parse_lifetime(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise InvalidValue("a lifetime reads like 90d or 12h", hint=f"at most {API_TOKEN_MAX_DAYS}d")
    amount, unit = int(match.group(1)), match.group(2)
    lifetime = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
    if not timedelta(hours=1) <= lifetime <= timedelta(days=API_TOKEN_MAX_DAYS):
        raise InvalidValue(
            f"a token lives between 1 hour and {API_TOKEN_MAX_DAYS} days (DPP §1.4.2: rotate at least yearly)",
            hint="e.g. --expires 90d",
        )
    return lifetime


def create_token(
    ctx: Context,
    *,
    actor: Actor,
    name: str,
    role: str,
    scopes: list[str],
    purposes: list[str],
    lifetime: timedelta,
    staff_id: int | None = None,
) -> NewToken:
    policy = ctx.policy
    policy.role(role)
    if not scopes:
        raise InvalidValue("a token needs at least one scope", hint=f"scopes: {', '.join(SCOPES)}")
    for scope in scopes:
        if scope not in SCOPES:
            raise InvalidValue(f"unknown scope '{scope}'", hint=did_you_mean(scope, SCOPES, "scope"))
    for purpose in purposes:
        declared = policy.purpose(purpose).categories
        if all(policy.decide(role, purpose, category) is Access.DENIED for category in declared):
            raise TokenNotAllowed(
                f"role '{role}' may see nothing under purpose '{purpose}'",
                hint="bind the token to a purpose the role works under",
            )
    if not re.fullmatch(r"[A-Za-z0-9 ._-]{1,64}", name):
        raise InvalidValue("a token name is 1-64 letters, digits, spaces, '.', '_' or '-'", hint="e.g. 'helpdesk sync'")
    prefix = secrets.token_hex(6)
    token = f"tut_{prefix}_{secrets.token_urlsafe(32)}"
    now = ctx.clock.now()
    expires = now + lifetime
    with transaction(ctx.engine) as connection:
        result = connection.execute(insert(api_token).values(
            prefix=prefix, secret_hash=hashlib.sha256(token.encode()).hexdigest(), name=name, role=role,
            scopes=json.dumps(sorted(set(scopes))), purposes=json.dumps(sorted(set(purposes))), staff_id=staff_id,
            created_at=now, created_by=actor.id, expires_at=expires,
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        token_id = int(result.inserted_primary_key[0])
        audit.record(connection, ctx, actor, [audit.Event(action="token.create", details={
            "token_id": token_id, "name": name, "role": role, "scopes": sorted(set(scopes)),
            "purposes": sorted(set(purposes)), "expires_at": expires.isoformat(),
        })])  # fmt: skip
    return NewToken(id=token_id, token=token, expires_at=expires)


def authenticate(ctx: Context, *, token: str, scope: str, purpose: str | None = None) -> TokenPrincipal:
    """The principal behind a token allowed `scope` (and `purpose`, when one is named)."""
    invalid = TokenInvalid("the token is not valid (unknown, expired or revoked)", hint="create a new one")
    match = _TOKEN.fullmatch(token.strip())
    if not match:
        raise invalid
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(api_token).where(api_token.c.prefix == match.group(1))).first()
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        raise invalid
    if row.revoked_at is not None or row.expires_at <= ctx.clock.now():
        raise invalid
    principal = TokenPrincipal(
        int(row.id), row.name, row.role, frozenset(json.loads(row.scopes)), frozenset(json.loads(row.purposes))
    )
    if scope not in principal.scopes:
        raise TokenNotAllowed(f"the token lacks the scope '{scope}'", hint="create a token with that scope")
    if purpose is not None and purpose not in principal.purposes:
        raise TokenNotAllowed(f"the token may not act under purpose '{purpose}'", hint="use a token bound to it")
    return principal


def revoke(ctx: Context, *, actor: Actor, token_id: int) -> None:
    with transaction(ctx.engine) as connection:
        changed = connection.execute(
            update(api_token).where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=ctx.clock.now())
        ).rowcount  # fmt: skip
        if not changed:
            raise TokenInvalid(f"no active token with id {token_id}", hint="see `tutela token list`")
        audit.record(connection, ctx, actor, [audit.Event(action="token.revoke", details={"token_id": token_id})])


def list_tokens(ctx: Context) -> list[TokenInfo]:
    with read_only(ctx.engine) as connection:
        rows = connection.execute(select(api_token).order_by(api_token.c.id)).all()
    return [
        TokenInfo(int(r.id), r.name, r.role, json.loads(r.scopes), json.loads(r.purposes), r.created_at,
                  r.expires_at, r.revoked_at is not None, r.last_used_at)
        for r in rows
    ]  # fmt: skip
