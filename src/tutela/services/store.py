"""Creating a store and opening it: keys checked against the database, schema migrated,
the policy on disk recorded as a version if it changed, tombstones re-applied."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, Engine, insert, inspect, select
from sqlalchemy.exc import DBAPIError

from tutela.core.actor import SYSTEM, Actor
from tutela.core.clock import Clock
from tutela.core.crypto.keyfile import read_keyring, write_key_file
from tutela.core.crypto.keyring import Keyring
from tutela.core.errors import KeyMismatch, StoreExists, StoreNotInitialised
from tutela.core.policy import default_policy_text, load_policy
from tutela.core.settings import Settings
from tutela.core.storage import migrate
from tutela.core.storage.engine import make_engine, storage_error, transaction
from tutela.core.storage.schema import key_version, meta
from tutela.services import audit, erasure, policy_versions
from tutela.services.context import Context, KeyringHolder


def _has_store(engine: Engine) -> bool:
    try:
        if not inspect(engine).has_table("meta"):
            return False
        with engine.connect() as connection:
            return connection.execute(select(meta.c.value).where(meta.c.key == "store_id")).first() is not None
    except DBAPIError as exc:
        raise storage_error(exc, engine.dialect.name) from None


def init_store(settings: Settings, clock: Clock, *, actor: Actor = SYSTEM) -> Context:
    """A new store: database schema, key file (0600), default policy. Refuses to overwrite."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.master_key is None and settings.key_file.exists():
        raise StoreExists(
            f"{settings.key_file} already exists", hint="use the existing store, or choose another --data-dir"
        )
    engine = make_engine(settings)
    if _has_store(engine):
        engine.dispose()
        raise StoreExists(
            "the database already holds a tutela store",
            hint="use it, or point TUTELA_DATABASE_URL at an empty database",
        )
    store_id = secrets.token_hex(16)
    if settings.master_key is not None:
        keyring = read_keyring(settings)
    else:
        keyring = Keyring.generate(store_id)
        write_key_file(settings.key_file, keyring)
    if not settings.policy_file.exists():
        settings.policy_file.write_text(default_policy_text(), "utf-8")
    policy = load_policy(settings.policy_file)
    try:
        migrate.upgrade(engine)
    except DBAPIError as exc:
        raise storage_error(exc, engine.dialect.name) from None
    ctx = Context(settings=settings, engine=engine, keys=KeyringHolder(settings, keyring), clock=clock, policy=policy)
    with transaction(engine) as connection:
        connection.execute(insert(meta).values(key="store_id", value=keyring.store_id))
        connection.execute(insert(meta).values(key="created_at", value=clock.now().isoformat()))
        for version in sorted(keyring.keks):
            connection.execute(
                insert(key_version).values(
                    version=version, key_check=keyring.key_check(version), created_at=clock.now()
                )
            )
        audit.record(
            connection,
            ctx,
            actor,
            [
                audit.Event(
                    action="store.init", details={"backend": engine.dialect.name, "kek_versions": sorted(keyring.keks)}
                )
            ],
        )
        policy_versions.record_version(connection, ctx, actor, policy)
    return ctx


def open_store(settings: Settings, clock: Clock, *, actor: Actor = SYSTEM) -> Context:
    engine = make_engine(settings)
    try:
        return _open(settings, clock, engine, actor)
    except BaseException:
        engine.dispose()
        raise


def _open(settings: Settings, clock: Clock, engine: Engine, actor: Actor) -> Context:
    if settings.backend == "sqlite" and not (settings.data_dir / "tutela.db").exists():
        raise StoreNotInitialised(
            f"no tutela store in {settings.data_dir}", hint="run `tutela init` (or pass --data-dir)"
        )
    if not _has_store(engine):
        raise StoreNotInitialised("the database holds no tutela store", hint="run `tutela init`")
    keyring = read_keyring(settings)
    if migrate.current_revision(engine) != migrate.head_revision():
        migrate.upgrade(engine)
    policy = load_policy(settings.policy_file)
    ctx = Context(settings=settings, engine=engine, keys=KeyringHolder(settings, keyring), clock=clock, policy=policy)
    with transaction(engine) as connection:
        _check_keys(connection, ctx, actor)
        policy_versions.sync(connection, ctx, actor)
    erasure.reapply_tombstones(ctx, actor=actor)
    return ctx


def _check_keys(connection: Connection, ctx: Context, actor: Actor) -> None:
    keyring = ctx.keyring
    store_id = connection.execute(select(meta.c.value).where(meta.c.key == "store_id")).scalar_one()
    if store_id != keyring.store_id:
        raise KeyMismatch(
            "the key material belongs to another tutela store",
            hint="use this store's key file (or TUTELA_MASTER_KEY), or the data directory that matches the key",
        )
    known = {int(r.version): str(r.key_check) for r in connection.execute(select(key_version))}
    for version, check in known.items():
        if not keyring.matches_check(version, check):
            raise KeyMismatch(
                f"key version {version} does not match this store",
                hint="restore the store's current key file from your backup (it has every key version)",
            )
    added = sorted(set(keyring.keks) - set(known))
    for version in added:  # a rotation that wrote the key file and stopped before the database
        connection.execute(
            insert(key_version).values(
                version=version, key_check=keyring.key_check(version), created_at=ctx.clock.now()
            )
        )
    if added:
        audit.record(
            connection, ctx, actor, [audit.Event(action="keys.version_registered", details={"versions": added})]
        )
