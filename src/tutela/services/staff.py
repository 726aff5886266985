"""Staff accounts per Amazon's DPP §1.2 and §1.4: one account per person, set up by the
person through a one-time link (no default password exists), argon2id passwords with the
DPP rules, TOTP on every account, lockout after 10 failures, disabling ends access at once.
Every sign-in, failure, lockout, setup and disable is an audit event (names, never secrets)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import Connection, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import (
    AccountLocked,
    InvalidValue,
    SetupLinkInvalid,
    SignInFailed,
    StaffExists,
    StaffNotFound,
)
from tutela.core.passwords import (
    check_change_allowed,
    check_not_reused,
    check_strength,
    hash_password,
    is_expired,
    verify_password,
)
from tutela.core.rules import LOCKOUT_FAILED_ATTEMPTS, PASSWORD_HISTORY, STAFF_SETUP_LINK_HOURS
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import api_token, staff, staff_session
from tutela.services import audit
from tutela.services.context import Context

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]")
ISSUER = "Tutela"
_NO_HISTORY = json.dumps([])


@dataclass(frozen=True)
class StaffSetup:
    name: str
    setup_token: str  # shown once: the person opens the link, enrols TOTP and sets a password
    expires_at: datetime


@dataclass(frozen=True)
class Enrolment:
    name: str
    totp_secret: str  # base32, for authenticator apps that cannot scan
    provisioning_uri: str  # otpauth://… (the console shows it as a QR code)


@dataclass(frozen=True)
class SignedIn:
    staff_id: int
    name: str
    role: str
    must_change_password: bool


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str
    active: bool
    locked: bool
    set_up: bool
    password_set_at: datetime | None
    created_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _load(connection: Connection, name: str) -> Any:
    return connection.execute(select(staff).where(staff.c.name == name)).first()


def add_staff(ctx: Context, *, actor: Actor, name: str, role: str) -> StaffSetup:
    if not _NAME.fullmatch(name):
        raise InvalidValue(
            "a staff name is 3-64 lower-case letters, digits, '.', '_' or '-'", hint="e.g. li.wei or support-2"
        )
    ctx.policy.role(role)
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    expires = now + timedelta(hours=STAFF_SETUP_LINK_HOURS)
    with transaction(ctx.engine) as connection:
        if _load(connection, name) is not None:
            raise StaffExists(f"a staff account '{name}' exists", hint="pick another name; accounts are never shared")
        connection.execute(insert(staff).values(
            name=name, role=role, setup_token_hash=_digest(token), setup_expires_at=expires, created_at=now,
            created_by=actor.id,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(action="staff.add", details={"name": name, "role": role})])
    return StaffSetup(name=name, setup_token=token, expires_at=expires)


def _by_setup_token(connection: Connection, token: str, now: datetime) -> Any:
    row = connection.execute(select(staff).where(staff.c.setup_token_hash == _digest(token))).first()
    if row is None or row.disabled_at is not None or row.setup_expires_at is None or row.setup_expires_at < now:
        raise SetupLinkInvalid(
            "this setup link is not valid (used, expired or unknown)", hint="ask an owner for a new one"
        )
    return row


def enrol(ctx: Context, *, setup_token: str) -> Enrolment:
    """Step 1 of setup: a fresh TOTP secret, kept sealed until the first code proves it."""
    secret = pyotp.random_base32()
    with transaction(ctx.engine) as connection:
        row = _by_setup_token(connection, setup_token, ctx.clock.now())
        sealed = ctx.keyring.seal_secret(f"staff:{row.id}:totp", secret.encode())
        connection.execute(update(staff).where(staff.c.id == row.id).values(totp_secret=sealed, totp_last_step=None))
    uri = pyotp.TOTP(secret).provisioning_uri(name=row.name, issuer_name=f"{ISSUER} ({ctx.policy.shop.name})")
    return Enrolment(name=row.name, totp_secret=secret, provisioning_uri=uri)


def activate(ctx: Context, *, setup_token: str, password: str, code: str) -> None:
    """Step 2: the first TOTP code and the password; the setup link is then spent."""
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _by_setup_token(connection, setup_token, now)
        check_strength(password, user_name=row.name)
        step = _totp_step(ctx, row, code, now)
        if step is None:
            raise SignInFailed("the code is not right", hint="use the current code from the authenticator app")
        connection.execute(update(staff).where(staff.c.id == row.id).values(
            password_hash=hash_password(password), password_set_at=now, password_history=_NO_HISTORY,
            totp_last_step=step, setup_token_hash=None, setup_expires_at=None, failed_attempts=0, locked_at=None,
        ))  # fmt: skip
        audit.record(connection, ctx, _actor(row), [audit.Event(action="staff.activate", details={"name": row.name})])


def _actor(row: Any) -> Actor:
    return Actor(id=f"staff:{row.name}", role=str(row.role))


def _totp_step(ctx: Context, row: Any, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (now or one step either side), if it is right and
    newer than the last one used: a code is good once."""
    if row.totp_secret is None or not re.fullmatch(r"\d{6}", code.strip()):
        return None
    secret = ctx.keyring.open_secret(f"staff:{row.id}:totp", bytes(row.totp_secret)).decode()
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code.strip()) and (
            row.totp_last_step is None or step > int(row.totp_last_step)
        ):
            return step
    return None


