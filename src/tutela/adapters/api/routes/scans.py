"""/api/v1/scans: personal data found where it should not be. Start a scan of a location the
policy declares ([scan.locations], or `tutela`, the store itself); follow its progress; read
its findings (masked previews only) and download its report as JSON, SARIF or HTML.

A scan runs on a worker thread: POST answers 202 with the run's number at once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tutela.adapters import scan_worker
from tutela.adapters.api.deps import Store, principal
from tutela.adapters.documents.scan_report import (
    HTML_REPORT_CSP,
    MEDIA_TYPES,
    finding_dict,
    report_of_run,
    run_document,
)
from tutela.core.errors import ScanRefused
from tutela.core.policy.scan_locations import OWN_STORE
from tutela.services import scanning
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/scans", tags=["scans"])
Reader = Annotated[TokenPrincipal, Depends(principal("scans:read"))]
Writer = Annotated[TokenPrincipal, Depends(principal("scans:write"))]


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(
        pattern=r"^[a-z][a-z0-9_-]*$", max_length=64,
        description=f"a name under [scan.locations], or '{OWN_STORE}' (the store itself)",
    )  # fmt: skip


class StartedOut(BaseModel):
    id: int
    location: str
    status: str


class RunOut(BaseModel):
    id: int
    location: str
    target: str
    status: str = Field(description="running, done or failed")
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    locations_done: int = Field(description="files, members or tables scanned so far")
    locations_total: int | None = Field(description="how many there are, once known")
    bytes_done: int
    findings_high: int
    findings_low: int
    skipped: int
    replaced_characters: int
    error: str | None = Field(description="a failed run's one-line reason")


class LocationOut(BaseModel):
    name: str
    target: str = Field(description="the path, or the environment variable that holds the database URL")
    every_days: int
    due: bool
    last_run: RunOut | None


class DetailOut(RunOut):
    findings: list[dict[str, Any]] = Field(description="as in the JSON report (schema tutela.scan/1)")
    stored_findings: int = Field(description="findings the run kept (the most severe first; at most 10000)")
    not_scanned: list[dict[str, str]]


@router.get("", response_model=list[RunOut])
def history(
    ctx: Store,
    _who: Reader,
    location: Annotated[str | None, Query(max_length=64, description="only this location's runs")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Past and running scans, newest first. No personal data."""
    return [r.as_dict() for r in scanning.history(ctx, name=location, limit=limit)]


@router.get("/locations", response_model=list[LocationOut])
def locations(ctx: Store, _who: Reader) -> list[dict[str, Any]]:
    """The locations scanned on a schedule and whether each is due, with its latest run."""
    due = set(scanning.due(ctx))
    latest: dict[str, scanning.RunSummary] = {}
    for run in scanning.history(ctx, limit=500):
        latest.setdefault(run.location, run)
    return [
        {"name": name, "target": where.target, "every_days": where.every_days,
         "due": name in due, "last_run": latest[name].as_dict() if name in latest else None}
        for name, where in scanning.locations(ctx).items()
    ]  # fmt: skip


@router.post("", status_code=202, response_model=StartedOut)
def start(ctx: Store, who: Writer, body: StartIn, request: Request, response: Response) -> dict[str, Any]:
    """Start a scan of a location; 409 if it is not declared or already being scanned. Follow
    it at GET /api/v1/scans/{id} (the Location header)."""
    run_id = scan_worker.start(request.app.state, ctx, actor=who.actor, name=body.location)
    response.headers["Location"] = f"/api/v1/scans/{run_id}"
    return {"id": run_id, "location": body.location, "status": "running"}


@router.get("/{run_id}", response_model=DetailOut)
def detail(
    ctx: Store,
    _who: Reader,
    run_id: int,
    limit: Annotated[int, Query(ge=1, le=scanning.STORED_FINDINGS, description="at most this many findings")] = 1000,
) -> dict[str, Any]:
    """One run: its progress while it runs; then its findings (masked previews only) and what
    could not be scanned, with the reason."""
    found = scanning.detail(ctx, run_id=run_id, limit=limit)
    report = report_of_run(found)
    return {**found.run.as_dict(), "findings": [finding_dict(f) for f in report.findings],
            "stored_findings": found.stored_findings,
            "not_scanned": [{"path": s.location, "reason": s.reason} for s in report.skipped]}  # fmt: skip


@router.get(
    "/{run_id}/report",
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}, 409: {"description": "not done"}},
)
def report(
    ctx: Store,
    _who: Reader,
    run_id: int,
    format: Annotated[Literal["json", "sarif", "html"], Query(description="the report's form")] = "json",
) -> Response:
    """The run's report as a download: JSON (schema tutela.scan/1), SARIF 2.1.0 or a
    self-contained HTML page. 409 while the run is still going, or if it failed."""
    found = scanning.detail(ctx, run_id=run_id, limit=scanning.STORED_FINDINGS)
    if found.run.status != "done":
        hint = "wait for it to finish" if found.run.status == "running" else "start a new scan"
        raise ScanRefused(f"scan run {run_id} has no report: it is {found.run.status}", hint=hint)
    text = run_document(found, format, generated_at=f"{ctx.clock.now():%Y-%m-%d %H:%M} UTC")
    headers = {"Content-Disposition": f'attachment; filename="tutela-scan-{run_id}.{format}"'}
    if format == "html":
        headers["Content-Security-Policy"] = HTML_REPORT_CSP
    return Response(text, media_type=MEDIA_TYPES[format], headers=headers)
