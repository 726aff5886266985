"""Staff accounts and API tokens, on both backends, with a fixed clock and real TOTP codes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import OWNER
from tests.helpers import rows, totp_code
from tutela.core.clock import FixedClock
from tutela.core.errors import (
    AccountLocked,
    InvalidValue,
    PasswordRejected,
    SetupLinkInvalid,
    SignInFailed,
    StaffExists,
    TokenInvalid,
    TokenNotAllowed,
    UnknownRole,
)
from tutela.services import staff, tokens
from tutela.services.context import Context

GOOD = "Correct-Horse-42-Battery"


def set_up(store: Context, clock: FixedClock, name: str = "li.wei", role: str = "support_agent") -> str:
    setup = staff.add_staff(store, actor=OWNER, name=name, role=role)
    enrolment = staff.enrol(store, setup_token=setup.setup_token)
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    staff.activate(store, setup_token=setup.setup_token, password=GOOD, code=totp_code(enrolment.totp_secret, clock))
    clock.advance(timedelta(seconds=30))
    return enrolment.totp_secret


def test_setup_then_sign_in_with_password_and_totp(store: Context, clock: FixedClock) -> None:
    secret = set_up(store, clock)
    signed = staff.sign_in(store, name="li.wei", password=GOOD, code=totp_code(secret, clock))
    assert (signed.name, signed.role, signed.must_change_password) == ("li.wei", "support_agent", False)
    (member,) = staff.list_staff(store)
    assert member.set_up and member.active and not member.locked
    stored = rows(store, "SELECT password_hash, totp_secret FROM staff")[0]
    assert stored.password_hash.startswith("$argon2id$")
    assert secret.encode() not in bytes(stored.totp_secret)  # sealed, not plain


def test_a_setup_link_works_once_and_expires(store: Context, clock: FixedClock) -> None:
    setup = staff.add_staff(store, actor=OWNER, name="ana.b", role="returns_agent")
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    staff.activate(store, setup_token=setup.setup_token, password=GOOD, code=totp_code(secret, clock))
    with pytest.raises(SetupLinkInvalid):
        staff.enrol(store, setup_token=setup.setup_token)
    late = staff.add_staff(store, actor=OWNER, name="bo.li", role="marketing")
    clock.advance(timedelta(hours=73))
    with pytest.raises(SetupLinkInvalid):
        staff.enrol(store, setup_token=late.setup_token)


@pytest.mark.parametrize(
    ("password", "problem"),
    [("Short-1a", "at least 12 characters"), ("alllowercase-123", "an upper-case letter"),
     ("NoDigitsHere-Now", "a digit"), ("NoSymbols12345A", "a symbol"), ("Li.Wei-Secure-123", "user name")],
)  # fmt: skip
def test_dpp_password_rules(store: Context, clock: FixedClock, password: str, problem: str) -> None:
    setup = staff.add_staff(store, actor=OWNER, name="li.wei", role="support_agent")
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    with pytest.raises(PasswordRejected) as caught:
        staff.activate(store, setup_token=setup.setup_token, password=password, code=totp_code(secret, clock))
    assert problem in caught.value.message
    assert password not in str(caught.value)


def test_wrong_password_or_code_give_the_same_answer_and_lock_after_ten(store: Context, clock: FixedClock) -> None:
    secret = set_up(store, clock)
    messages = set()
    for attempt in range(9):
        wrong_code = attempt % 2 == 0
        with pytest.raises(SignInFailed) as caught:
            staff.sign_in(store, name="li.wei", password=GOOD if wrong_code else "Wrong-Password-99",
                          code="000000" if wrong_code else totp_code(secret, clock))  # fmt: skip
        messages.add(str(caught.value))
    with pytest.raises(SignInFailed) as unknown:
        staff.sign_in(store, name="nobody", password=GOOD, code="123456")
    messages.add(str(unknown.value))
    assert len(messages) == 1
    with pytest.raises(SignInFailed):
        staff.sign_in(store, name="li.wei", password="Wrong-Password-99", code="000000")  # the tenth
    with pytest.raises(AccountLocked):
        staff.sign_in(store, name="li.wei", password=GOOD, code=totp_code(secret, clock))
    actions = [r.action for r in rows(store, "SELECT action FROM audit_event WHERE action LIKE 'staff.%'")]
    assert "staff.locked" in actions
    assert actions.count("staff.sign_in") == 12


def test_a_totp_code_is_good_once(store: Context, clock: FixedClock) -> None:
    secret = set_up(store, clock)
    code = totp_code(secret, clock)
    staff.sign_in(store, name="li.wei", password=GOOD, code=code)
    with pytest.raises(SignInFailed):
        staff.sign_in(store, name="li.wei", password=GOOD, code=code)


def test_password_history_age_and_expiry(store: Context, clock: FixedClock) -> None:
    secret = set_up(store, clock)
    with pytest.raises(PasswordRejected, match="less than 1 day"):
        staff.change_password(store, name="li.wei", old_password=GOOD, new_password="Another-Good-Pass-7")
    clock.advance(timedelta(days=2))
    staff.change_password(store, name="li.wei", old_password=GOOD, new_password="Another-Good-Pass-7")
    clock.advance(timedelta(days=2))
    with pytest.raises(PasswordRejected, match="used before"):
        staff.change_password(store, name="li.wei", old_password="Another-Good-Pass-7", new_password=GOOD)
    clock.advance(timedelta(days=366))
    signed = staff.sign_in(store, name="li.wei", password="Another-Good-Pass-7", code=totp_code(secret, clock))
    assert signed.must_change_password


def test_disable_ends_access_and_revokes_tokens(store: Context, clock: FixedClock) -> None:
    secret = set_up(store, clock)
    (member_id,) = [r.id for r in rows(store, "SELECT id FROM staff")]
    new = tokens.create_token(store, actor=OWNER, name="li-sync", role="support_agent", scopes=["customers:read"],
                              purposes=["support"], lifetime=timedelta(days=30), staff_id=member_id)  # fmt: skip
    assert staff.disable(store, actor=OWNER, name="li.wei") == 1
    with pytest.raises(AccountLocked):
        staff.sign_in(store, name="li.wei", password=GOOD, code=totp_code(secret, clock))
    with pytest.raises(TokenInvalid):
        tokens.authenticate(store, token=new.token, scope="customers:read")


def test_staff_names_and_roles(store: Context) -> None:
    staff.add_staff(store, actor=OWNER, name="li.wei", role="support_agent")
    with pytest.raises(StaffExists):
        staff.add_staff(store, actor=OWNER, name="li.wei", role="support_agent")
    with pytest.raises(InvalidValue):
        staff.add_staff(store, actor=OWNER, name="Li Wei", role="support_agent")
    with pytest.raises(UnknownRole):
        staff.add_staff(store, actor=OWNER, name="ana.b", role="suport_agent")


def test_tokens_scoped_purpose_bound_expiring_revocable(store: Context, clock: FixedClock) -> None:
    new = tokens.create_token(
        store,
        actor=OWNER,
        name="helpdesk",
        role="support_agent",
        scopes=["customers:read"],
        purposes=["returns"],
        lifetime=tokens.parse_lifetime("90d"),
    )
    assert new.token.startswith("tut_")
    assert new.token not in " ".join(str(r) for r in rows(store, "SELECT * FROM api_token"))
    principal = tokens.authenticate(store, token=new.token, scope="customers:read", purpose="returns")
    assert (principal.role, principal.actor.id) == ("support_agent", "token:helpdesk")
    with pytest.raises(TokenNotAllowed, match="scope"):
        tokens.authenticate(store, token=new.token, scope="customers:write")
    with pytest.raises(TokenNotAllowed, match="purpose"):
        tokens.authenticate(store, token=new.token, scope="customers:read", purpose="marketing_email")
    with pytest.raises(TokenInvalid):
        tokens.authenticate(
            store, token=new.token[:-1] + ("A" if new.token[-1] != "A" else "B"), scope="customers:read"
        )
    clock.advance(timedelta(days=91))
    with pytest.raises(TokenInvalid):
        tokens.authenticate(store, token=new.token, scope="customers:read")
    fresh = tokens.create_token(store, actor=OWNER, name="b", role="owner", scopes=["audit:read"], purposes=[],
                                lifetime=timedelta(days=1))  # fmt: skip
    tokens.revoke(store, actor=OWNER, token_id=fresh.id)
    with pytest.raises(TokenInvalid):
        tokens.authenticate(store, token=fresh.token, scope="audit:read")
    assert [t.revoked for t in tokens.list_tokens(store)] == [False, True]


def test_token_rules(store: Context) -> None:
    with pytest.raises(InvalidValue, match="365"):
        tokens.parse_lifetime("400d")
    with pytest.raises(InvalidValue):
        tokens.create_token(store, actor=OWNER, name="x", role="owner", scopes=["customers:rede"], purposes=[],
                            lifetime=timedelta(days=1))  # fmt: skip
    with pytest.raises(TokenNotAllowed):
        tokens.create_token(store, actor=OWNER, name="x", role="marketing", scopes=["customers:read"],
                            purposes=["fulfillment"], lifetime=timedelta(days=1))  # fmt: skip
