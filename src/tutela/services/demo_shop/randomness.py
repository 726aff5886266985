"""Seeded randomness: one generator per stream, random text and patterns, and when orders happen."""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Sequence
from datetime import datetime, timedelta

from faker import Faker

_HISTORY = timedelta(days=548)  # 18 months
_RECENT = timedelta(days=3)
_RECENT_SHARE = 0.02
CANCELLED_SHARE = 0.02

ALNUM_UPPER = string.ascii_uppercase + string.digits
ALNUM_LOWER = string.ascii_lowercase + string.digits
ALNUM_MIXED = string.ascii_letters + string.digits


def _derived_seed(seed: int, stream: str) -> int:
    """Each stream gets its own seed, so more orders in one marketplace do not reshuffle another or the catalog."""
    digest = hashlib.sha256(f"tutela-demo-shop:{seed}:{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def seeded_random(seed: int, stream: str) -> random.Random:
    return random.Random(_derived_seed(seed, stream))  # noqa: S311 - synthetic data, not secrets


def seeded_faker(locale: str, seed: int, stream: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(_derived_seed(seed, f"faker:{stream}"))
    return fake


def random_text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """'#' becomes a digit, '?' an upper-case letter, '*' either; everything else stays."""
    alphabets = {"#": string.digits, "?": string.ascii_uppercase, "*": ALNUM_UPPER}
    return "".join(rng.choice(alphabets[ch]) if ch in alphabets else ch for ch in pattern)


def weighted(rng: random.Random, choices: Sequence[int], weights: Sequence[int]) -> int:
    return rng.choices(choices, weights=weights)[0]


def split_by_share(total: int, shares: Sequence[float]) -> list[int]:
    """Largest-remainder split, so the parts always add up to total."""
    exact = [total * share for share in shares]
    counts = [int(part) for part in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def purchase_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """Spread over 18 months, plus a guaranteed few in the last days: even a tiny demo needs unshipped orders."""
    recent = min(count, max(1, round(count * _RECENT_SHARE)))
    windows = [_RECENT] * recent + [_HISTORY] * (count - recent)
    ages = (timedelta(seconds=1 + int(rng.random() * window.total_seconds())) for window in windows)
    return sorted(now - age for age in ages)


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=int(rng.random() * (end - start).total_seconds()))
