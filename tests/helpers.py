"""Small helpers shared by tests: raw SQL against the store, and the audit-failure switch."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from sqlalchemy import text

from tutela.core.clock import FixedClock
from tutela.services.context import Context

ADA = {
    "user.name": "Ada Lovelace",
    "user.contact.email": "Ada.Lovelace@Example.com",
    "user.contact.phone_number": "+44 20 7946 0018",
    "user.contact.address.street": "12 St James's Square",
    "user.contact.address.city": "London",
    "user.contact.address.postal_code": "SW1Y 4JH",
}


def rows(ctx: Context, sql: str, **params: Any) -> list[Any]:
    with ctx.engine.connect() as connection:
        return list(connection.execute(text(sql), params).all())


def execute(ctx: Context, sql: str, **params: Any) -> None:
    with ctx.engine.begin() as connection:
        connection.execute(text(sql), params)


def break_audit_inserts(ctx: Context) -> None:
    """A real database trigger that makes every audit insert fail (no mock)."""
    if ctx.engine.dialect.name == "sqlite":
        execute(
            ctx,
            "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit disk full'); END",
        )
    else:
        execute(
            ctx,
            "CREATE FUNCTION audit_fails() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit disk full'; END $$ LANGUAGE plpgsql",
        )
        execute(
            ctx, "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_fails()"
        )


def count(ctx: Context, table: str) -> int:
    return int(rows(ctx, f"SELECT count(*) FROM {table}")[0][0])


def stored_fields(ctx: Context) -> int:
    """How many personal fields the store holds (counted from the records' category bits)."""
    return sum(bin(int(r[0])).count("1") for r in rows(ctx, "SELECT categories FROM record"))


def totp_code(secret: str, clock: FixedClock, steps: int = 0) -> str:
    """The authenticator code for `secret` at the test clock's time."""
    totp = pyotp.TOTP(secret)
    return str(totp.generate_otp(int(clock.now().timestamp()) // totp.interval + steps))


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)
