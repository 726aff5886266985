"""ZIP archives: each member read by the reader its extension calls for, at location
"a.zip!dir/f.csv", nested archives too, within limits against zip bombs: the compression
ratio of a member, the total uncompressed size of an archive with everything nested in it, and
the depth of nesting. The limits are checked on the sizes the archive declares, before a
member is read; zipfile stops a member at its declared size and checks its CRC, so a lying
header cannot make a member larger than what was allowed."""

from __future__ import annotations

import functools
import zipfile
import zlib
from dataclasses import dataclass
from typing import Protocol

from tutela.adapters.sources.opener import Opener, seekable, unreadable
from tutela.adapters.sources.options import ScanOptions
from tutela.core.detect.findings import ScanReport, Skipped

# A small member may compress well beyond the ratio (a file of blank lines); only members this
# large are held to it.
RATIO_MIN_BYTES = 1 << 20


@dataclass(slots=True)
class Budget:
    """Uncompressed bytes still allowed for the outermost archive and all it contains."""

    left: int


class ScanMember(Protocol):
    def __call__(
        self, name: str, location: str, opener: Opener, options: ScanOptions, *, depth: int, budget: Budget | None
    ) -> ScanReport: ...


def scan_zip(
    opener: Opener,
    location: str,
    options: ScanOptions,
    *,
    depth: int,
    budget: Budget | None,
    scan_member: ScanMember,
) -> ScanReport:
    if depth > options.zip_max_depth:
        return _skip(location, f"nested archive too deep: level {depth} (limit {options.zip_max_depth})")
    budget = budget or Budget(options.zip_max_total_bytes)
    report = ScanReport()
    with opener() as raw, seekable(raw) as data:
        try:
            archive = zipfile.ZipFile(data)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            return _skip(location, "unreadable: not a valid zip archive")
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                where = f"{location}!{info.filename}"
                reason = _refusal(info, budget, options)
                if reason is not None:
                    report.skipped.append(Skipped(where, reason))
                    continue
                budget.left -= info.file_size
                member = functools.partial(archive.open, info)
                try:
                    report.merge(scan_member(info.filename, where, member, options, depth=depth, budget=budget))
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    report.skipped.append(Skipped(where, "unreadable: corrupt zip member"))
                except NotImplementedError:
                    report.skipped.append(Skipped(where, "unreadable: unsupported compression"))
                except OSError as exc:
                    report.skipped.append(Skipped(where, unreadable(exc)))
    return report


def _refusal(info: zipfile.ZipInfo, budget: Budget, options: ScanOptions) -> str | None:
    if info.flag_bits & 0x1:
        return "encrypted zip member"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_MIN_BYTES and ratio > options.zip_max_ratio:
        return f"zip bomb: member expands {ratio:.0f}x (limit {options.zip_max_ratio:g}x)"
    if info.file_size > budget.left:
        return (
            f"zip bomb: archive expands beyond {options.zip_max_total_bytes} bytes"
            f" (limit {options.zip_max_total_bytes})"
        )
    return None


def _skip(location: str, reason: str) -> ScanReport:
    return ScanReport(skipped=[Skipped(location, reason)])
