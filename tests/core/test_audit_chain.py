from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tutela.core.audit_chain import GENESIS, EventBody, verify_rows

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "audit_chain.json").read_text())
BODY_KEYS = ("seq", "at", "actor", "action", "customer_id", "purpose", "fields", "outcome", "details")


def _rows() -> list[dict[str, Any]]:
    return [dict(e) for e in VECTORS["events"]]


def test_canonical_encoding_and_link_hash_match_vectors() -> None:
    prev = GENESIS
    for event in VECTORS["events"]:
        body = EventBody(**{k: event[k] for k in BODY_KEYS})
        assert body.encode().decode() == event["canonical"]
        assert body.link_hash(prev) == event["hash"]
        expected = hashlib.sha256(prev.encode() + b"\n" + event["canonical"].encode()).hexdigest()
        assert event["hash"] == expected
        prev = event["hash"]


def test_intact_chain_verifies() -> None:
    verdict = verify_rows(_rows())
    assert verdict.ok
    assert verdict.events == 2
    assert verdict.head_hash == VECTORS["events"][-1]["hash"]


def test_altered_event_is_named() -> None:
    rows = _rows()
    rows[1]["details"] = rows[1]["details"].replace("3", "4")
    verdict = verify_rows(rows)
    assert verdict.first_break is not None
    assert verdict.first_break.seq == 2
    assert "altered" in verdict.first_break.reason


def test_missing_event_is_named() -> None:
    verdict = verify_rows(_rows()[1:])
    assert verdict.first_break is not None
    assert verdict.first_break.seq == 1
    assert "missing" in verdict.first_break.reason


def test_relinked_event_is_named() -> None:
    rows = _rows()
    rows[1]["prev_hash"] = GENESIS
    verdict = verify_rows(rows)
    assert verdict.first_break is not None
    assert (verdict.first_break.seq, verdict.head_seq) == (2, 1)
