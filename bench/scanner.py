#!/usr/bin/env python3
"""The PII scanner's accuracy and speed, side by side with Presidio, on the labeled corpus
of bench/scan_corpus.py (generated in-process from its seed; nothing is stored).

    python bench/scanner.py [--documents 1500] [--seed 2026] [--presidio-stride 3]
                            [--presidio-python bench/.presidio-venv/bin/python]
                            [--no-presidio] [--show-errors N]

Tutela's detect() runs in this process over the whole corpus; Presidio (presidio-analyzer
with spaCy en_core_web_sm, every default recognizer, language "en") runs in its own
environment (bench/.presidio-venv, see `make bench-scanner`) over every `stride`-th
document. Both are pinned to one core. Accuracy is compared on that same subset, scored by
one function: lenient span matching (a prediction is right if it overlaps a not yet matched
gold span of a type it may stand for), per-type precision / recall / F1 and micro totals.
Tutela's MB/s is on the whole corpus, Presidio's on its subset; both exclude model loading.
Also: a 500 KB single-line log, scanned by tutela alone, must take under a second.

Last line: {"tutela_f1", "presidio_f1", "tutela_mb_per_s", "presidio_mb_per_s", "speedup",
"single_line_500kb_s", "documents", "corpus_mb"} — documents and corpus_mb describe the
whole corpus; the F1 pair is on the Presidio subset. docs/scanner-benchmark.md explains.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scan_corpus import DEFAULT_DOCUMENTS, TYPES, Document, generate

BENCH = Path(__file__).resolve().parent
PRESIDIO_PYTHON = BENCH / ".presidio-venv" / "bin" / "python"
SINGLE_LINE_BYTES = 500_000
_ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"), "1")

# A predicted span: (start, end, type), the type already in tutela's vocabulary.
Span = tuple[int, int, str]

# Presidio's entity types in tutela's vocabulary. Presidio has no relay-address or Chinese
# mobile type, so its e-mail and phone findings may stand for either member of the family;
# types with no gold counterpart here (URL, NRP, ORGANIZATION, US_DRIVER_LICENSE, UUID, …)
# are left out of the score rather than counted wrong.
PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "PERSON": "person_name",
    "LOCATION": "street_address",
    "CREDIT_CARD": "payment_card",
    "IBAN_CODE": "iban",
    "US_SSN": "us_ssn",
    "IP_ADDRESS": "ip_address",
    "DATE_TIME": "date_of_birth",
}
PRESIDIO_STANDS_FOR = {"email": {"email", "amazon_relay_email"}, "phone": {"phone", "cn_mobile"}}


@dataclass(slots=True)
class Tally:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall, F1 of one type, or micro over all when kind is None."""
        if kind is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


@dataclass(slots=True)
class Miss:
    """A false positive or negative, kept for --show-errors."""

    doc: int
    start: int
    end: int
    kind: str
    wrong: str  # "fp" or "fn"


def score(
    corpus: Sequence[Document],
    predictions: Sequence[Sequence[Span]],
    stands_for: Mapping[str, set[str]] | None = None,
    misses: list[Miss] | None = None,
) -> Tally:
    """Lenient matching, the same for every tool: a prediction is a true positive if it
    overlaps a gold span not matched before whose type it may stand for (its own type, or
    the family in `stands_for`); the largest overlap wins, each gold span is matched once.
    A true positive counts under the gold type, a false positive under the predicted one."""
    tally = Tally()
    for n, (doc, predicted) in enumerate(zip(corpus, predictions, strict=True)):
        _score_document(n, doc, predicted, tally, stands_for=stands_for or {}, misses=misses)
    return tally


def _score_document(
    n: int,
    doc: Document,
    predicted: Sequence[Span],
    tally: Tally,
    *,
    stands_for: Mapping[str, set[str]],
    misses: list[Miss] | None,
) -> None:
    golds = sorted(doc.labels)
    matched = [False] * len(golds)
    tally.gold.update(label.type for label in golds)
    # Gold spans do not overlap, so sorted by start they are sorted by end too: those before
    # `first` end before this and every later prediction starts.
    first = 0
    for start, end, kind in sorted(predicted):
        while first < len(golds) and golds[first].end <= start:
            first += 1
        accepted = stands_for.get(kind, {kind})
        best, best_overlap = -1, 0
        for i in range(first, len(golds)):
            gold = golds[i]
            if gold.start >= end:
                break
            overlap = min(end, gold.end) - max(start, gold.start)
            if overlap > best_overlap and not matched[i] and gold.type in accepted:
                best, best_overlap = i, overlap
        if best >= 0:
            matched[best] = True
            tally.tp[golds[best].type] += 1
        else:
            tally.fp[kind] += 1
            if misses is not None:
                misses.append(Miss(n, start, end, kind, "fp"))
    for i, gold in enumerate(golds):
        if not matched[i]:
            tally.fn[gold.type] += 1
            if misses is not None:
                misses.append(Miss(n, gold.start, gold.end, gold.type, "fn"))


