from __future__ import annotations

import pytest

from tests.conftest import OWNER
from tests.helpers import ADA, execute, rows
from tutela.core.audit_chain import EventBody
from tutela.core.errors import CheckpointInvalid
from tutela.services import audit, vault
from tutela.services.context import Context


def busy_store(store: Context) -> str:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    for purpose in ("fulfillment", "support", "returns"):
        vault.reveal(store, actor=OWNER, purpose=purpose, customer_id=customer_id)
    return customer_id


def test_intact_log_verifies(store: Context) -> None:
    busy_store(store)
    report = audit.verify(store)
    assert report.ok
    assert report.verdict.events == len(rows(store, "SELECT seq FROM audit_event"))


def test_altered_event_is_the_first_broken_link(store: Context) -> None:
    busy_store(store)
    execute(store, "UPDATE audit_event SET purpose = 'marketing_email' WHERE seq = 4")
    report = audit.verify(store)
    assert report.verdict.first_break is not None
    assert report.verdict.first_break.seq == 4
    assert report.verdict.head_seq == 3


def test_deleted_middle_event_is_found(store: Context) -> None:
    busy_store(store)
    execute(store, "DELETE FROM audit_event WHERE seq = 3")
    report = audit.verify(store)
    assert report.verdict.first_break is not None
    assert report.verdict.first_break.seq == 3


def test_dropped_tail_is_caught_by_the_head_row(store: Context) -> None:
    busy_store(store)
    execute(store, "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    report = audit.verify(store)
    assert report.verdict.ok
    assert not report.head_matches
    assert not report.ok


def _rewrite_chain_consistently(store: Context, keep: int) -> None:
    """What an attacker with database access does: truncate, or edit and rehash everything after."""
    execute(store, "DELETE FROM audit_event WHERE seq > :k", k=keep)
    (last,) = rows(store, "SELECT hash FROM audit_event WHERE seq = :k", k=keep)
    execute(store, "UPDATE audit_head SET seq = :k, hash = :h", k=keep, h=last.hash)


def test_truncation_is_caught_by_an_earlier_checkpoint(store: Context) -> None:
    busy_store(store)
    line = audit.checkpoint(store, OWNER)
    _rewrite_chain_consistently(store, keep=3)
    assert audit.verify(store).ok  # without the checkpoint, a clean truncation looks fine
    report = audit.verify(store, checkpoint=line)
    assert report.checkpoint_problem is not None
    assert "truncated" in report.checkpoint_problem


def test_rewrite_is_caught_by_an_earlier_checkpoint(store: Context) -> None:
    busy_store(store)
    line = audit.checkpoint(store, OWNER)
    events = [dict(r._mapping) for r in rows(store, "SELECT * FROM audit_event ORDER BY seq")]
    events[2]["purpose"] = "marketing_email"
    prev = events[1]["hash"]
    for event in events[2:]:
        body = EventBody(
            **{
                k: event[k]
                for k in ("seq", "at", "actor", "action", "customer_id", "purpose", "fields", "outcome", "details")
            }
        )
        event["prev_hash"], event["hash"] = prev, body.link_hash(prev)
        prev = event["hash"]
        execute(
            store,
            "UPDATE audit_event SET purpose = :p, prev_hash = :ph, hash = :h WHERE seq = :s",
            p=event["purpose"],
            ph=event["prev_hash"],
            h=event["hash"],
            s=event["seq"],
        )
    execute(store, "UPDATE audit_head SET hash = :h", h=prev)
    assert audit.verify(store).ok
    report = audit.verify(store, checkpoint=line)
    assert report.checkpoint_problem is not None
    assert "rewritten" in report.checkpoint_problem


def test_forged_checkpoint_is_refused(store: Context) -> None:
    busy_store(store)
    line = audit.checkpoint(store, OWNER)
    prefix, version, seq, digest, signature = line.split(":")
    for forged in (f"{prefix}:{version}:{int(seq) + 1}:{digest}:{signature}", "garbage", line[:-1] + "0"):
        if forged == line:
            continue
        with pytest.raises(CheckpointInvalid):
            audit.verify(store, checkpoint=forged)


def test_checkpoint_twice_at_the_same_head_is_fine(store: Context) -> None:
    busy_store(store)
    first = audit.checkpoint(store, OWNER)
    assert audit.verify(store, checkpoint=first).ok
    second = audit.checkpoint(store, OWNER)
    assert first != second
    assert audit.verify(store, checkpoint=second).ok


def test_tail_returns_the_newest_events_in_order(store: Context) -> None:
    busy_store(store)
    events = audit.tail(store, limit=2)
    assert [e["action"] for e in events] == ["customer.reveal", "customer.reveal"]
    assert events[0]["seq"] + 1 == events[1]["seq"]
