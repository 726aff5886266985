"""Staff passwords as Amazon's DPP §1.4 wants them: at least 12 characters with upper and
lower case, a digit and a symbol; no part of the user name; none of the last 10; changed at
most once a day and at least once a year. Hashes are argon2id (argon2-cffi's RFC 9106
defaults)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tutela.core.errors import PasswordRejected
from tutela.core.rules import (
    PASSWORD_HISTORY,
    PASSWORD_MAX_AGE_DAYS,
    PASSWORD_MIN_AGE_DAYS,
    PASSWORD_MIN_LENGTH,
)

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash (no timing hint that a name exists)."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("tutela: no such account, same work")


def check_strength(password: str, *, user_name: str) -> None:
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    if not any(c.isupper() for c in password):
        problems.append("an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("a digit")
    if all(c.isalnum() for c in password):
        problems.append("a symbol")
    if problems:
        raise PasswordRejected("the password needs " + ", ".join(problems), hint="choose a longer, mixed password")
    if _contains_user_name(password, user_name):
        raise PasswordRejected("the password contains the user name", hint="leave the user name out of it")


def _contains_user_name(password: str, user_name: str) -> bool:
    lowered = password.casefold()
    parts = [user_name.casefold()] + [p for p in _split_name(user_name.casefold()) if len(p) >= 3]
    return any(part and part in lowered for part in parts)


def _split_name(name: str) -> list[str]:
    for separator in "._-":
        name = name.replace(separator, " ")
    return name.split()


def check_not_reused(password: str, history: Sequence[str]) -> None:
    for old in history[:PASSWORD_HISTORY]:
        if verify_password(old, password):
            raise PasswordRejected(
                f"the password was used before (the last {PASSWORD_HISTORY} cannot be reused)",
                hint="choose one you have not used here",
            )


def check_change_allowed(last_set: datetime | None, now: datetime) -> None:
    if last_set is not None and now - last_set < timedelta(days=PASSWORD_MIN_AGE_DAYS):
        raise PasswordRejected(
            f"the password was changed less than {PASSWORD_MIN_AGE_DAYS} day ago",
            hint="ask an owner to reset it if it is compromised",
        )


def is_expired(last_set: datetime | None, now: datetime) -> bool:
    return last_set is None or now - last_set > timedelta(days=PASSWORD_MAX_AGE_DAYS)
