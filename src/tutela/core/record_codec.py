"""How a purpose's fields of one customer sit in one stored record: a run of entries, each
`category code (1 byte) | source code (1 byte) | envelope length (2 bytes, big-endian) |
envelope`. Each envelope is its own AES-GCM ciphertext (see crypto/keyring.py); this codec
only frames them, so a reader can tell which categories a record holds without a key.
Pinned by tests/vectors/record.json."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tutela.core.errors import cannot_open
from tutela.core.taxonomy import CATEGORIES, CATEGORIES_BY_CODE, SOURCE_CODES, SOURCES_BY_CODE

_HEADER = 4
_MAX_ENVELOPE = 0xFFFF


@dataclass(frozen=True)
class Entry:
    category: str
    source: str
    envelope: bytes


def encode(entries: list[Entry]) -> bytes:
    parts = []
    for entry in entries:
        size = len(entry.envelope)
        if size > _MAX_ENVELOPE:
            raise ValueError("envelope too large for a record entry")
        parts.append(
            bytes((CATEGORIES[entry.category].code, SOURCE_CODES[entry.source], size >> 8, size & 0xFF))
            + entry.envelope
        )
    return b"".join(parts)


def entry_heads(source: str, categories: Iterable[str]) -> dict[str, bytes]:
    """The first two bytes of each category's entry for one source, made once per batch."""
    return {category: bytes((CATEGORIES[category].code, SOURCE_CODES[source])) for category in categories}


def encode_sealed(heads: dict[str, bytes], categories: list[str], envelopes: list[bytes]) -> bytes:
    """`encode` for the write path: heads from `entry_heads`, no Entry objects."""
    parts = []
    for category, envelope in zip(categories, envelopes, strict=True):
        size = len(envelope)
        if size > _MAX_ENVELOPE:
            raise ValueError("envelope too large for a record entry")
        parts.append(heads[category] + size.to_bytes(2, "big") + envelope)
    return b"".join(parts)


def decode(blob: bytes) -> list[Entry]:
    entries = []
    offset = 0
    end = len(blob)
    try:
        while offset < end:
            code, source, high, low = blob[offset : offset + _HEADER]
            size = (high << 8) | low
            start = offset + _HEADER
            if start + size > end:
                raise ValueError
            entries.append(
                Entry(CATEGORIES_BY_CODE[code].key, SOURCES_BY_CODE[source], bytes(blob[start : start + size]))
            )
            offset = start + size
    except (ValueError, KeyError):
        raise cannot_open() from None
    return entries


def categories_mask(categories: list[str]) -> int:
    mask = 0
    for category in categories:
        mask |= CATEGORIES[category].bit
    return mask
