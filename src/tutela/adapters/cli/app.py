"""The `tutela` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutela.adapters.cli import (
    audience_cmd,
    audit_cmd,
    consent_cmd,
    customer_cmd,
    demo_cmd,
    import_cmd,
    keys_cmd,
    policy_cmd,
    requests_cmd,
    retention_cmd,
    returns_cmd,
    scan_cmd,
    serve_cmd,
    staff_cmd,
    store_cmd,
    token_cmd,
)
from tutela.adapters.cli.runtime import CliState

app = typer.Typer(
    name="tutela",
    help="Keep your customers' data private and provably compliant (Amazon DPP/AUP, GDPR, CCPA).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Store folder (default: $TUTELA_DATA_DIR, else ./tutela-data).", show_default=False
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(data_dir=data_dir)


store_cmd.register(app)
import_cmd.register(app)
app.command("serve")(serve_cmd.serve)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(customer_cmd.app, name="customer")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(token_cmd.app, name="token")
app.add_typer(retention_cmd.app, name="retention")
app.add_typer(retention_cmd.hold_app, name="hold")
app.add_typer(retention_cmd.amazon_app, name="amazon")
app.add_typer(returns_cmd.app, name="returns")
app.add_typer(consent_cmd.app, name="consent")
app.add_typer(audience_cmd.app, name="audience")
app.add_typer(requests_cmd.app, name="requests")
scan_cmd.register(app)


def main() -> None:
    app()
