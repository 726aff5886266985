"""Periodic jobs inside `tutela serve`. A job runs when it is due and its lease in the
database can be taken: several servers on one PostgreSQL (or processes on one SQLite file)
never run the same job at once, and a server that dies mid-job frees it when the lease ends."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, update

from tutela.core.actor import SYSTEM
from tutela.core.errors import TutelaError
from tutela.core.settings import Settings
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import job_lease
from tutela.services import (
    amazon_revocation,
    audit,
    consent,
    mailer,
    request_fulfilment,
    retention_apply,
    subject_requests,
)
from tutela.services.context import Context


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Context], None]
    lease: timedelta = timedelta(minutes=15)  # longer than the job takes


def take_lease(ctx: Context, job: Job, holder: str) -> bool:
    """True when `holder` may run `job` now (it is due and nobody else holds it)."""
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        query = select(job_lease).where(job_lease.c.name == job.name)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None:
            connection.execute(insert(job_lease).values(name=job.name, holder=holder, leased_until=now + job.lease))
            return True
        if row.leased_until is not None and row.leased_until > now and row.holder != holder:
            return False  # someone else is running it
        if row.last_run_at is not None and row.last_run_at + job.every > now:
            return False  # not due
        connection.execute(
            update(job_lease).where(job_lease.c.name == job.name).values(holder=holder, leased_until=now + job.lease)
        )
        return True


def _finish(ctx: Context, job: Job, outcome: str) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        connection.execute(update(job_lease).where(job_lease.c.name == job.name).values(
            leased_until=now, last_run_at=now, last_outcome=outcome))  # fmt: skip


def run_due(ctx: Context, jobs: list[Job], *, holder: str) -> list[str]:
    """Run every job that is due and free; returns the names run."""
    ran = []
    for job in jobs:
        if not take_lease(ctx, job, holder):
            continue
        try:
            job.run(ctx)
        except Exception:
            _finish(ctx, job, "failed")
            audit.record_alone(ctx, SYSTEM, audit.Event(action="job.run", outcome="failed",
                                                         details={"job": job.name, "holder": holder}))  # fmt: skip
            continue
        _finish(ctx, job, "ok")
        ran.append(job.name)
    return ran


def _daily_checkpoint(ctx: Context) -> None:
    audit.checkpoint(ctx, SYSTEM)


def _retention(ctx: Context) -> None:
    """Delete what is due (receipts in the audit log); certify an Amazon revocation once done."""
    retention_apply.apply(ctx, actor=SYSTEM)
    amazon_revocation.complete_if_done(ctx, actor=SYSTEM)


def _request_reminders(ctx: Context) -> None:
    """One audit event a day naming overdue and soon-due requests (the console shows them too)."""
    found = subject_requests.due_soon(ctx)
    if found["overdue"] or found["due_soon"]:
        audit.record_alone(ctx, SYSTEM, audit.Event(action="request.reminder", details=found))


def _outbox(ctx: Context) -> None:
    """Files that hold personal data outside the vault: letters in the outbox, spent access packages."""
    mailer.prune_outbox(ctx.settings.outbox, now=ctx.clock.now())
    request_fulfilment.prune_packages(ctx)


def _consent_lapse(ctx: Context) -> None:
    consent.expire_lapsed(ctx, actor=SYSTEM)


def default_jobs(settings: Settings) -> list[Job]:
    return [
        Job(name="audit.checkpoint", every=timedelta(days=1), run=_daily_checkpoint),
        Job(name="consent.lapse", every=timedelta(days=1), run=_consent_lapse),
        Job(name="requests.reminders", every=timedelta(days=1), run=_request_reminders),
        Job(name="mail.outbox_prune", every=timedelta(days=1), run=_outbox),
        Job(
            name="retention.apply",
            every=timedelta(minutes=settings.retention_interval_minutes),
            run=_retention,
            lease=timedelta(hours=2),
        ),
    ]


class Ticker:
    """Calls run_due every `every` on a background thread until stopped (inside `serve`)."""

    def __init__(self, ctx: Context, jobs: list[Job], *, holder: str, every: timedelta = timedelta(minutes=1)) -> None:
        self._ctx = ctx
        self._jobs = jobs
        self._holder = holder
        self._every = every.total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tutela-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TutelaError):  # a database hiccup: try again at the next tick
                run_due(self._ctx, self._jobs, holder=self._holder)
            self._stop.wait(self._every)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
