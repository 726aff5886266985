"""Which files a scan reads: the paths given, directories walked recursively in name order,
include/exclude globs, a size limit, symlinked directories followed once (a loop is reported,
not walked forever) and directories that cannot be listed reported while the walk goes on."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tutela.adapters.sources.opener import unreadable
from tutela.core.detect.findings import Skipped
from tutela.core.errors import ScanInputInvalid


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # absolute, to open (also on a Dask worker sharing the filesystem)
    location: str  # as the user will read it: the path given, joined with the path below it
    size: int


def walk(
    paths: Sequence[Path],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_file_bytes: int | None = None,
) -> Iterator[FileEntry | Skipped]:
    for given in paths:
        if not os.path.lexists(given):
            raise ScanInputInvalid(f"{given}: no such file or directory", hint="check the path")
    for given in paths:
        try:
            st = os.stat(given)
        except OSError as exc:
            yield Skipped(str(given), "unreadable: broken symlink" if os.path.islink(given) else unreadable(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(given, "", st, _Filter(tuple(include), tuple(exclude)), max_file_bytes, set(), set())
        else:
            yield _file(given, st, max_file_bytes)


@dataclass(frozen=True)
class _Filter:
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def wants(self, rel: str) -> bool:
        # As in .gitignore, a pattern ending in "/" names directories only.
        if any(_matches(p, rel) for p in self.exclude if not p.endswith("/")):
            return False
        return not self.include or any(_matches(p, rel) for p in self.include if not p.endswith("/"))

    def prunes(self, rel: str) -> bool:
        return any(_matches(p, rel) for p in self.exclude)


def _matches(pattern: str, rel: str) -> bool:
    if "/" not in pattern.rstrip("/"):
        # As in .gitignore: a bare pattern matches a name at any depth.
        return _compile(pattern.rstrip("/")).fullmatch(rel.rsplit("/", 1)[-1]) is not None
    return _compile(pattern.strip("/")).fullmatch(rel) is not None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (close := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1 : close]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = close + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _walk_dir(  # noqa: PLR0917 - one recursive helper, its state passed down
    directory: Path,
    rel: str,
    st: os.stat_result,
    flt: _Filter,
    max_bytes: int | None,
    seen: set[tuple[int, int]],
    ancestors: set[tuple[int, int]],
) -> Iterator[FileEntry | Skipped]:
    # A directory reached again through a symlink is a loop if it is on the way down to it,
    # and otherwise one already walked by another path.
    key = (st.st_dev, st.st_ino)
    if key in seen:
        yield Skipped(str(directory), "symlink loop" if key in ancestors else "already scanned by another path")
        return
    seen.add(key)
    ancestors.add(key)
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(str(directory), unreadable(exc))
        ancestors.discard(key)
        return
    for entry in entries:
        child = directory / entry.name
        child_rel = f"{rel}{entry.name}"
        try:
            child_st = entry.stat()  # follows symlinks
        except OSError as exc:
            if flt.wants(child_rel):
                yield Skipped(str(child), "unreadable: broken symlink" if entry.is_symlink() else unreadable(exc))
            continue
        if stat.S_ISDIR(child_st.st_mode):
            if not flt.prunes(child_rel):
                yield from _walk_dir(child, child_rel + "/", child_st, flt, max_bytes, seen, ancestors)
        elif flt.wants(child_rel):
            yield _file(child, child_st, max_bytes)
    ancestors.discard(key)


def _file(path: Path, st: os.stat_result, max_bytes: int | None) -> FileEntry | Skipped:
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or a device would block the scan or never end.
        return Skipped(str(path), "not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        return Skipped(str(path), f"too large: {st.st_size} bytes (limit {max_bytes})")
    return FileEntry(os.path.abspath(path), str(path), st.st_size)
