"""`tutela scan`, `tutela scans list|show|locations`, `tutela redact`, `tutela unredact`:
find personal data where it should not be, keep the history, and make redacted copies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tutela.adapters.cli.exit_codes import FINDINGS, OK
from tutela.adapters.cli.runtime import err, fail, guarded, opened, out
from tutela.adapters.documents.scan_report import (
    TYPE_LABELS,
    report_html,
    report_json,
    report_of_run,
    report_sarif,
    summary,
)
from tutela.core.actor import LOCAL_OPERATOR, Actor
from tutela.core.detect import Finding, PiiType, ScanReport, Severity
from tutela.core.errors import InvalidValue, ScanInputInvalid
from tutela.core.whole_file import whole_file
from tutela.services import redaction, scanning

app = typer.Typer(help="Scan history and the configured scan locations.", no_args_is_help=True)

TABLE_ROWS = 200


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"


class FailOn(StrEnum):
    NEVER = "never"
    ANY = "any"
    HIGH = "high"


RENDERERS: dict[Format, Callable[[ScanReport], str]] = {
    Format.JSON: report_json,
    Format.SARIF: report_sarif,
    Format.HTML: report_html,
}


RunFormat = Annotated[Format, typer.Option("--format", help="How to report.")]
ReportFile = Annotated[
    Path | None, typer.Option(help="Write the json/sarif/html report to this file.", show_default=False)
]
RedactModeOption = Annotated[
    redaction.RedactMode,
    typer.Option(help="mask: masked previews; hash: keyed hashes (the same value, the same hash); vault: tokens"
                 " staff can resolve with `tutela unredact`."),
]  # fmt: skip


def register(root: typer.Typer) -> None:
    root.command("scan")(scan)
    root.command("redact")(redact)
    root.command("unredact")(unredact)
    root.add_typer(app, name="scans")


def _where(f: Finding) -> str:
    if f.column:
        return f"column {f.column}"
    if f.key_path:
        return f.key_path
    return f"line {f.line}" if f.line is not None else "—"


def _print_table(report: ScanReport) -> None:
    facts = summary(report)
    if report.findings:
        table = Table("location", "type", "where", "preview", "values", "confidence", "detector")
        for f in report.findings[:TABLE_ROWS]:
            style = "bold red" if f.severity is Severity.HIGH else "yellow"
            values = f"{f.count}/{f.sampled}" if f.sampled else str(f.count)
            table.add_row(escape(f.location), f"[{style}]{TYPE_LABELS[f.type]}[/]", escape(_where(f)),
                          escape(f.preview), values, f"{f.confidence:.2f}", f.detector)  # fmt: skip
        out.print(table)
        if len(report.findings) > TABLE_ROWS:
            out.print(f"… and {len(report.findings) - TABLE_ROWS} more; --format json lists them all")
    for s in report.skipped:
        out.print(f"[dim]not scanned[/] {escape(s.location)}: {escape(s.reason)}")
    by_type = ", ".join(f"{TYPE_LABELS[PiiType(k)]} {v}" for k, v in facts["by_type"].items()) or "none"
    replaced = f", {facts['replaced_characters']} undecodable characters" if facts["replaced_characters"] else ""
    out.print(
        f"{facts['locations_scanned']} locations, {facts['bytes_scanned']:,} bytes scanned{replaced}; "
        f"findings: {facts['findings']} ({facts['high']} high, {facts['low']} low) — {by_type}; "
        f"{facts['skipped']} not scanned"
    )


def emit(report: ScanReport, fmt: Format, output: Path | None) -> None:
    if fmt is Format.TABLE:
        if output is not None:
            raise InvalidValue("--output needs --format json, sarif or html", hint="or leave --output out")
        _print_table(report)
        return
    text = RENDERERS[fmt](report)
    if output is None:
        typer.echo(text, nl=False)
        return
    _write_whole(output, text)
    err.print(f"report written to {escape(str(output))}")


def _write_whole(path: Path, text: str | Iterable[str]) -> None:
    """All or nothing: a report or a redacted copy appears complete or not at all."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise ScanInputInvalid(f"folder {folder} does not exist", hint="create it or choose another --out/--output")
    with whole_file(path, prefix=".tutela-") as handle:
        handle.writelines([text] if isinstance(text, str) else text)


