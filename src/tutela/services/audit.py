"""Writing audit events into the same transaction as the work they record (so that no
event means no data), and reading, verifying and checkpointing the chain."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

from tutela.core import audit_chain
from tutela.core.actor import Actor
from tutela.core.audit_chain import GENESIS, Verdict, canonical_json, encode_event, link_hash
from tutela.core.errors import AuditWriteFailed, CheckpointInvalid
from tutela.core.storage.bulk import insert_rows
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import audit_checkpoint, audit_event, audit_head
from tutela.services.context import Context

CHECKPOINT_PREFIX = "tutela-ckpt:v1"


class Event(NamedTuple):  # a tuple: one per stored customer on the bulk path
    action: str
    customer_id: str | None = None
    purpose: str | None = None
    fields: Sequence[str] = ()
    outcome: str = "ok"
    details: Mapping[str, Any] | None = None


def _timestamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Built once: every write of every kind runs these.
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))


def _lock_head(connection: Connection) -> tuple[int, str]:
    row = connection.execute(_HEAD_LOCKED if connection.dialect.name == "postgresql" else _HEAD).first()
    if row is None:
        connection.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row.seq), str(row.hash)


_EVENT_COLUMNS = (
    "seq", "at", "actor", "action", "customer_id", "purpose", "fields", "outcome", "details", "prev_hash", "hash",
)  # fmt: skip


def record(connection: Connection, ctx: Context, actor: Actor, events: Iterable[Event]) -> int:
    """Append events to the chain inside the caller's transaction. Any failure raises
    AuditWriteFailed, and the caller's transaction must then roll back (fail closed)."""
    try:
        seq, prev = _lock_head(connection)
        at = _timestamp(ctx.clock.now())
        field_lists: dict[tuple[str, ...], str] = {}  # a batch repeats the same field lists...
        details_memo: dict[tuple[tuple[str, Any], ...], str] = {}  # ...and often the same details
        rows: list[tuple[Any, ...]] = []
        for event in events:
            seq += 1
            names = tuple(sorted(event.fields))
            fields = field_lists.get(names) or field_lists.setdefault(names, canonical_json(list(names)))
            columns = (seq, at, actor.id, event.action, event.customer_id, event.purpose, fields,
                       event.outcome, _details_json(event.details, details_memo))  # fmt: skip
            digest = link_hash(prev, encode_event(columns))
            rows.append((*columns, prev, digest))
            prev = digest
        if not rows:
            return seq
        insert_rows(connection, audit_event, _EVENT_COLUMNS, rows)
        connection.execute(_MOVE_HEAD, {"seq": seq, "hash": prev})
        return seq
    except DBAPIError:
        raise AuditWriteFailed(
            "the audit log could not be written, so nothing was done",
            hint="check the database (disk space, permissions) and try again",
        ) from None


def _details_json(details: Mapping[str, Any] | None, memo: dict[tuple[tuple[str, Any], ...], str]) -> str:
    if not details:
        return "{}"
    try:
        key = tuple(details.items())  # same code path, same key order
        hash(key)
    except TypeError:  # lists inside: not worth a memo
        return canonical_json(dict(details))
    found = memo.get(key)
    if found is None:
        found = memo[key] = canonical_json(dict(details))
    return found


def record_alone(ctx: Context, actor: Actor, event: Event) -> None:
    """An event with no other work attached (e.g. a failed read)."""
    with transaction(ctx.engine) as connection:
        record(connection, ctx, actor, [event])


def tail(ctx: Context, *, limit: int = 20) -> list[dict[str, Any]]:
    with read_only(ctx.engine) as connection:
        rows = connection.execute(select(audit_event).order_by(audit_event.c.seq.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in reversed(rows)]


def page(ctx: Context, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Events with seq > `after`, oldest first."""
    with read_only(ctx.engine) as connection:
        rows = (
            connection.execute(
                select(audit_event).where(audit_event.c.seq > after).order_by(audit_event.c.seq).limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def _stream(connection: Connection, batch: int = 5000) -> Iterator[Mapping[Any, Any]]:
    last = 0
    while True:
        rows = (
            connection.execute(
                select(audit_event).where(audit_event.c.seq > last).order_by(audit_event.c.seq).limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = int(rows[-1]["seq"])


@dataclass(frozen=True)
class VerifyReport:
    verdict: Verdict
    head_matches: bool
    checkpoint_problem: str | None

    @property
    def ok(self) -> bool:
        return self.verdict.ok and self.head_matches and self.checkpoint_problem is None


def verify(ctx: Context, *, checkpoint: str | None = None) -> VerifyReport:
    """Walk the whole chain; compare with the head row and, if given, a checkpoint that was
    kept elsewhere (a rewritten or truncated log cannot match a checkpoint signed before)."""
    expected = parse_checkpoint(ctx, checkpoint) if checkpoint else None
    with read_only(ctx.engine) as connection:
        seen_at_checkpoint: str | None = None

        def rows() -> Iterator[Mapping[Any, Any]]:
            nonlocal seen_at_checkpoint
            for row in _stream(connection):
                if expected and int(row["seq"]) == expected[0]:
                    seen_at_checkpoint = str(row["hash"])
                yield row

        verdict = audit_chain.verify_rows(rows())
        head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    head_seq, head_hash = (int(head.seq), str(head.hash)) if head else (0, GENESIS)
    head_matches = not verdict.ok or (head_seq == verdict.head_seq and head_hash == verdict.head_hash)
    problem = None
    if expected is not None and verdict.ok:
        seq, digest = expected
        if verdict.head_seq < seq:
            problem = (
                f"the log ends at event {verdict.head_seq} but the checkpoint covers event {seq}: it was truncated"
            )
        elif seen_at_checkpoint != digest:
            problem = f"event {seq} differs from the checkpoint: the log was rewritten"
    return VerifyReport(verdict=verdict, head_matches=head_matches, checkpoint_problem=problem)


def checkpoint(ctx: Context, actor: Actor) -> str:
    """Sign the current head, store it, audit it, and return the text to keep elsewhere."""
    with transaction(ctx.engine) as connection:
        seq, digest = _lock_head(connection)
        signature = _sign(ctx, seq, digest)
        already = connection.execute(select(audit_checkpoint.c.seq).where(audit_checkpoint.c.seq == seq)).first()
        if already is None:
            connection.execute(
                insert(audit_checkpoint).values(seq=seq, hash=digest, signature=signature, created_at=ctx.clock.now())
            )
        record(connection, ctx, actor, [Event(action="audit.checkpoint", details={"covers_seq": seq})])
    return f"{CHECKPOINT_PREFIX}:{seq}:{digest}:{signature}"


def _sign(ctx: Context, seq: int, digest: str) -> str:
    return ctx.keyring.checkpoint_mac(f"{CHECKPOINT_PREFIX}|{ctx.keyring.store_id}|{seq}|{digest}".encode()).hex()


def parse_checkpoint(ctx: Context, text: str) -> tuple[int, str]:
    parts = text.strip().split(":")
    bad = CheckpointInvalid(
        "that checkpoint is not valid for this store",
        hint="pass the exact line printed by `tutela audit checkpoint`",
    )
    if len(parts) != 5 or ":".join(parts[:2]) != CHECKPOINT_PREFIX or not parts[2].isdigit():
        raise bad
    seq, digest, signature = int(parts[2]), parts[3], parts[4]
    if not hmac.compare_digest(_sign(ctx, seq, digest), signature):
        raise bad
    return seq, digest
