"""Console sessions: a random id in a Secure, HttpOnly, SameSite=Strict cookie, its hash in
the database with a CSRF token; idle sessions end after 15 minutes and every session after
12 hours; disabling an account ends its sessions at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import TokenInvalid
from tutela.core.passwords import is_expired
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import staff, staff_session
from tutela.services.context import Context
from tutela.services.staff import SignedIn

IDLE = timedelta(minutes=15)
LONGEST = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    staff_id: int
    name: str
    role: str
    csrf_token: str
    must_change_password: bool = False  # DPP §1.4: older than 365 days

    @property
    def actor(self) -> Actor:
        return Actor(id=f"staff:{self.name}", role=self.role)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(ctx: Context, signed_in: SignedIn) -> tuple[str, Session]:
    """A new session for a signed-in person; returns the cookie value (shown once)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        connection.execute(insert(staff_session).values(
            id_hash=_digest(session_id), staff_id=signed_in.staff_id, csrf_token=csrf, created_at=now,
            last_seen_at=now,
        ))  # fmt: skip
    return session_id, Session(signed_in.staff_id, signed_in.name, signed_in.role, csrf, signed_in.must_change_password)


def resume(ctx: Context, session_id: str) -> Session:
    """The session behind a cookie, touched; TokenInvalid when it is over (sign in again)."""
    ended = TokenInvalid("the session is over", hint="sign in again")
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = connection.execute(
            select(
                staff_session,
                staff.c.name,
                staff.c.role,
                staff.c.disabled_at,
                staff.c.locked_at,
                staff.c.password_set_at,
            )
            .join(staff, staff.c.id == staff_session.c.staff_id)
            .where(staff_session.c.id_hash == _digest(session_id))
        ).first()
        if row is None or row.ended_at is not None or row.disabled_at is not None or row.locked_at is not None:
            raise ended
        if now - row.last_seen_at > IDLE or now - row.created_at > LONGEST:
            connection.execute(update(staff_session).where(staff_session.c.id_hash == row.id_hash).values(ended_at=now))
            raise ended
        connection.execute(update(staff_session).where(staff_session.c.id_hash == row.id_hash).values(last_seen_at=now))
    return Session(int(row.staff_id), row.name, row.role, row.csrf_token, is_expired(row.password_set_at, now))


def end(ctx: Context, session_id: str) -> None:
    with transaction(ctx.engine) as connection:
        connection.execute(
            update(staff_session).where(staff_session.c.id_hash == _digest(session_id)).values(ended_at=ctx.clock.now())
        )
