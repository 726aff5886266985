"""Key status and rotation. Rotation adds a KEK version and rewraps every DEK in small
batches (reads and writes go on meanwhile); field ciphertexts are never re-encrypted. A
rotation that was interrupted is completed by running it again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from tutela.core.actor import Actor
from tutela.core.crypto.keyfile import write_key_file
from tutela.core.errors import KeysReadOnly
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import customer, key_version
from tutela.services import audit
from tutela.services.context import Context


@dataclass(frozen=True)
class KeyVersionStatus:
    version: int
    created_at: datetime
    data_keys: int


@dataclass(frozen=True)
class KeysStatus:
    source: str  # "key file <path>" or "TUTELA_MASTER_KEY"
    newest_version: int
    versions: list[KeyVersionStatus]
    pending_rewrap: int


@dataclass(frozen=True)
class RotationReport:
    version: int
    started_new_version: bool
    rewrapped: int
    complete: bool


def status(ctx: Context) -> KeysStatus:
    newest = ctx.keyring.newest_version
    with read_only(ctx.engine) as connection:
        created = {int(r.version): r.created_at for r in connection.execute(select(key_version))}
        counts = {
            int(r.kek_version): int(r.n)
            for r in connection.execute(
                select(customer.c.kek_version, func.count().label("n"))
                .where(customer.c.wrapped_dek.isnot(None))
                .group_by(customer.c.kek_version)
            )
        }
    versions = [KeyVersionStatus(v, created[v], counts.get(v, 0)) for v in sorted(created)]
    pending = sum(n for v, n in counts.items() if v < newest)
    source = "TUTELA_MASTER_KEY" if ctx.settings.master_key else f"key file {ctx.settings.key_file}"
    return KeysStatus(source=source, newest_version=newest, versions=versions, pending_rewrap=pending)


def _pending(ctx: Context, newest: int) -> int:
    with read_only(ctx.engine) as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(customer)
                .where(customer.c.wrapped_dek.isnot(None), customer.c.kek_version < newest)
            ).scalar_one()
        )


def rotate(
    ctx: Context,
    *,
    actor: Actor,
    batch_size: int = 1000,
    max_batches: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> RotationReport:
    started = False
    if _pending(ctx, ctx.keyring.newest_version) == 0:
        if ctx.settings.master_key is not None:
            raise KeysReadOnly(
                "keys come from TUTELA_MASTER_KEY, which tutela cannot rewrite",
                hint="put the keyring in the data directory's key file (mode 0600) to rotate, then update the variable",
            )
        new_keyring = ctx.keyring.with_new_version()
        write_key_file(ctx.settings.key_file, new_keyring)  # first the file: a crash here leaves a usable extra key
        ctx.keys.replace(new_keyring)
        with transaction(ctx.engine) as connection:
            version = new_keyring.newest_version
            connection.execute(
                insert(key_version).values(
                    version=version, key_check=new_keyring.key_check(version), created_at=ctx.clock.now()
                )
            )
            audit.record(connection, ctx, actor, [audit.Event(action="keys.rotate", details={"new_version": version})])
        started = True
    newest = ctx.keyring.newest_version
    rewrapped = 0
    batches = 0
    after = ""
    while max_batches is None or batches < max_batches:
        done, after = _rewrap_batch(ctx, actor, newest, batch_size, after)
        if done == 0:
            break
        rewrapped += done
        batches += 1
        if on_batch:
            on_batch(rewrapped)
    complete = _pending(ctx, newest) == 0
    if complete and (rewrapped or started):
        audit.record_alone(
            ctx, actor, audit.Event(action="keys.rotate_complete", details={"version": newest, "rewrapped": rewrapped})
        )
    return RotationReport(version=newest, started_new_version=started, rewrapped=rewrapped, complete=complete)


def _rewrap_batch(ctx: Context, actor: Actor, newest: int, batch_size: int, after: str) -> tuple[int, str]:
    """Rewrap the next `batch_size` data keys after customer id `after`, in id order (the
    primary key: no index on kek_version to slow every insert down)."""
    with transaction(ctx.engine) as connection:
        query = (
            select(customer.c.id, customer.c.kek_version, customer.c.wrapped_dek)
            .where(customer.c.id > after, customer.c.wrapped_dek.isnot(None), customer.c.kek_version < newest)
            .order_by(customer.c.id)
            .limit(batch_size)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = connection.execute(query).all()
        for row in rows:
            version, wrapped = ctx.keyring.rewrap_dek(row.id, int(row.kek_version), bytes(row.wrapped_dek))
            connection.execute(
                update(customer)
                .where(customer.c.id == row.id, customer.c.kek_version == row.kek_version)
                .values(kek_version=version, wrapped_dek=wrapped)
            )
        if rows:
            event = audit.Event(action="keys.rewrap", details={"count": len(rows), "to_version": newest})
            audit.record(connection, ctx, actor, [event])
    return len(rows), (str(rows[-1].id) if rows else after)
