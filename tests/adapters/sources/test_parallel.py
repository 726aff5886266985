"""The same scan inline, on a process pool and on a Dask cluster (a real LocalCluster with two
worker processes) gives the same report; a large file split into byte ranges keeps its
absolute offsets and lines; an unreachable scheduler fails fast before any work; a worker
lost mid-scan is survived, or what was not scanned is named."""

from __future__ import annotations

import dataclasses
import io
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster

from tests.adapters.sources import dask_tasks
from tutela.adapters.sources import Progress, ScanOptions, dask_runner, scan_paths
from tutela.core.detect.findings import ScanReport, Skipped
from tutela.core.errors import ScanClusterUnreachable


def _corpus(root: Path) -> None:
    root.mkdir()
    lines = [f"{i:06d} shipped to buyer{i}@example.com" if i % 37 == 0 else f"{i:06d} ok" for i in range(20_000)]
    (root / "big.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "orders.csv").write_text(
        "id,email,note\n" + "".join(f"{i},c{i}@example.com,fine\n" for i in range(50)), encoding="utf-8"
    )
    (root / "events.ndjson").write_text('{"to": {"email": "e@example.com"}}\n', encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/x.log", "mail z@example.com\n")
    (root / "a.zip").write_bytes(buf.getvalue())
    (root / "blob.bin").write_bytes(bytes(range(256)) * 4)


# Small ranges so that the 200 KB log is cut into a dozen parts, as a 10 GB one would be.
SPLIT = ScanOptions(split_bytes=16 * 1024, chunk_chars=8 * 1024)


def _same(a: ScanReport, b: ScanReport) -> None:
    assert a.findings == b.findings
    assert a.skipped == b.skipped
    assert (a.locations_scanned, a.bytes_scanned, a.replaced_characters) == (
        b.locations_scanned,
        b.bytes_scanned,
        b.replaced_characters,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "data"
    _corpus(root)
    return root


@pytest.fixture(scope="module")
def local_report(corpus: Path) -> ScanReport:
    return scan_paths([corpus], SPLIT)


def test_a_process_pool_gives_the_inline_report(corpus: Path, local_report: ScanReport) -> None:
    seen: list[Progress] = []
    pooled = scan_paths([corpus], dataclasses.replace(SPLIT, workers=2), on_progress=seen.append)
    _same(pooled, local_report)
    assert local_report.skipped == [Skipped(str(corpus / "blob.bin"), "binary file")]
    assert max(p.locations_done for p in seen) == 5 and {p.locations_total for p in seen} == {5}
    text = (corpus / "big.log").read_text(encoding="utf-8")
    big = [f for f in pooled.findings if f.location == str(corpus / "big.log")]
    assert len(big) == len(range(0, 20_000, 37))
    for f in big:
        assert f.start is not None and text[f.start : f.end].endswith("@example.com")
        assert f.line == text.count("\n", 0, f.start) + 1


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # One lost worker is survived (the task is rescheduled); a second loss of the same task
    # gives up on it, which keeps the always-failing test short.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c,
    ):
        yield c


def test_a_dask_cluster_gives_the_inline_report(cluster: LocalCluster, corpus: Path, local_report: ScanReport) -> None:
    report = scan_paths([corpus], dataclasses.replace(SPLIT, dask_address=cluster.scheduler_address))
    _same(report, local_report)


def test_an_unreachable_scheduler_fails_before_any_work(corpus: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    seen: list[Progress] = []
    began = time.monotonic()
    with pytest.raises(ScanClusterUnreachable) as caught:
        scan_paths(
            [corpus / "missing"],  # not even walked: the cluster is checked first
            ScanOptions(dask_address=f"tcp://127.0.0.1:{port}", dask_connect_timeout=1.0),
            on_progress=seen.append,
        )
    assert time.monotonic() - began < 5
    assert seen == [] and caught.value.code == "scan.cluster_unreachable"
    assert f"tcp://127.0.0.1:{port}" in str(caught.value)


def test_a_worker_lost_mid_scan_is_survived(
    cluster: LocalCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "victim.log").write_text("x\nmail v@example.com\n", encoding="utf-8")
    (data / "other.log").write_text("mail o@example.com\n", encoding="utf-8")
    expected = scan_paths([data], ScanOptions())
    monkeypatch.setattr(dask_runner, "scan_unit", dask_tasks.kill_once_then_scan)
    report = scan_paths([data], ScanOptions(dask_address=cluster.scheduler_address))
    assert (tmp_path / "killed-once").exists()  # the worker did die
    _same(report, expected)


def test_a_task_that_keeps_losing_its_worker_is_named_as_not_scanned(
    cluster: LocalCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "victim.log").write_text("mail v@example.com\n", encoding="utf-8")
    monkeypatch.setattr(dask_runner, "scan_unit", dask_tasks.kill_always)
    report = scan_paths([data], ScanOptions(dask_address=cluster.scheduler_address))
    assert report.findings == []
    assert report.skipped == [Skipped(str(data / "victim.log"), "worker lost")]
