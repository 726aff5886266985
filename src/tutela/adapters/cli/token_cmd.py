"""`tutela token create|list|revoke`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import tokens

app = typer.Typer(help="API tokens: scoped, purpose-bound, expiring, shown once.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    scope: Annotated[list[str], typer.Option(help=f"Repeatable: {', '.join(tokens.SCOPES)}.")],
    role: Annotated[str, typer.Option(help="The policy role the token acts as.")],
    purpose: Annotated[list[str] | None, typer.Option(help="Repeatable: purposes it may act under.")] = None,
    expires: Annotated[str, typer.Option(help="Lifetime, e.g. 90d or 12h (at most 365d).")] = "90d",
    name: Annotated[str, typer.Option(help="What it is for.")] = "api",
) -> None:
    """Create a token; it is printed once and stored only as a hash."""
    with opened(ctx) as store:
        new = guarded(lambda: tokens.create_token(
            store, actor=LOCAL_OPERATOR, name=name, role=role, scopes=scope, purposes=purpose or [],
            lifetime=tokens.parse_lifetime(expires),
        ))  # fmt: skip
    out.print(f"[green]token {new.id}[/] (expires {new.expires_at:%Y-%m-%d %H:%M} UTC) — shown once, store it now:")
    out.print(new.token, soft_wrap=True)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every token (never the secret): role, scopes, purposes, expiry, revoked."""
    with opened(ctx) as store:
        found = guarded(lambda: tokens.list_tokens(store))
    table = Table("id", "name", "role", "scopes", "purposes", "expires (UTC)", "status")
    for t in found:
        table.add_row(str(t.id), t.name, t.role, " ".join(t.scopes), " ".join(t.purposes),
                      t.expires_at.strftime("%Y-%m-%d"), "revoked" if t.revoked else "active")  # fmt: skip
    out.print(table)


@app.command("revoke")
def revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token at once."""
    with opened(ctx) as store:
        guarded(lambda: tokens.revoke(store, actor=LOCAL_OPERATOR, token_id=token_id))
    out.print(f"[green]revoked[/] token {token_id}")
