"""What routes are handed: the store context, and the token principal for a scope (and the
purpose of the X-Tutela-Purpose header, checked against the token and the role)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from tutela.core.errors import TokenInvalid, TokenNotAllowed
from tutela.services import tokens
from tutela.services.context import Context
from tutela.services.tokens import TokenPrincipal


def store(request: Request) -> Context:
    ctx = request.app.state.tutela
    assert isinstance(ctx, Context)
    return ctx


Store = Annotated[Context, Depends(store)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise TokenInvalid("an API token is needed", hint="send Authorization: Bearer tut_…")
    return authorization.removeprefix("Bearer ").strip()


def principal(scope: str) -> Callable[..., TokenPrincipal]:
    def _dependency(ctx: Store, authorization: Annotated[str | None, Header()] = None) -> TokenPrincipal:
        return tokens.authenticate(ctx, token=_bearer(authorization), scope=scope)

    return _dependency


def purposeful(scope: str) -> Callable[..., tuple[TokenPrincipal, str]]:
    """A principal acting under the purpose named in the X-Tutela-Purpose header."""

    def _dependency(
        ctx: Store,
        authorization: Annotated[str | None, Header()] = None,
        x_tutela_purpose: Annotated[str | None, Header()] = None,
    ) -> tuple[TokenPrincipal, str]:
        if not x_tutela_purpose:
            raise TokenNotAllowed(
                "say why: the X-Tutela-Purpose header is missing", hint="e.g. X-Tutela-Purpose: returns"
            )
        ctx.policy.purpose(x_tutela_purpose)  # unknown purposes get their own error, with a suggestion
        found = tokens.authenticate(ctx, token=_bearer(authorization), scope=scope, purpose=x_tutela_purpose)
        return found, x_tutela_purpose

    return _dependency
