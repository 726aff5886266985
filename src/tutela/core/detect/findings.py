"""What a scan reports: findings at a location, the places it could not read, and totals.
Sources build these, outputs render them, the scanning service stores them; the JSON
schema in docs/scanner.md is this shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutela.core.detect.kinds import SEVERITY, PiiType, Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One value (or, for a table column, one column verdict) at a location. `location` is a
    file path, `archive.zip!inner/path.csv` inside an archive, or `table.column` of a
    database. `line` is 1-based; `start`/`end` are character offsets into the decoded text of
    that file. `preview` is masked: a finding never carries the value itself."""

    location: str
    type: PiiType
    detector: str
    confidence: float
    preview: str
    line: int | None = None
    start: int | None = None
    end: int | None = None
    column: str | None = None
    key_path: str | None = None
    count: int = 1
    sampled: int | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.type]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A location the scan did not read, and why ("binary file", "unreadable: permission
    denied", "zip bomb: expands 1200x", "symlink loop", "worker lost")."""

    location: str
    reason: str


@dataclass(slots=True)
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    locations_scanned: int = 0
    bytes_scanned: int = 0
    # Bytes that were not valid in the file's encoding and were decoded as U+FFFD.
    replaced_characters: int = 0

    def merge(self, other: ScanReport) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.locations_scanned += other.locations_scanned
        self.bytes_scanned += other.bytes_scanned
        self.replaced_characters += other.replaced_characters
