"""`tutela import FILE…`, `tutela import report ID`, `tutela import list`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from tutela.adapters.cli.runtime import err, guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.services import importing


def register(app: typer.Typer) -> None:
    app.command(
        "import",
        help="Import seller files (Amazon reports, SP-API JSON, Shopify exports, CSV with --map). "
        "Also: `tutela import report ID`, `tutela import list`.",
    )(import_files)


def import_files(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="Files to import, in order.")],
    source: Annotated[
        str | None, typer.Option(help="amazon | shopify | own_shop | manual (detected from the header if left out).")
    ] = None,
    column_map: Annotated[
        Path | None, typer.Option("--map", help="A columns.toml that maps a CSV's headers (see docs/importing.md).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Force an encoding (utf-8, utf-16, cp1252).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be stored; store nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report(s) as JSON.")] = False,
    brief: Annotated[bool, typer.Option("--brief", help="One line per file instead of the full report.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 5000,
) -> None:
    if files and files[0] in {"report", "list"} and not Path(files[0]).exists():
        _subcommand(ctx, files, as_json=as_json)
        return
    reports = []
    with opened(ctx) as store:
        for name in files:
            path = Path(name)
            with _ProgressBar(path.name) as advance:
                report = guarded(lambda path=path, advance=advance: importing.import_file(  # type: ignore[misc]
                    store, actor=LOCAL_OPERATOR, path=path, source=source, column_map=column_map,
                    encoding=encoding, dry_run=dry_run, batch_size=batch_size, on_progress=advance,
                ))  # fmt: skip
            reports.append(report.as_dict())
            if brief and not as_json:
                _render_brief(report.as_dict())
            elif not as_json:
                _render(report.as_dict())
    if as_json:
        out.print_json(json.dumps(reports if len(reports) > 1 else reports[0], default=str))


class _ProgressBar:
    def __init__(self, label: str) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
            TimeRemainingColumn(),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        )
        self.task = self.progress.add_task(label, total=None, rows=0, rate=0.0)

    def __enter__(self) -> Any:
        self.progress.start()

        def advance(done: int, total: int, rows: int) -> None:
            elapsed = self.progress.tasks[0].elapsed or 0.0
            self.progress.update(self.task, completed=done, total=total, rows=rows,
                                 rate=rows / elapsed if elapsed else 0.0)  # fmt: skip

        return advance

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()


def _subcommand(ctx: typer.Context, words: list[str], *, as_json: bool) -> None:
    with opened(ctx) as store:
        if words[0] == "list":
            runs = guarded(lambda: importing.list_imports(store))
            table = Table("id", "file", "format", "status", "rows", "started (UTC)")
            for run in runs:
                table.add_row(str(run["import_id"]), run["file"], run["format"], run["status"],
                              f"{run['rows_done']:,}", run["started_at"][:19])  # fmt: skip
            out.print(table)
            return
        if len(words) != 2 or not words[1].isdigit():
            err.print("[bold red]error[/] usage: tutela import report ID (see `tutela import list`)")
            raise typer.Exit(2)
        report = guarded(lambda: importing.import_report(store, import_id=int(words[1])))
    if as_json:
        out.print_json(json.dumps(report, default=str))
    else:
        _render(report)


def _render_brief(report: dict[str, Any]) -> None:
    if report.get("already_imported"):
        out.print(f"{report['file']}: unchanged (imported before)")
        return
    out.print(
        f"{report['file']}: {report['rows_read']:,} rows, {report['customers_new']:,} new customers,"
        f" {report['orders_new']:,} new orders, {report['returns_new']:,} returns,"
        f" {len(report['columns_dropped'])} columns dropped, {report['invalid_values_total']:,} invalid values"
    )


def _render(report: dict[str, Any]) -> None:
    if report.get("already_imported"):
        out.print(f"[yellow]unchanged[/]: {report['file']} was imported before (import {report['import_id']});"
                  " nothing new")  # fmt: skip
        return
    mode = "[magenta]dry run[/] of " if report.get("dry_run") else ""
    out.print(f"{mode}[bold]{report['file']}[/] — {report['format']} ({report['source']})")
    counts = Table("", "count", show_header=False, box=None)
    for key in ("rows_read", "customers_new", "customers_matched", "customers_updated", "orders_new",
                "orders_updated", "order_lines_new", "returns_new", "consent_evidence_new", "consent_events_new",
                "invalid_values_total", "rows_rejected_total"):  # fmt: skip
        counts.add_row(key.replace("_", " "), f"{report.get(key, 0):,}")
    out.print(counts)
    stored = Table("purpose", "category", "fields stored", title="Stored", title_justify="left")
    for purpose, categories in sorted(report.get("fields_stored", {}).items()):
        for category, count in sorted(categories.items()):
            stored.add_row(purpose, category, f"{count:,}")
    if stored.row_count:
        out.print(stored)
    dropped = Table("column", "reason", "rows", title="Dropped at the door (never stored)", title_justify="left")
    for column, entry in sorted(report.get("columns_dropped", {}).items()):
        dropped.add_row(column, entry["reason"], f"{entry['count']:,}")
    if dropped.row_count:
        out.print(dropped)
    invalid = report.get("invalid_values", [])
    if invalid:
        shown = ", ".join(f"row {i['row']} {i['column']} ({i['problem']})" for i in invalid[:10])
        more = report.get("invalid_values_total", 0) - min(10, len(invalid))
        out.print(f"[yellow]invalid values[/]: {shown}" + (f" … and {more} more (--json lists them)" if more else ""))
    rejected = report.get("rows_rejected", [])
    if rejected:
        shown = ", ".join(f"row {r['row']} ({r['reason']})" for r in rejected[:10])
        out.print(f"[red]rows rejected[/]: {shown}")
    out.print(f"[dim]{report.get('duration_s', 0):.1f} s[/]")