def exit_code(report: ScanReport, fail_on: FailOn) -> int:
    if fail_on is FailOn.ANY and report.findings:
        return FINDINGS
    if fail_on is FailOn.HIGH and any(f.severity is Severity.HIGH for f in report.findings):
        return FINDINGS
    return OK


def scan(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files and folders to scan (folders recursively).", show_default=False)
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(help="Only files matching this glob (repeatable), e.g. '*.csv'.", show_default=False),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Skip files and folders matching this glob (repeatable).", show_default=False),
    ] = None,
    fmt: RunFormat = Format.TABLE,
    output: ReportFile = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 10 on any finding, or on high-severity ones only.")] = (
        FailOn.NEVER
    ),
    workers: Annotated[int, typer.Option(min=1, max=256, help="Local processes to scan with.")] = 1,
    dask: Annotated[
        str | None, typer.Option(help="Fan out over this Dask scheduler, e.g. tcp://host:8786.", show_default=False)
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Scan a database instead: a SQLAlchemy URL.", show_default=False)
    ] = None,
    tables: Annotated[
        list[str] | None, typer.Option(help="With --db: only these tables (repeatable).", show_default=False)
    ] = None,
    sample: Annotated[int, typer.Option(min=1, help="Rows sampled per column (tables, CSV, XLSX).")] = 1000,
    max_file_mb: Annotated[
        int | None, typer.Option(min=1, help="Skip files larger than this (reported).", show_default=False)
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(
            help="Scan a location of the policy's [scan.locations] (or"
            " 'tutela', the store itself) and keep it in the history.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Find personal data in files, folders, archives, spreadsheets or a database. Reports show
    masked previews only; --fail-on makes it a CI gate (exit 10)."""
    chosen = sum(x is not None for x in (paths or None, db, location))
    if chosen != 1:
        fail(ScanInputInvalid("say what to scan: PATH..., --db URL or --location NAME (one of them)",
                              hint="e.g. `tutela scan exports/ --include '*.csv'`"))  # fmt: skip
    if location is not None:
        report = _scan_location(ctx, location, workers)
    elif db is not None:
        from tutela.adapters.sources import scan_database

        report = guarded(lambda: scan_database(db, tables=tables or None, sample=sample))
    else:
        from tutela.adapters.sources import ScanOptions, scan_paths

        options = ScanOptions(
            include=tuple(include or ()), exclude=tuple(exclude or ()), workers=workers, dask_address=dask,
            sample_rows=sample, max_file_bytes=max_file_mb * (1 << 20) if max_file_mb else None,
        )  # fmt: skip
        report = guarded(lambda: scan_paths(list(paths or ()), options))
    guarded(lambda: emit(report, fmt, output))
    raise typer.Exit(exit_code(report, fail_on))


def _scan_location(ctx: typer.Context, name: str, workers: int) -> ScanReport:
    from tutela.adapters.sources.location_runner import runner_for

    with opened(ctx) as store:
        run_id = guarded(lambda: scanning.run(store, actor=LOCAL_OPERATOR, name=name,
                                              runner=runner_for(store, workers=workers)))  # fmt: skip
        detail = guarded(lambda: scanning.detail(store, run_id=run_id, limit=scanning.STORED_FINDINGS))
    err.print(f"scan run {run_id} recorded (see `tutela scans show {run_id}`)")
    return report_of_run(detail)


@app.command("list")
def list_runs(
    ctx: typer.Context,
    location: Annotated[str | None, typer.Option(help="Only this location's runs.", show_default=False)] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many runs, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Past scans, newest first: location, status, findings. No personal data."""
    with opened(ctx) as store:
        runs = guarded(lambda: scanning.history(store, name=location, limit=limit))
    if as_json:
        out.print_json(json.dumps([r.as_dict() for r in runs]))
        return
    if not runs:
        out.print("no scans yet — `tutela scan --location NAME`, or the console's Scans page")
        return
    table = Table("run", "location", "status", "started", "by", "bytes", "high", "low", "not scanned")
    for r in runs:
        table.add_row(str(r.id), escape(r.location), r.status, f"{r.started_at:%Y-%m-%d %H:%M}", escape(r.started_by),
                      f"{r.bytes_done:,}", str(r.findings_high), str(r.findings_low), str(r.skipped))  # fmt: skip
    out.print(table)


@app.command("show")
def show_run(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="The run's number (see `tutela scans list`).")],
    fmt: RunFormat = Format.TABLE,
    output: ReportFile = None,
) -> None:
    """One run's findings (as stored: masked previews), in any report format."""
    with opened(ctx) as store:
        detail = guarded(lambda: scanning.detail(store, run_id=run_id, limit=scanning.STORED_FINDINGS))
    run = detail.run
    if fmt is Format.TABLE:
        out.print(f"run {run.id}: {escape(run.location)} ({escape(run.target)}), {run.status}, started "
                  f"{run.started_at:%Y-%m-%d %H:%M} by {escape(run.started_by)}")  # fmt: skip
        if run.error:
            out.print(f"[bold red]failed[/]: {escape(run.error)}")
    guarded(lambda: emit(report_of_run(detail), fmt, output))


