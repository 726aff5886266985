"""Every policy that was ever in force, as numbered versions; each change is one audit
event that carries the diff (policies hold no personal data, so the diff may be logged)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from tutela.core.actor import Actor
from tutela.core.policy import Policy, load_policy
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import policy_version
from tutela.core.whole_file import whole_file
from tutela.services import audit
from tutela.services.context import Context


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    sha256: str
    applied_at: datetime
    actor: str


def _latest(connection: Connection) -> tuple[int, str, str] | None:
    row = connection.execute(
        select(policy_version.c.version, policy_version.c.sha256, policy_version.c.text)
        .order_by(policy_version.c.version.desc())
        .limit(1)
    ).first()
    return (int(row.version), str(row.sha256), str(row.text)) if row else None


def record_version(connection: Connection, ctx: Context, actor: Actor, policy: Policy) -> int | None:
    """Record `policy` as the newest version unless it already is; returns the new number."""
    latest = _latest(connection)
    if latest is not None and latest[1] == policy.sha256:
        return None
    number = 1 if latest is None else latest[0] + 1
    old_text = "" if latest is None else latest[2]
    diff = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            policy.text.splitlines(keepends=True),
            fromfile=f"policy v{number - 1}" if latest else "(none)",
            tofile=f"policy v{number}",
        )
    )
    connection.execute(
        insert(policy_version).values(
            version=number, sha256=policy.sha256, text=policy.text, applied_at=ctx.clock.now(), actor=actor.id
        )
    )
    audit.record(
        connection,
        ctx,
        actor,
        [audit.Event(action="policy.change", details={"version": number, "sha256": policy.sha256, "diff": diff})],
    )
    return number


def sync(connection: Connection, ctx: Context, actor: Actor) -> int | None:
    """A policy edited by hand on disk becomes a version the next time the store opens."""
    return record_version(connection, ctx, actor, ctx.policy)


def apply(ctx: Context, actor: Actor, source: Path) -> int | None:
    """Validate `source`, record it as a new version, and install it in the data directory."""
    policy = load_policy(source)
    target = ctx.settings.policy_file
    # Recorded while the new file waits beside the old one: a failed record leaves neither.
    with whole_file(target, prefix=".policy-") as handle:
        handle.write(policy.text)
        with transaction(ctx.engine) as connection:
            number = record_version(connection, ctx, actor, policy)
    return number


def history(ctx: Context) -> list[PolicyVersion]:
    with read_only(ctx.engine) as connection:
        rows = connection.execute(
            select(
                policy_version.c.version, policy_version.c.sha256, policy_version.c.applied_at, policy_version.c.actor
            ).order_by(policy_version.c.version)
        ).all()
    return [PolicyVersion(int(r.version), str(r.sha256), r.applied_at, str(r.actor)) for r in rows]