def sign_in(ctx: Context, *, name: str, password: str, code: str) -> SignedIn:
    """Password and TOTP code together. A failure is counted and audited — committed — and
    only then reported, with no hint which of the three was wrong."""
    now = ctx.clock.now()
    refused: Exception | None = None
    with transaction(ctx.engine) as connection:
        row = _load(connection, name)
        password_ok = verify_password(row.password_hash if row else None, password)
        if row is None:
            audit.record(connection, ctx, Actor(id="anonymous", role="none"),
                         [audit.Event(action="staff.sign_in", outcome="failed")])  # fmt: skip
            refused = _failure()
        elif row.disabled_at is not None or row.locked_at is not None:
            audit.record(connection, ctx, _actor(row), [audit.Event(
                action="staff.sign_in", outcome="locked", details={"name": row.name})])  # fmt: skip
            refused = AccountLocked("this account is locked or disabled", hint="ask an owner or privacy officer")
        else:
            step = _totp_step(ctx, row, code, now) if password_ok else None
            if step is None:
                _count_failure(connection, ctx, row)
                refused = _failure()
            else:
                connection.execute(
                    update(staff).where(staff.c.id == row.id).values(failed_attempts=0, totp_last_step=step)
                )
                audit.record(connection, ctx, _actor(row), [audit.Event(
                    action="staff.sign_in", details={"name": row.name})])  # fmt: skip
    if refused is not None:
        raise refused
    return SignedIn(int(row.id), row.name, row.role, is_expired(row.password_set_at, now))


def _failure() -> SignInFailed:
    return SignInFailed("the name, password or code is not right", hint="try again; accounts lock after 10 failures")


def _count_failure(connection: Connection, ctx: Context, row: Any) -> None:
    failures = int(row.failed_attempts) + 1
    locked = failures >= LOCKOUT_FAILED_ATTEMPTS
    connection.execute(update(staff).where(staff.c.id == row.id).values(
        failed_attempts=failures, locked_at=ctx.clock.now() if locked else None,
    ))  # fmt: skip
    events = [audit.Event(action="staff.sign_in", outcome="failed", details={"name": row.name, "failures": failures})]
    if locked:
        events.append(audit.Event(action="staff.locked", details={"name": row.name, "failures": failures}))
    audit.record(connection, ctx, _actor(row), events)


def change_password(ctx: Context, *, name: str, old_password: str, new_password: str) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _load(connection, name)
        if row is None or not verify_password(row.password_hash, old_password):
            raise SignInFailed("the name or password is not right", hint="try again")
        check_change_allowed(row.password_set_at, now)
        check_strength(new_password, user_name=row.name)
        history = [row.password_hash, *json.loads(row.password_history)][:PASSWORD_HISTORY]
        check_not_reused(new_password, history)
        connection.execute(update(staff).where(staff.c.id == row.id).values(
            password_hash=hash_password(new_password), password_set_at=now, password_history=json.dumps(history),
        ))  # fmt: skip
        audit.record(connection, ctx, _actor(row), [audit.Event(action="staff.password_change",
                                                                 details={"name": row.name})])  # fmt: skip


def disable(ctx: Context, *, actor: Actor, name: str) -> int:
    """Leavers lose access at once (DPP §1.2.3: within 24 h): the account and its API tokens."""
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _load(connection, name)
        if row is None:
            raise StaffNotFound(f"no staff account '{name}'", hint="see `tutela staff list`")
        connection.execute(update(staff).where(staff.c.id == row.id).values(disabled_at=now, setup_token_hash=None))
        revoked = connection.execute(
            update(api_token).where(api_token.c.staff_id == row.id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount  # fmt: skip
        connection.execute(  # console sessions end at once too
            update(staff_session).where(staff_session.c.staff_id == row.id, staff_session.c.ended_at.is_(None))
            .values(ended_at=now)
        )  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(
            action="staff.disable", details={"name": name, "tokens_revoked": revoked})])  # fmt: skip
    return int(revoked)


def list_staff(ctx: Context) -> list[StaffMember]:
    with read_only(ctx.engine) as connection:
        rows = connection.execute(select(staff).order_by(staff.c.name)).all()
    return [
        StaffMember(r.name, r.role, r.disabled_at is None, r.locked_at is not None, r.password_hash is not None,
                    r.password_set_at, r.created_at)
        for r in rows
    ]  # fmt: skip


def first_owner_setup(ctx: Context) -> StaffSetup | None:
    """On a store without any active owner, an `owner` account awaiting setup, so that the
    first start of `serve` can print a one-time link (there is no default password). The
    link is new on every start until someone has completed the setup."""
    with read_only(ctx.engine) as connection:
        active_owner = connection.execute(
            select(staff.c.id).where(staff.c.role == "owner", staff.c.disabled_at.is_(None),
                                     staff.c.password_hash.isnot(None))
        ).first()  # fmt: skip
        pending = connection.execute(select(staff.c.id).where(staff.c.name == "owner")).first()
    if active_owner is not None or "owner" not in ctx.policy.roles:
        return None
    system = Actor(id="system", role="owner")
    if pending is None:
        return add_staff(ctx, actor=system, name="owner", role="owner")
    token = secrets.token_urlsafe(32)
    expires = ctx.clock.now() + timedelta(hours=STAFF_SETUP_LINK_HOURS)
    with transaction(ctx.engine) as connection:
        connection.execute(update(staff).where(staff.c.name == "owner").values(
            setup_token_hash=_digest(token), setup_expires_at=expires))  # fmt: skip
        audit.record(connection, ctx, system, [audit.Event(action="staff.setup_link", details={"name": "owner"})])
    return StaffSetup(name="owner", setup_token=token, expires_at=expires)
