"""`tutela keys status|rotate`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import keys

app = typer.Typer(help="Key versions and rotation.", no_args_is_help=True)


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Key versions, how many data keys each wraps, and any rotation still in progress."""
    with opened(ctx) as store:
        report = guarded(lambda: keys.status(store))
    table = Table("version", "created (UTC)", "data keys", title=f"Keys from {report.source}", title_justify="left")
    for v in report.versions:
        marker = " (newest)" if v.version == report.newest_version else ""
        table.add_row(f"{v.version}{marker}", v.created_at.strftime("%Y-%m-%d %H:%M"), str(v.data_keys))
    out.print(table)
    if report.pending_rewrap:
        out.print(
            f"[yellow]{report.pending_rewrap} data keys still wrapped by older versions[/]:"
            " run `tutela keys rotate` to finish"
        )


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Data keys per transaction.")] = 1000,
) -> None:
    """Add a key version and rewrap every data key (or finish an interrupted rotation)."""
    with opened(ctx) as store:
        report = guarded(
            lambda: keys.rotate(
                store,
                actor=LOCAL_OPERATOR,
                batch_size=batch_size,
                on_batch=lambda n: out.print(f"  rewrapped {n} data keys", end="\r"),
            )
        )
    action = "rotated to" if report.started_new_version else "finished rotation to"
    out.print(f"[green]{action} key version {report.version}[/]: {report.rewrapped} data keys rewrapped")
