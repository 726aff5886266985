"""Scans of the shop's configured locations (policy [scan.locations]) and of tutela's own
store: a run is started, reports its progress, and ends with its findings stored (masked
previews only) — the history the console shows and the compliance evidence draws on.

What reads the files or the database is an adapter (tutela.adapters.sources); it reaches
this service as a `ScanRunner`, so the scheduler and the console start the same scans."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from tutela.core.actor import SYSTEM, Actor
from tutela.core.detect import Finding, ScanReport, Severity
from tutela.core.errors import ScanNotFound, ScanRefused, TutelaError
from tutela.core.policy.scan_locations import OWN_STORE, ScanLocation
from tutela.core.storage.bulk import from_db_time
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import scan_finding, scan_run, scan_skip
from tutela.core.suggest import did_you_mean
from tutela.services import audit
from tutela.services.context import Context
from tutela.services.scheduler import Job

_log = logging.getLogger("tutela.scan")

# A run keeps at most this many findings (the most severe and surest first); its counts stay
# exact. A log that prints an address on every line needs fixing, not a million rows.
STORED_FINDINGS = 10_000
# A run still "running" after this long died with its process; a new one may start.
STALE_RUN = timedelta(hours=6)


@dataclass(frozen=True)
class Progress:
    locations_done: int
    locations_total: int | None
    bytes_done: int


ProgressSink = Callable[[Progress], None]
# Reads a location (own store: ScanLocation(name=OWN_STORE)) and returns what it found.
ScanRunner = Callable[[ScanLocation, ProgressSink], ScanReport]


@dataclass(frozen=True)
class RunSummary:
    id: int
    location: str
    target: str
    status: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    locations_done: int
    locations_total: int | None
    bytes_done: int
    findings_high: int
    findings_low: int
    skipped: int
    replaced_characters: int
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        """For JSON: every field, times in ISO 8601."""
        facts = dataclasses.asdict(self)
        facts["started_at"] = self.started_at.isoformat()
        facts["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return facts


@dataclass(frozen=True)
class RunDetail:
    run: RunSummary
    findings: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    stored_findings: int


def locations(ctx: Context) -> dict[str, ScanLocation]:
    """Every location this shop scans: the configured ones and tutela's own store."""
    found = dict(ctx.policy.scan.locations)
    found[OWN_STORE] = ScanLocation(name=OWN_STORE, every_days=1)
    return found


def location(ctx: Context, name: str) -> ScanLocation:
    known = locations(ctx)
    if name not in known:
        raise ScanRefused(f"no scan location '{name}'", hint=did_you_mean(name, known, "location")
                          + " — locations are declared in the policy under [scan.locations.<name>]")  # fmt: skip
    return known[name]


