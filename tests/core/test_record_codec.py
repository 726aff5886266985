from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutela.core.errors import CannotOpen
from tutela.core.record_codec import Entry, categories_mask, decode, encode, encode_sealed, entry_heads
from tutela.core.taxonomy import CATEGORIES

VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "record.json").read_text())
ENTRIES = [Entry(e["category"], e["source"], bytes.fromhex(e["envelope_hex"])) for e in VECTOR["entries"]]


def test_framing_matches_the_vector_and_the_documented_layout() -> None:
    blob = encode(ENTRIES)
    assert blob.hex() == VECTOR["record_hex"]
    first = ENTRIES[0]
    assert blob[:4] == bytes((CATEGORIES[first.category].code, 1, 0, len(first.envelope)))  # amazon = 1
    assert decode(blob) == ENTRIES


def test_the_write_path_frames_identically() -> None:
    by_source: dict[str, list[Entry]] = {}
    for entry in ENTRIES:
        by_source.setdefault(entry.source, []).append(entry)
    for source, entries in by_source.items():
        heads = entry_heads(source, [e.category for e in entries])
        fast = encode_sealed(heads, [e.category for e in entries], [e.envelope for e in entries])
        assert fast == encode(entries)


@pytest.mark.parametrize("damage", [lambda b: b[:-1], lambda b: b"\x63" + b[1:], lambda b: b[:1] + b"\x09" + b[2:]])
def test_damaged_framing_is_the_same_opaque_error(damage: object) -> None:
    with pytest.raises(CannotOpen):
        decode(damage(bytes.fromhex(VECTOR["record_hex"])))  # type: ignore[operator]


def test_category_bits() -> None:
    mask = categories_mask(["user.name", "user.contact.email"])
    assert mask == CATEGORIES["user.name"].bit | CATEGORIES["user.contact.email"].bit
    assert len({c.code for c in CATEGORIES.values()}) == len(CATEGORIES)
    assert all(0 < c.code < 63 for c in CATEGORIES.values())
