"""Values grouped by column (a CSV or sheet header, a JSON key path, a database column) and
judged per column: a column whose sample the engine classifies gets one verdict finding; any
other column (free text such as "customer-comments") has every value run through the
detectors, and what they find is reported per column and type with a count, not per cell."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from tutela.core.detect.engine import classify_column, detect, preview
from tutela.core.detect.findings import Finding
from tutela.core.detect.kinds import ColumnVerdict, PiiType

# Values of one column are detected in batches joined by a blank line, a boundary detectors
# do not match across; a detection that crosses one anyway is dropped.
_SEPARATOR = "\n\n"
_BATCH_VALUES = 2000
_BATCH_CHARS = 1 << 20


@dataclass(slots=True)
class _Hits:
    detector: str
    confidence: float
    preview: str
    line: int | None
    count: int = 0


@dataclass(slots=True)
class _Column:
    header: str
    sample: list[tuple[str, int | None]] = field(default_factory=list)
    decided: bool = False
    verdict: ColumnVerdict | None = None
    values: int = 0
    batch: list[tuple[str, int | None]] = field(default_factory=list)
    batch_chars: int = 0
    hits: dict[PiiType, _Hits] = field(default_factory=dict)


class ColumnScanner:
    def __init__(self, location: str, sample_rows: int, *, key_paths: bool = False) -> None:
        self._location = location
        self._sample_rows = max(1, sample_rows)
        self._key_paths = key_paths
        self._columns: dict[str, _Column] = {}

    def add(self, key: str, value: str, line: int | None = None, *, header: str | None = None) -> None:
        if not value.strip():
            return
        col = self._columns.get(key)
        if col is None:
            col = self._columns[key] = _Column(header if header is not None else key)
        col.values += 1
        if not col.decided:
            col.sample.append((value, line))
            if len(col.sample) >= self._sample_rows:
                self._decide(col)
        elif col.verdict is None:
            self._queue(col, value, line)

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for key, col in self._columns.items():
            if not col.decided:
                self._decide(col)
            if col.verdict is not None:
                out.append(self._verdict_finding(key, col, col.verdict))
                continue
            self._flush(col)
            for kind, hits in col.hits.items():
                out.append(
                    Finding(
                        self._location,
                        kind,
                        hits.detector,
                        hits.confidence,
                        hits.preview,
                        line=hits.line,
                        count=hits.count,
                        sampled=col.values,
                        column=self._where(key, col)["column"],
                        key_path=self._where(key, col)["key_path"],
                    )
                )
        return out

    def _where(self, key: str, col: _Column) -> dict[str, str | None]:
        if self._key_paths:
            return {"column": None, "key_path": key}
        return {"column": col.header, "key_path": None}

    def _decide(self, col: _Column) -> None:
        col.decided = True
        col.verdict = classify_column(col.header, [value for value, _ in col.sample])
        if col.verdict is None:
            for value, line in col.sample:
                self._queue(col, value, line)
            col.sample = []

    def _verdict_finding(self, key: str, col: _Column, verdict: ColumnVerdict) -> Finding:
        # The preview shows a sampled value of the verdict's type, if the detectors see one.
        shown, line = col.sample[0]
        for value, value_line in col.sample:
            if any(d.type is verdict.type for d in detect(value)):
                shown, line = value, value_line
                break
        return Finding(
            self._location,
            verdict.type,
            verdict.detector,
            verdict.confidence,
            preview(verdict.type, shown.strip()),
            line=line,
            count=verdict.matched,
            sampled=verdict.sampled,
            column=self._where(key, col)["column"],
            key_path=self._where(key, col)["key_path"],
        )

    def _queue(self, col: _Column, value: str, line: int | None) -> None:
        col.batch.append((value, line))
        col.batch_chars += len(value) + len(_SEPARATOR)
        if len(col.batch) >= _BATCH_VALUES or col.batch_chars >= _BATCH_CHARS:
            self._flush(col)

    def _flush(self, col: _Column) -> None:
        if not col.batch:
            return
        starts: list[int] = []
        pos = 0
        for value, _ in col.batch:
            starts.append(pos)
            pos += len(value) + len(_SEPARATOR)
        joined = _SEPARATOR.join(value for value, _ in col.batch)
        for d in detect(joined):
            i = bisect_right(starts, d.start) - 1
            value, line = col.batch[i]
            if d.end > starts[i] + len(value):
                continue
            hits = col.hits.get(d.type)
            if hits is None:
                shown = preview(d.type, joined[d.start : d.end])
                hits = col.hits[d.type] = _Hits(d.detector, d.confidence, shown, line)
            hits.count += 1
            hits.confidence = max(hits.confidence, d.confidence)
        col.batch = []
        col.batch_chars = 0
