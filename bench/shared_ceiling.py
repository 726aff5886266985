"""The denominator of every benchmark: ../shared/bench/ceiling.py, loaded from beside the repository."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

CEILING = Path(__file__).resolve().parents[2] / "shared" / "bench" / "ceiling.py"


def load_ceiling() -> ModuleType:
    if not CEILING.exists():
        sys.exit(f"bench: the ceiling script is missing at {CEILING}; it comes with ../shared/")
    spec = importlib.util.spec_from_file_location("ceiling", CEILING)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
