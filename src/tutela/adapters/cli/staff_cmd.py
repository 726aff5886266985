"""`tutela staff add|enrol|activate|disable|list`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import staff

app = typer.Typer(help="Staff accounts: one per person, password + TOTP (DPP §1.2, §1.4).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sign-in name, e.g. li.wei")],
    role: Annotated[str, typer.Option(help="A role of the policy, e.g. support_agent.")],
) -> None:
    """Create an account; prints a one-time setup code for that person (there is no default password)."""
    with opened(ctx) as store:
        setup = guarded(lambda: staff.add_staff(store, actor=LOCAL_OPERATOR, name=name, role=role))
    out.print(f"[green]created[/] {setup.name} ({role}). Give them this one-time setup code, valid until"
              f" {setup.expires_at:%Y-%m-%d %H:%M} UTC:")  # fmt: skip
    out.print(setup.setup_token, soft_wrap=True)
    out.print("They run `tutela staff enrol CODE`, add the shown secret to an authenticator app,"
              " then `tutela staff activate CODE --code 123456`.")  # fmt: skip


@app.command("enrol")
def enrol(ctx: typer.Context, setup_code: Annotated[str, typer.Argument(help="The one-time setup code.")]) -> None:
    """Start setup: shows the TOTP secret and otpauth:// link for an authenticator app."""
    with opened(ctx) as store:
        enrolment = guarded(lambda: staff.enrol(store, setup_token=setup_code))
    out.print(f"TOTP secret for {enrolment.name}: [bold]{enrolment.totp_secret}[/]")
    out.print(enrolment.provisioning_uri, soft_wrap=True)


@app.command("activate")
def activate(
    ctx: typer.Context,
    setup_code: Annotated[str, typer.Argument(help="The one-time setup code.")],
    code: Annotated[str, typer.Option("--code", help="The current 6-digit code from the authenticator app.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="The new password (prompted).")
    ],
) -> None:
    """Finish setup: the first TOTP code and a password (≥ 12 characters, mixed, not the name)."""
    with opened(ctx) as store:
        guarded(lambda: staff.activate(store, setup_token=setup_code, password=password, code=code))
    out.print("[green]activated[/]: sign in with your name, password and a TOTP code")


@app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Disable an account at once (a leaver): it can no longer sign in, and its API tokens are revoked."""
    with opened(ctx) as store:
        revoked = guarded(lambda: staff.disable(store, actor=LOCAL_OPERATOR, name=name))
    out.print(f"[green]disabled[/] {name}; {revoked} API token(s) revoked")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every account: role, whether set up, active, locked, and the password's age."""
    with opened(ctx) as store:
        members = guarded(lambda: staff.list_staff(store))
    table = Table("name", "role", "status", "password set (UTC)", "created (UTC)")
    for m in members:
        status = "disabled" if not m.active else "locked" if m.locked else "active" if m.set_up else "awaiting setup"
        set_at = m.password_set_at.strftime("%Y-%m-%d") if m.password_set_at else "—"
        table.add_row(m.name, m.role, status, set_at, m.created_at.strftime("%Y-%m-%d"))
    out.print(table)
