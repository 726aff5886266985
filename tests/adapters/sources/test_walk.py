"""Directories: globs, size limits, symlink loops, files and directories that cannot be read
(reported, the scan goes on), and paths that are not there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutela.adapters.sources import ScanOptions, scan_paths
from tutela.adapters.sources.walk import FileEntry, walk
from tutela.core.errors import ScanInputInvalid

LEAK = "order 1 for jane.doe@example.com\n"


def _tree(root: Path) -> None:
    for rel in ["a.csv", "b.log", "logs/app.log", "logs/2026/11/app.log", "logs/old/x.txt", "node_modules/m.log"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LEAK if rel.endswith((".log", ".txt")) else "email\nx@example.com\n", encoding="utf-8")


def _rels(root: Path, **kwargs: object) -> list[str]:
    return [
        os.path.relpath(item.location, root)
        for item in walk([root], **kwargs)
        if isinstance(item, FileEntry)  # type: ignore[arg-type]
    ]


def test_globs_match_names_anywhere_or_paths_with_double_stars(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert _rels(tmp_path) == [
        "a.csv",
        "b.log",
        "logs/2026/11/app.log",
        "logs/app.log",
        "logs/old/x.txt",
        "node_modules/m.log",
    ]
    assert _rels(tmp_path, include=["*.log"], exclude=["node_modules"]) == [
        "b.log",
        "logs/2026/11/app.log",
        "logs/app.log",
    ]
    assert _rels(tmp_path, include=["logs/**/*.log"]) == ["logs/2026/11/app.log", "logs/app.log"]
    assert _rels(tmp_path, exclude=["logs/*/", "*.csv"]) == ["b.log", "logs/app.log", "node_modules/m.log"]


def test_files_over_the_size_limit_are_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "small.log").write_text(LEAK, encoding="utf-8")
    (tmp_path / "big.log").write_text(LEAK * 100, encoding="utf-8")
    report = scan_paths([tmp_path], ScanOptions(max_file_bytes=1000))
    assert [f.location for f in report.findings] == [str(tmp_path / "small.log")]
    [skipped] = report.skipped
    assert skipped.location == str(tmp_path / "big.log")
    assert skipped.reason == f"too large: {len(LEAK) * 100} bytes (limit 1000)"


def test_a_symlink_loop_is_reported_once_and_the_walk_ends(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "e" / "f.log").write_text(LEAK, encoding="utf-8")
    (tmp_path / "d" / "e" / "up").symlink_to(tmp_path / "d")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    report = scan_paths([tmp_path], ScanOptions())
    assert [f.location for f in report.findings] == [str(tmp_path / "d" / "e" / "f.log")]
    assert [(s.location, s.reason) for s in report.skipped] == [
        (str(tmp_path / "d" / "e" / "up"), "symlink loop"),
        (str(tmp_path / "dangling"), "unreadable: broken symlink"),
    ]


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    report = scan_paths([tmp_path], ScanOptions())
    assert [(s.location, s.reason) for s in report.skipped] == [(str(tmp_path / "pipe"), "not a regular file")]


def test_a_missing_path_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ScanInputInvalid, match="no such file or directory"):
        scan_paths([tmp_path / "a.log", tmp_path / "missing"], ScanOptions())


def test_unreadable_files_and_directories_are_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "ok.log").write_text(LEAK, encoding="utf-8")
    (tmp_path / "secret.log").write_text(LEAK, encoding="utf-8")
    (tmp_path / "secret.log").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "x.log").write_text(LEAK, encoding="utf-8")
    (tmp_path / "closed").chmod(0)
    try:
        result = _scan_without_override(tmp_path)
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert result == {
        "found": [str(tmp_path / "ok.log")],
        "skipped": [
            [str(tmp_path / "closed"), "unreadable: permission denied"],
            [str(tmp_path / "secret.log"), "unreadable: permission denied"],
        ],
    }


def _scan_without_override(root: Path) -> object:
    if os.geteuid() != 0:
        return json.loads(_report_json(root))
    # Root reads any file whatever its mode: the scan then runs in a child process still as
    # root but without the capabilities that override file permissions.
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: cannot make a file unreadable")
    done = subprocess.run(
        [setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c", _SCAN, str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _report_json(root: Path) -> str:
    report = scan_paths([root], ScanOptions())
    return json.dumps(
        {
            "found": [f.location for f in report.findings],
            "skipped": [[s.location, s.reason] for s in report.skipped],
        }
    )


_SCAN = """
import sys
from pathlib import Path
from tests.adapters.sources.test_walk import _report_json
print(_report_json(Path(sys.argv[1])))
"""
