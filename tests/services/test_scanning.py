"""Scan runs of configured locations, on both backends: started, recorded with masked
findings and exact counts, refused while one runs, failed with a reason, due again after
their interval, and run by the scheduler."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.adapters.sources.location_runner import runner_for
from tutela.core.actor import SYSTEM
from tutela.core.clock import FixedClock
from tutela.core.errors import ScanInputInvalid, ScanNotFound, ScanRefused
from tutela.core.policy import default_policy_text, parse_policy
from tutela.services import importing, scanning, scheduler
from tutela.services.context import Context

EMAILS = ["ada.lovelace@example.com", "grace.hopper@example.org", "alan.turing@example.net"]


def _with_locations(store: Context, folder: Path, *, every_days: int = 1) -> Context:
    policy = parse_policy(default_policy_text() + f"""
[scan.locations.exports]
path = "{folder.as_posix()}"
include = ["*.log"]
every_days = {every_days}

[scan.locations.shopdb]
url_env = "TUTELA_TEST_UNSET_SHOP_DB"
""")  # fmt: skip
    return dataclasses.replace(store, policy=policy)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "app.log").write_text("".join(f"GET /orders?mail={m} 200\n" for m in EMAILS), encoding="utf-8")
    (exports / "ignored.txt").write_text(f"contact {EMAILS[0]}\n", encoding="utf-8")
    return exports


def test_a_location_scan_is_recorded_with_masked_findings(store: Context, folder: Path) -> None:
    ctx = _with_locations(store, folder)
    run_id = scanning.run(ctx, actor=OWNER, name="exports", runner=runner_for(ctx))
    detail = scanning.detail(ctx, run_id=run_id)
    assert detail.run.status == "done" and detail.run.location == "exports"
    assert detail.run.target == folder.as_posix()
    assert detail.run.findings_high == 3 and detail.run.locations_done == 1  # ignored.txt not included
    assert [f["line"] for f in detail.findings] == [1, 2, 3]
    stored = json.dumps([f["preview"] for f in detail.findings], ensure_ascii=False)
    assert all(m not in stored for m in EMAILS)
    actions = [r[0] for r in rows(ctx, "SELECT action FROM audit_event WHERE action LIKE 'scan.%' ORDER BY seq")]
    assert actions == ["scan.start", "scan.finish"]
    details = rows(ctx, "SELECT details FROM audit_event WHERE action = 'scan.finish'")[0][0]
    assert json.loads(details)["findings"] == {"email": 3}
    assert all(m not in details for m in EMAILS)


def test_one_scan_at_a_time_per_location(store: Context, folder: Path, clock: FixedClock) -> None:
    ctx = _with_locations(store, folder)
    first = scanning.start(ctx, actor=OWNER, name="exports")
    with pytest.raises(ScanRefused, match="already running"):
        scanning.start(ctx, actor=OWNER, name="exports")
    clock.advance(scanning.STALE_RUN + timedelta(minutes=1))  # the first one's process died
    second = scanning.start(ctx, actor=OWNER, name="exports")
    assert second == first + 1
    with pytest.raises(ScanRefused, match="no scan location 'export'"):
        scanning.start(ctx, actor=OWNER, name="export")


def test_a_failure_is_recorded_with_its_reason(store: Context, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUTELA_TEST_UNSET_SHOP_DB", raising=False)
    ctx = _with_locations(store, folder)
    with pytest.raises(ScanInputInvalid, match="TUTELA_TEST_UNSET_SHOP_DB is not set"):
        scanning.run(ctx, actor=OWNER, name="shopdb", runner=runner_for(ctx))
    (run,) = scanning.history(ctx, name="shopdb")
    assert run.status == "failed" and run.error is not None and "is not set" in run.error
    with pytest.raises(ScanRefused, match="already ended"):
        scanning.fail(ctx, actor=OWNER, run_id=run.id, reason="again")
    with pytest.raises(ScanNotFound):
        scanning.detail(ctx, run_id=run.id + 100)


def test_progress_is_kept_on_the_run(store: Context, folder: Path) -> None:
    ctx = _with_locations(store, folder)
    run_id = scanning.start(ctx, actor=OWNER, name="exports")
    scanning.record_progress(ctx, run_id, scanning.Progress(locations_done=2, locations_total=5, bytes_done=4096))
    (run,) = scanning.history(ctx)
    assert (run.status, run.locations_done, run.locations_total, run.bytes_done) == ("running", 2, 5, 4096)


def test_stored_findings_are_capped_most_severe_first(
    store: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = tmp_path / "many"
    exports.mkdir()
    lines = [f"order 114-{1000000 + i:07d}-{2000000 + i:07d} shipped\n" for i in range(5)]  # low severity
    lines += [f"mail {m}\n" for m in EMAILS]  # high severity
    (exports / "app.log").write_text("".join(lines), encoding="utf-8")
    ctx = _with_locations(store, exports)
    monkeypatch.setattr(scanning, "STORED_FINDINGS", 4)
    run_id = scanning.run(ctx, actor=OWNER, name="exports", runner=runner_for(ctx))
    detail = scanning.detail(ctx, run_id=run_id)
    assert (detail.run.findings_high, detail.run.findings_low) == (3, 5)  # counts stay exact
    assert detail.stored_findings == 4
    assert sorted(f["severity"] for f in detail.findings) == ["high", "high", "high", "low"]


def test_locations_fall_due_after_their_interval_and_the_scheduler_scans_them(
    store: Context, folder: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUTELA_TEST_UNSET_SHOP_DB", raising=False)
    ctx = _with_locations(store, folder, every_days=7)
    assert set(scanning.due(ctx)) == {"exports", "shopdb", "tutela"}
    job = scanning.scan_job(runner_for)
    assert scheduler.run_due(ctx, [job], holder="test") == ["scan.locations"]
    by_location = {r.location: r for r in scanning.history(ctx)}
    assert by_location["exports"].status == "done" and by_location["exports"].started_by == SYSTEM.id
    assert by_location["shopdb"].status == "failed"  # the others were still scanned
    assert by_location["tutela"].status == "done"
    assert scanning.due(ctx) == []
    clock.advance(timedelta(days=1))
    assert set(scanning.due(ctx)) == {"shopdb", "tutela"}
    clock.advance(timedelta(days=6))
    assert set(scanning.due(ctx)) == {"exports", "shopdb", "tutela"}


def test_the_own_store_scan_finds_nothing_after_an_import(store: Context, tmp_path: Path) -> None:
    """The vault holds what was imported; the scan of tutela's own tables proves nothing leaked
    out of it: not into the order rows, the import report, the audit log nor the scan history."""
    buyers = [
        unshipped_row(f"111-000000{i}-000000{i}", f"1000000000000{i}", email=f"buyer{i}@marketplace.amazon.com",
                      recipient=name, phone=f"+1 206-555-01{i:02d}")
        for i, name in enumerate(["Ada Lovelace", "Grace Hopper", "Alan Turing"], start=1)
    ]  # fmt: skip
    importing.import_file(store, actor=OWNER, path=write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, buyers))
    logs = store.settings.data_dir / "logs"
    logs.mkdir()
    (logs / "serve.log").write_text("GET /api/v1/customers 200 4ms\n", encoding="utf-8")
    first = scanning.run(store, actor=OWNER, name="tutela", runner=runner_for(store))
    second = scanning.run(store, actor=OWNER, name="tutela", runner=runner_for(store))  # its own history too
    for run_id in (first, second):
        detail = scanning.detail(store, run_id=run_id)
        assert detail.run.status == "done" and detail.skipped == [] and detail.run.findings_high == 0
        # Order ids are kept outside the vault by design (they key orders, returns and due times).
        assert {(f["location"], f["type"]) for f in detail.findings} <= {("orders.order_id", "amazon_order_id")}
        assert detail.run.locations_done > 30  # every table's text columns and the log were read