def pin_one_core() -> None:
    os.environ.update(_ONE_THREAD)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def utf8_mb(texts: Sequence[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def run_tutela(corpus: Sequence[Document]) -> tuple[list[list[Span]], float]:
    from tutela.core.detect.engine import detect

    detect("Warm-up: John Smith, john@example.com, +1 206-555-0142, 111-2223334-4445556.")
    started = time.perf_counter()
    found = [detect(doc.text) for doc in corpus]
    elapsed = time.perf_counter() - started
    return [[(d.start, d.end, str(d.type)) for d in detections] for detections in found], elapsed


def single_line_log(corpus: Sequence[Document]) -> str:
    """500 KB of the corpus's own log lines joined into one line, as a logger that never
    writes a newline (or a minified JSON dump) leaves them."""
    logs = [doc.text.replace("\n", " ") for doc in corpus if doc.kind == "app_log"]
    parts: list[str] = []
    size = 0
    while size < SINGLE_LINE_BYTES:
        for text in logs:
            parts.append(text)
            size += len(text.encode("utf-8"))
            if size >= SINGLE_LINE_BYTES:
                break
    line = "".join(parts).encode("utf-8")[:SINGLE_LINE_BYTES]
    return line.decode("utf-8", errors="ignore")


def time_single_line(line: str) -> float:
    from tutela.core.detect.engine import detect

    started = time.perf_counter()
    detect(line)
    return time.perf_counter() - started


def run_presidio(python: Path, texts: Sequence[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="tutela-bench-") as folder:
        source, target = Path(folder) / "corpus.json", Path(folder) / "presidio.json"
        source.write_text(json.dumps({"texts": list(texts)}, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, **_ONE_THREAD, "TOKENIZERS_PARALLELISM": "false"}
        # -I: no script directory on sys.path, where bench/requests.py would shadow the
        # requests package Presidio imports, and no PYTHON* variables from this side.
        command = [str(python), "-I", str(BENCH / "presidio_runner.py"), str(source), str(target)]
        subprocess.run(command, check=True, env=env)
        result: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return result


def presidio_spans(raw: Sequence[Sequence[Sequence[object]]], keep: Callable[[str, float], bool]) -> list[list[Span]]:
    """Presidio's findings in tutela's types; unmapped types dropped, and those `keep` refuses."""
    out: list[list[Span]] = []
    for results in raw:
        spans: list[Span] = []
        for start, end, entity, confidence in results:
            kind = PRESIDIO_TYPES.get(str(entity))
            if kind and keep(str(entity), float(str(confidence))):
                spans.append((int(str(start)), int(str(end)), kind))
        out.append(spans)
    return out


def table(title: str, tallies: Sequence[tuple[str, Tally]]) -> None:
    names = "".join(f" | {name:^26}" for name, _ in tallies)
    print(f"\n{title}\n{'type':20} {'gold':>6}{names}", file=sys.stderr)
    cols = "".join(f" | {'P':>6} {'R':>6} {'F1':>6} {'FP':>5}" for _ in tallies)
    print(f"{'':20} {'':>6}{cols}", file=sys.stderr)
    gold = tallies[0][1].gold
    for kind in (*TYPES, None):
        row = f"{kind or 'micro (all types)':20} {(gold[kind] if kind else sum(gold.values())):6}"
        for _, tally in tallies:
            p, r, f = tally.prf(kind)
            fp = tally.fp[kind] if kind else sum(tally.fp.values())
            row += f" | {p:6.3f} {r:6.3f} {f:6.3f} {fp:5}"
        print(row, file=sys.stderr)


def show_errors(corpus: Sequence[Document], misses: Sequence[Miss], per_type: int) -> None:
    shown: Counter[tuple[str, str]] = Counter()
    print(f"\ntutela's errors (up to {per_type} per type and kind of error):", file=sys.stderr)
    for miss in sorted(misses, key=lambda m: (m.wrong, m.kind)):
        key = (miss.wrong, miss.kind)
        if shown[key] >= per_type:
            continue
        shown[key] += 1
        doc = corpus[miss.doc]
        before = doc.text[max(0, miss.start - 30) : miss.start].replace("\n", "⏎")
        after = doc.text[miss.end : miss.end + 30].replace("\n", "⏎")
        value = doc.text[miss.start : miss.end]
        print(f"  {miss.wrong} {miss.kind:18} {doc.kind}/{doc.locale} #{miss.doc}: …{before}[{value}]{after}…",
              file=sys.stderr)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DEFAULT_DOCUMENTS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--presidio-stride", type=int, default=3,
                        help="Presidio (and the F1 comparison) gets every n-th document; 1 = all")  # fmt: skip
    parser.add_argument("--presidio-python", type=Path, default=PRESIDIO_PYTHON)
    parser.add_argument("--no-presidio", action="store_true", help="tutela only (a quick run while tuning)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="print N of tutela's FP/FN per type")
    args = parser.parse_args()
    pin_one_core()

    started = time.perf_counter()
    corpus = generate(args.seed, args.documents)
    corpus_mb = utf8_mb([d.text for d in corpus])
    print(f"corpus:   {len(corpus):,} documents, {corpus_mb:.2f} MB, {sum(len(d.labels) for d in corpus):,} labels "
          f"(seed {args.seed}, generated in {time.perf_counter() - started:.1f} s)", file=sys.stderr)  # fmt: skip

    tutela_spans, tutela_s = run_tutela(corpus)
    tutela_rate = corpus_mb / tutela_s
    misses: list[Miss] = []
    tutela_full = score(corpus, tutela_spans, misses=misses)
    print(f"tutela:   {tutela_s:.2f} s on one core, {tutela_rate:.2f} MB/s", file=sys.stderr)
    line = single_line_log(corpus)
    line_s = time_single_line(line)
    verdict = "ok" if line_s < 1 else "TOO SLOW (goal: under 1 s)"
    print(f"one line: {len(line.encode()) / 1e3:.0f} KB single-line log in {line_s:.3f} s — {verdict}", file=sys.stderr)
    table(f"tutela on the whole corpus ({len(corpus):,} documents)", [("tutela", tutela_full)])
    if args.show_errors:
        show_errors(corpus, misses, args.show_errors)

    result: dict[str, float | int | None] = {"tutela_f1": None, "presidio_f1": None,
                                             "tutela_mb_per_s": round(tutela_rate, 2), "presidio_mb_per_s": None,
                                             "speedup": None, "single_line_500kb_s": round(line_s, 3),
                                             "documents": len(corpus), "corpus_mb": round(corpus_mb, 2)}  # fmt: skip
    if args.no_presidio:
        result["tutela_f1"] = round(tutela_full.prf()[2], 3)
        print(json.dumps(result))
        return
    if not args.presidio_python.exists():
        sys.exit(f"{args.presidio_python} not found: `make bench-scanner` builds Presidio's environment")

    subset_ids = list(range(0, len(corpus), args.presidio_stride))
    subset = [corpus[i] for i in subset_ids]
    subset_mb = utf8_mb([d.text for d in subset])
    print(f"\npresidio: every {args.presidio_stride}. document: {len(subset):,} documents, {subset_mb:.2f} MB "
          "(loading the model is not timed) …", file=sys.stderr)  # fmt: skip
    raw = run_presidio(args.presidio_python, [d.text for d in subset])
    presidio_s = float(str(raw["analyze_s"]))
    presidio_rate = subset_mb / presidio_s
    found = raw["spans"]
    assert isinstance(found, list)
    print(f"presidio: {presidio_s:.1f} s on one core, {presidio_rate * 1e3:.1f} KB/s (model load "
          f"{float(str(raw['load_s'])):.1f} s; {raw['versions']})", file=sys.stderr)  # fmt: skip

    tutela_sub = score(subset, [tutela_spans[i] for i in subset_ids])
    presidio_sub = score(subset, presidio_spans(found, lambda _e, _c: True), PRESIDIO_STANDS_FOR)
    table(f"side by side on Presidio's subset ({len(subset):,} documents, {subset_mb:.2f} MB)",
          [("tutela", tutela_sub), ("presidio", presidio_sub)])  # fmt: skip
    # Two more readings of Presidio, for whoever suspects the defaults are unfair to it.
    for note, keep in (
        ("score >= 0.5", lambda _e, c: c >= 0.5),
        ("DATE_TIME not counted", lambda e, _c: e != "DATE_TIME"),
    ):
        p, r, f = score(subset, presidio_spans(found, keep), PRESIDIO_STANDS_FOR).prf()
        print(f"presidio, {note:22}: P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)

    result |= {
        "tutela_f1": round(tutela_sub.prf()[2], 3),
        "presidio_f1": round(presidio_sub.prf()[2], 3),
        "presidio_mb_per_s": round(presidio_rate, 4),
        "speedup": round(tutela_rate / presidio_rate, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
