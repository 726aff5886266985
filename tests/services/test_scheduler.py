"""Two schedulers on one database never run the same job at once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.clock import FixedClock
from tutela.core.errors import ConfigInvalid
from tutela.core.settings import load_settings
from tutela.services import importing, mailer, scheduler, subject_requests
from tutela.services.context import Context
from tutela.services.store import open_store


def test_two_schedulers_run_a_job_once(store: Context, clock: FixedClock) -> None:
    other = open_store(store.settings, clock)
    started = threading.Event()
    release = threading.Event()
    runs: list[str] = []

    def slow(ctx: Context) -> None:
        runs.append("run")
        started.set()
        assert release.wait(timeout=30)

    job = scheduler.Job(name="slow", every=timedelta(hours=1), run=slow)
    first = threading.Thread(target=lambda: scheduler.run_due(store, [job], holder="server-a"))
    first.start()
    try:
        assert started.wait(timeout=30)
        assert scheduler.run_due(other, [job], holder="server-b") == []  # leased by server-a
    finally:
        release.set()
        first.join()
    assert runs == ["run"]
    assert scheduler.run_due(other, [job], holder="server-b") == []  # done, not due for an hour
    clock.advance(timedelta(hours=1))
    assert scheduler.run_due(other, [job], holder="server-b") == ["slow"]
    other.close()


def test_a_dead_holders_lease_expires(store: Context, clock: FixedClock) -> None:
    job = scheduler.Job(name="j", every=timedelta(minutes=5), run=lambda ctx: None, lease=timedelta(minutes=10))
    assert scheduler.take_lease(store, job, "crashed-server")  # took it, never finished
    assert not scheduler.take_lease(store, job, "server-b")
    clock.advance(timedelta(minutes=11))
    assert scheduler.run_due(store, [job], holder="server-b") == ["j"]


def test_a_failing_job_is_audited_and_retried_when_due(store: Context, clock: FixedClock) -> None:
    def broken(ctx: Context) -> None:
        raise RuntimeError("boom")

    job = scheduler.Job(name="broken", every=timedelta(minutes=5), run=broken)
    assert scheduler.run_due(store, [job], holder="a") == []
    (row,) = rows(store, "SELECT last_outcome FROM job_lease")
    assert row.last_outcome == "failed"
    assert rows(store, "SELECT outcome FROM audit_event WHERE action = 'job.run'")[0].outcome == "failed"


def test_the_daily_checkpoint_job(store: Context) -> None:
    assert scheduler.run_due(store, scheduler.default_jobs(store.settings), holder="a") == [
        "audit.checkpoint",
        "consent.lapse",
        "requests.reminders",
        "mail.outbox_prune",
        "retention.apply",
    ]
    assert rows(store, "SELECT count(*) FROM audit_checkpoint")[0][0] == 1


def test_the_ticker_runs_due_jobs_and_stops(store: Context) -> None:
    ran = threading.Event()
    job = scheduler.Job(name="tick", every=timedelta(hours=1), run=lambda ctx: ran.set())
    ticker = scheduler.Ticker(store, [job], holder="t", every=timedelta(seconds=30))
    ticker.start()
    assert ran.wait(timeout=30)
    ticker.stop()


def test_the_retention_job_deletes_what_is_due(store: Context, clock: FixedClock, tmp_path: Path) -> None:
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1001")])
    importing.import_file(store, actor=OWNER, path=path)
    jobs = [j for j in scheduler.default_jobs(store.settings) if j.name == "retention.apply"]
    assert scheduler.run_due(store, jobs, holder="a") == ["retention.apply"]
    assert rows(store, "SELECT count(*) FROM record")[0][0] == 1  # not due yet
    clock.advance(timedelta(days=40))
    assert scheduler.run_due(store, jobs, holder="a") == ["retention.apply"]
    assert rows(store, "SELECT count(*) FROM record")[0][0] == 0
    (receipt,) = rows(store, "SELECT actor FROM audit_event WHERE action = 'retention.delete'")
    assert receipt.actor == "system"


def test_the_retention_interval_is_a_setting() -> None:
    assert load_settings(environ={"TUTELA_RETENTION_INTERVAL_MINUTES": "15"}).retention_interval_minutes == 15
    with pytest.raises(ConfigInvalid, match="TUTELA_RETENTION_INTERVAL_MINUTES"):
        load_settings(environ={"TUTELA_RETENTION_INTERVAL_MINUTES": "0"})


def test_reminders_name_overdue_and_soon_due_requests(store: Context, clock: FixedClock) -> None:
    soon = subject_requests.open_request(store, actor=OWNER, kind="access", email="a@example.org")
    clock.advance(timedelta(days=29))
    late = subject_requests.open_request(store, actor=OWNER, kind="erasure", email="b@example.org")
    clock.advance(timedelta(days=3))
    assert subject_requests.due_soon(store) == {"overdue": [soon.request_id], "due_soon": []}
    clock.advance(timedelta(days=26))
    jobs = [j for j in scheduler.default_jobs(store.settings) if j.name == "requests.reminders"]
    assert scheduler.run_due(store, jobs, holder="a") == ["requests.reminders"]
    (details,) = rows(store, "SELECT details FROM audit_event WHERE action = 'request.reminder'")
    assert json.loads(details[0]) == {"overdue": [soon.request_id], "due_soon": [late.request_id]}


def test_outbox_letters_are_pruned_after_30_days(store: Context, clock: FixedClock) -> None:
    outbox = mailer.OutboxMailer(store.settings.outbox, clock=clock)
    outbox.send(mailer.Message(to="a@example.org", subject="code", text="123456"))
    assert mailer.prune_outbox(store.settings.outbox, now=clock.now()) == 0
    clock.advance(timedelta(days=31))
    assert mailer.prune_outbox(store.settings.outbox, now=clock.now()) == 1
    assert list(store.settings.outbox.glob("*.eml")) == []
