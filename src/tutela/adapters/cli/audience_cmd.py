"""`tutela audience export`: the only door to marketing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import audience

app = typer.Typer(help="Marketing audiences: only customers who may be contacted (consent; never Amazon buyers).",
                  no_args_is_help=True)  # fmt: skip


@app.command("export")
def export(
    ctx: typer.Context,
    purpose: Annotated[str, typer.Option(help="A consent purpose, e.g. marketing_email.")],
    out_file: Annotated[Path, typer.Option("--out", help="The CSV to write (owner-only permissions).")],
    channel: Annotated[
        str | None, typer.Option(help="email, sms, phone or post (default: the purpose's first).")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write the eligible contacts with one-click unsubscribe links (RFC 8058); audited."""
    with opened(ctx) as store:
        result = guarded(lambda: audience.export_audience(store, actor=LOCAL_OPERATOR, purpose=purpose, out=out_file,
                                                          channel=channel, overwrite=overwrite))  # fmt: skip
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
        return
    out.print(f"[green]{result.contacts}[/] contacts for {result.purpose} ({result.channel}) -> {result.path}; "
              f"{result.skipped} live grants without a contact detail from your own channels left out; "
              f"sha256 {result.sha256[:16]}…")  # fmt: skip