def start(ctx: Context, *, actor: Actor, name: str) -> int:
    where = location(ctx, name)
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        running = connection.execute(
            select(scan_run.c.id).where(
                scan_run.c.location == name, scan_run.c.status == "running", scan_run.c.started_at > now - STALE_RUN
            )
        ).first()
        if running is not None:
            raise ScanRefused(f"a scan of '{name}' is already running (run {running.id})",
                              hint="wait for it to finish; the console shows its progress")  # fmt: skip
        result = connection.execute(insert(scan_run).values(
            location=name, target=where.target,
            status="running", started_by=actor.id, started_at=now,
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        run_id = int(result.inserted_primary_key[0])
        audit.record(
            connection, ctx, actor, [audit.Event(action="scan.start", details={"run": run_id, "location": name})]
        )
    return run_id


def record_progress(ctx: Context, run_id: int, progress: Progress) -> None:
    with transaction(ctx.engine) as connection:
        connection.execute(update(scan_run).where(scan_run.c.id == run_id, scan_run.c.status == "running").values(
            locations_done=progress.locations_done, locations_total=progress.locations_total,
            bytes_done=progress.bytes_done,
        ))  # fmt: skip


def _kept(findings: list[Finding]) -> list[Finding]:
    if len(findings) <= STORED_FINDINGS:
        return findings
    ranked = sorted(findings, key=lambda f: (f.severity is not Severity.HIGH, -f.confidence))
    return ranked[:STORED_FINDINGS]


def finish(ctx: Context, *, actor: Actor, run_id: int, report: ScanReport) -> None:
    high = sum(1 for f in report.findings if f.severity is Severity.HIGH)
    by_type = Counter(str(f.type) for f in report.findings)
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        _running(connection, run_id)
        rows = [
            {
                "run_id": run_id, "location": f.location, "type": str(f.type), "severity": str(f.severity),
                "detector": f.detector, "confidence": f.confidence, "preview": f.preview, "line": f.line,
                "start_offset": f.start, "end_offset": f.end, "column_name": f.column, "key_path": f.key_path,
                "value_count": f.count, "sampled": f.sampled,
            }
            for f in _kept(report.findings)
        ]  # fmt: skip
        if rows:
            connection.execute(insert(scan_finding), rows)
        if report.skipped:
            connection.execute(insert(scan_skip), [
                {"run_id": run_id, "location": s.location, "reason": s.reason} for s in report.skipped
            ])  # fmt: skip
        connection.execute(update(scan_run).where(scan_run.c.id == run_id).values(
            status="done", finished_at=now, locations_done=report.locations_scanned, bytes_done=report.bytes_scanned,
            findings_high=high, findings_low=len(report.findings) - high, skipped=len(report.skipped),
            replaced_characters=report.replaced_characters,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(action="scan.finish", details={
            "run": run_id, "findings": dict(sorted(by_type.items())), "skipped": len(report.skipped),
            "bytes": report.bytes_scanned,
        })])  # fmt: skip


def fail(ctx: Context, *, actor: Actor, run_id: int, reason: str) -> None:
    with transaction(ctx.engine) as connection:
        _running(connection, run_id)
        connection.execute(update(scan_run).where(scan_run.c.id == run_id).values(
            status="failed", finished_at=ctx.clock.now(), error=reason,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(action="scan.finish", outcome="failed",
                                                          details={"run": run_id, "reason": reason})])  # fmt: skip


def _running(connection: Any, run_id: int) -> None:
    status = connection.execute(select(scan_run.c.status).where(scan_run.c.id == run_id)).scalar()
    if status is None:
        raise ScanNotFound(f"no scan run {run_id}", hint="see `tutela scan history`")
    if status != "running":
        raise ScanRefused(f"scan run {run_id} has already ended ({status})", hint="start a new scan")


def run(ctx: Context, *, actor: Actor, name: str, runner: ScanRunner) -> int:
    """Start, scan and record one location; a failure is recorded with its one-line reason."""
    run_id = start(ctx, actor=actor, name=name)
    execute(ctx, actor=actor, run_id=run_id, name=name, runner=runner)
    return run_id


def execute(ctx: Context, *, actor: Actor, run_id: int, name: str, runner: ScanRunner) -> None:
    """The scan of a started run (the console calls this on a worker thread). A failure is
    recorded with its one-line reason, then raised to the caller."""
    try:
        report = runner(location(ctx, name), lambda progress: record_progress(ctx, run_id, progress))
    except TutelaError as exc:
        fail(ctx, actor=actor, run_id=run_id, reason=str(exc))
        raise
    except Exception as exc:
        fail(ctx, actor=actor, run_id=run_id, reason=f"internal error ({type(exc).__name__})")
        raise
    finish(ctx, actor=actor, run_id=run_id, report=report)


def _summary(row: Any) -> RunSummary:
    return RunSummary(
        id=int(row.id), location=row.location, target=row.target, status=row.status, started_by=row.started_by,
        started_at=row.started_at, finished_at=row.finished_at, locations_done=int(row.locations_done),
        locations_total=row.locations_total, bytes_done=int(row.bytes_done), findings_high=int(row.findings_high),
        findings_low=int(row.findings_low), skipped=int(row.skipped), replaced_characters=int(row.replaced_characters),
        error=row.error,
    )  # fmt: skip


def history(ctx: Context, *, name: str | None = None, limit: int = 50) -> list[RunSummary]:
    query = select(scan_run).order_by(scan_run.c.id.desc()).limit(limit)
    if name is not None:
        query = query.where(scan_run.c.location == name)
    with read_only(ctx.engine) as connection:
        return [_summary(row) for row in connection.execute(query)]


def detail(ctx: Context, *, run_id: int, limit: int = 1000) -> RunDetail:
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(scan_run).where(scan_run.c.id == run_id)).first()
        if row is None:
            raise ScanNotFound(f"no scan run {run_id}", hint="see `tutela scan history`")
        stored = connection.execute(select(func.count()).where(scan_finding.c.run_id == run_id)).scalar_one()
        findings = connection.execute(
            select(scan_finding).where(scan_finding.c.run_id == run_id)
            .order_by(scan_finding.c.location, scan_finding.c.type, scan_finding.c.id).limit(limit)
        ).mappings().all()  # fmt: skip
        skipped = connection.execute(
            select(scan_skip.c.location, scan_skip.c.reason).where(scan_skip.c.run_id == run_id)
            .order_by(scan_skip.c.id)
        ).all()  # fmt: skip
    return RunDetail(
        run=_summary(row),
        findings=[{k: v for k, v in f.items() if k not in {"id", "run_id"}} for f in findings],
        skipped=[{"location": s.location, "reason": s.reason} for s in skipped],
        stored_findings=int(stored),
    )


def due(ctx: Context) -> list[str]:
    """The locations whose last scan started longer ago than their `every_days`."""
    now = ctx.clock.now()
    with read_only(ctx.engine) as connection:
        last = dict(connection.execute(
            select(scan_run.c.location, func.max(scan_run.c.started_at)).group_by(scan_run.c.location)
        ).all())  # fmt: skip
    due_names = []
    for name, where in locations(ctx).items():
        started = from_db_time(last.get(name))
        if started is None or started + timedelta(days=where.every_days) <= now:
            due_names.append(name)
    return due_names


def scan_job(runner_for: Callable[[Context], ScanRunner]) -> Job:
    """The scheduler's job: scan every location that is due, one after another."""

    def scan_due(ctx: Context) -> None:
        runner = runner_for(ctx)
        for name in due(ctx):
            try:
                run(ctx, actor=SYSTEM, name=name, runner=runner)
            except ScanRefused:
                continue  # already running elsewhere
            except Exception as exc:
                # Recorded as failed by execute(); the other due locations are still scanned in
                # this tick. The type only: a message may quote what was being read.
                _log.warning("scheduled scan of %s failed: %s", name, type(exc).__name__)

    return Job(name="scan.locations", every=timedelta(hours=1), run=scan_due, lease=timedelta(hours=6))
