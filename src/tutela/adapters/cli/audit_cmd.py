"""`tutela audit verify|tail|checkpoint`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.exit_codes import INTEGRITY
from tutela.adapters.cli.runtime import err, guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import audit

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[str | None, typer.Option(help="A line printed earlier by `tutela audit checkpoint`.")] = None,
) -> None:
    """Check every link of the chain; name the first broken one. Exit 8 if broken."""
    with opened(ctx) as store:
        report = guarded(lambda: audit.verify(store, checkpoint=checkpoint))
    verdict = report.verdict
    if verdict.first_break is not None:
        err.print(
            f"[bold red]broken[/]: {verdict.first_break.reason} (first broken link: event {verdict.first_break.seq};"
            f" events 1-{verdict.head_seq} verify)"
        )
        raise typer.Exit(INTEGRITY)
    if not report.head_matches:
        err.print(
            "[bold red]broken[/]: the chain's recorded head does not match its last event: events were removed or added"
        )
        raise typer.Exit(INTEGRITY)
    if report.checkpoint_problem:
        err.print(f"[bold red]broken[/]: {report.checkpoint_problem}")
        raise typer.Exit(INTEGRITY)
    held = " and matches the checkpoint" if checkpoint else ""
    out.print(f"[green]ok[/]: {verdict.events} events verify{held}; head {verdict.head_hash}")


@app.command("tail")
def tail(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("-n", min=1, max=10_000, help="How many events.")] = 20,
) -> None:
    """The newest events (ids, field names and purposes only: never values)."""
    with opened(ctx) as store:
        events = guarded(lambda: audit.tail(store, limit=n))
    table = Table("seq", "at (UTC)", "actor", "action", "customer", "purpose", "fields", "outcome")
    for e in events:
        table.add_row(
            str(e["seq"]),
            e["at"][:19].replace("T", " "),
            e["actor"],
            e["action"],
            e["customer_id"] or "",
            e["purpose"] or "",
            e["fields"].strip("[]").replace('"', ""),
            e["outcome"],
        )
    out.print(table)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Print a signed head of the chain; keep it elsewhere and pass it to `verify --checkpoint`."""
    with opened(ctx) as store:
        line = guarded(lambda: audit.checkpoint(store, LOCAL_OPERATOR))
    out.print(line, soft_wrap=True)
