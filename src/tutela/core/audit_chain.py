"""The audit log's hash chain: a canonical encoding of one event, the link hash, and a
verifier that names the first broken link. Pure: storage hands rows in, verdicts come out.

link hash = SHA-256( prev_hash_hex || "\\n" || canonical(event) ), where canonical(event)
is compact JSON of the event's columns in a fixed order, UTF-8, `fields` and `details`
themselves canonical JSON. The first event's prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Compact, key-sorted, UTF-8 JSON (one encoder reused: this is on the write path)."""
    return _CANONICAL.encode(value)


@dataclass(frozen=True)
class EventBody:
    """One event as it is hashed and stored (no personal-data values, ever)."""

    seq: int
    at: str
    actor: str
    action: str
    customer_id: str | None
    purpose: str | None
    fields: str  # canonical JSON list of field names
    outcome: str
    details: str  # canonical JSON object

    def encode(self) -> bytes:
        return encode_event(
            (self.seq, self.at, self.actor, self.action, self.customer_id, self.purpose,
             self.fields, self.outcome, self.details)
        )  # fmt: skip

    def link_hash(self, prev_hash: str) -> str:
        return link_hash(prev_hash, self.encode())


def encode_event(columns: tuple[int, str, str, str, str | None, str | None, str, str, str]) -> bytes:
    """The canonical encoding of an event's columns, in the order of EventBody."""
    return _CANONICAL.encode(columns).encode("utf-8")


def link_hash(prev_hash: str, encoded: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + encoded).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


@dataclass(frozen=True)
class Verdict:
    events: int
    head_seq: int
    head_hash: str
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def body_from_row(row: Mapping[Any, Any]) -> EventBody:
    return EventBody(
        seq=int(row["seq"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        customer_id=row["customer_id"],
        purpose=row["purpose"],
        fields=row["fields"],
        outcome=row["outcome"],
        details=row["details"],
    )


def verify_rows(rows: Iterable[Mapping[Any, Any]]) -> Verdict:
    """Walk the rows in seq order; stop at the first link that does not hold."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        body = body_from_row(row)
        if body.seq != expected_seq:
            return Verdict(
                count,
                expected_seq - 1,
                expected_prev,
                Break(expected_seq, f"event {expected_seq} is missing (next is {body.seq})"),
            )
        if row["prev_hash"] != expected_prev:
            return Verdict(
                count,
                body.seq - 1,
                expected_prev,
                Break(body.seq, f"event {body.seq} does not link to event {body.seq - 1}"),
            )
        if body.link_hash(expected_prev) != row["hash"]:
            return Verdict(
                count,
                body.seq - 1,
                expected_prev,
                Break(body.seq, f"event {body.seq} was altered (its hash does not match)"),
            )
        expected_prev = row["hash"]
        expected_seq += 1
        count += 1
    return Verdict(count, expected_seq - 1, expected_prev, None)
