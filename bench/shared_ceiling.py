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


def fields_of(i: int) -> dict[str, str]:
    """Customer i's values as the ceiling script makes them, under their fideslang categories:
    a benchmark that stores these compares like with like."""
    return {
        "user.name": f"Customer Number {i:07d}",
        "user.contact.email": f"customer.{i:07d}@example.com",
        "user.contact.phone_number": f"+4420{i % 10000:04d}{i % 9999:04d}",
        "user.contact.address.street": f"{i % 300} Long Street Name Apartment {i % 97}",
        "user.contact.address.city": "Springfield-upon-Thames",
        "user.contact.address.postal_code": f"SW{i % 20} {i % 9}AB",
    }