@app.command("locations")
def list_locations(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The locations scanned on a schedule (policy [scan.locations]) and whether each is due."""
    with opened(ctx) as store:
        known = scanning.locations(store)
        due = set(guarded(lambda: scanning.due(store)))
    rows = [
        {"name": n, "target": loc.target,
         "every_days": loc.every_days, "due": n in due}
        for n, loc in known.items()
    ]  # fmt: skip
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("location", "target", "every (days)", "due")
    for row in rows:
        table.add_row(escape(str(row["name"])), escape(str(row["target"])), str(row["every_days"]),
                      "yes" if row["due"] else "")  # fmt: skip
    out.print(table)


def redact(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The text, CSV, log or JSON file to redact.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the redacted copy (UTF-8).")],
    mode: RedactModeOption = redaction.RedactMode.MASK,
) -> None:
    """Write a copy of FILE with every personal-data value replaced. The original is untouched."""
    from tutela.adapters.sources.redact_file import redacted_text

    if out_file.resolve() == file.resolve():
        fail(InvalidValue("--out must be another file than the one redacted", hint="e.g. --out redacted.csv"))

    def run(store: Any) -> dict[str, int]:
        worker = redaction.Redaction(mode=mode, ctx=store)
        _write_whole(out_file, redacted_text(file, worker))
        worker.commit(actor=LOCAL_OPERATOR, source=file.name)
        return worker.counts

    if mode is redaction.RedactMode.MASK:
        counts = guarded(lambda: run(None))
    else:
        with opened(ctx) as store:
            counts = guarded(lambda: run(store))
    total = sum(counts.values())
    listed = ", ".join(f"{TYPE_LABELS[PiiType(k)]} {v}" for k, v in sorted(counts.items())) or "nothing found"
    err.print(f"{total} values replaced ({listed}); redacted copy in {escape(str(out_file))}")


def unredact(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="A tvt_… token from a file redacted with --mode vault.")],
    purpose: Annotated[str, typer.Option(help="Why you need the value (a purpose of the policy).")],
    as_role: Annotated[str | None, typer.Option("--as", help="Act as this role (default: owner).")] = None,
) -> None:
    """The value behind a vault token, if your role may see that kind of data under PURPOSE. Audited."""
    actor = Actor(id=LOCAL_OPERATOR.id, role=as_role or LOCAL_OPERATOR.role)
    with opened(ctx) as store:
        found = guarded(lambda: redaction.resolve(store, actor=actor, purpose=purpose, token=token))
    note = " (masked: your role sees this kind masked)" if found.masked else ""
    out.print(f"{TYPE_LABELS[found.type]}: {escape(found.value)}{note}")
