"""Redacted copies: masked, keyed-hash or vault-token replacements over a streamed text, and
vault tokens resolved only for a role the policy lets see that kind of data (both backends)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import OWNER, SUPPORT
from tests.helpers import count, rows
from tutela.core.errors import AccessDenied, InvalidValue
from tutela.services import redaction
from tutela.services.context import Context

TEXT = (
    "2026-11-29 10:01 refund for ada.lovelace@example.com ok\n"
    "2026-11-29 10:02 resend to grace.hopper@example.org\n"
    "2026-11-29 10:03 second mail to ada.lovelace@example.com\n"
)
EMAILS = ("ada.lovelace@example.com", "grace.hopper@example.org")


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_mask_needs_no_store_and_keeps_the_rest_of_the_text() -> None:
    worker = redaction.Redaction(mode=redaction.RedactMode.MASK)
    redacted = "".join(worker.stream(_pieces(TEXT, 7), window=600))
    assert all(e not in redacted for e in EMAILS)
    assert redacted.count("\n") == 3 and "refund for " in redacted and " ok\n" in redacted
    assert worker.counts == {"email": 3}


def test_hash_and_vault_need_the_store() -> None:
    with pytest.raises(InvalidValue, match="needs the store's keys"):
        redaction.Redaction(mode=redaction.RedactMode.HASH)


def test_hash_gives_one_digest_per_value(store: Context) -> None:
    worker = redaction.Redaction(mode=redaction.RedactMode.HASH, ctx=store)
    redacted = "".join(worker.stream([TEXT]))
    digests = re.findall(r"\[email:([0-9a-f]{16})\]", redacted)
    assert len(digests) == 3 and digests[0] == digests[2] != digests[1]
    worker.commit(actor=OWNER, source="app.log")
    (details,) = rows(store, "SELECT details FROM audit_event WHERE action = 'redact.file'")[0]
    assert '"mode":"hash"' in details.replace(" ", "") and all(e not in details for e in EMAILS)
    assert count(store, "redaction_token") == 0


def test_vault_tokens_resolve_for_a_role_allowed_to_see_the_kind(store: Context) -> None:
    worker = redaction.Redaction(mode=redaction.RedactMode.VAULT, ctx=store)
    redacted = "".join(worker.stream([TEXT]))
    tokens = re.findall(r"tvt_[A-Za-z0-9_-]{22}", redacted)
    assert len(tokens) == 3 and tokens[0] == tokens[2] != tokens[1]
    assert count(store, "redaction_token") == 0  # nothing stored until the copy is written
    worker.commit(actor=OWNER, source="app.log")
    assert count(store, "redaction_token") == 2
    sealed = rows(store, "SELECT sealed_value FROM redaction_token")
    assert all(EMAILS[0].encode() not in bytes(s[0]) for s in sealed)

    found = redaction.resolve(store, actor=OWNER, purpose="support", token=tokens[0])
    assert (found.value, found.type, found.masked) == (EMAILS[0], "email", False)
    audited = rows(store, "SELECT outcome, purpose, details FROM audit_event WHERE action = 'redact.resolve'")
    assert [(a[0], a[1]) for a in audited] == [("ok", "support")] and EMAILS[0] not in audited[0][2]


def test_a_role_without_the_kind_is_refused_and_audited(store: Context) -> None:
    worker = redaction.Redaction(mode=redaction.RedactMode.VAULT, ctx=store)
    token = re.findall(r"tvt_\S{22}", "".join(worker.stream(["card holder grace.hopper@example.org"])))[0]
    worker.commit(actor=OWNER, source="notes.txt")
    with pytest.raises(AccessDenied, match="may not see a email under purpose 'fulfillment'"):
        redaction.resolve(store, actor=SUPPORT, purpose="fulfillment", token=token)
    assert rows(store, "SELECT outcome FROM audit_event WHERE action = 'redact.resolve'") == [("denied",)]
    masked = redaction.resolve(store, actor=SUPPORT, purpose="returns", token=token)  # e-mail masked there
    assert masked.masked and masked.value != "grace.hopper@example.org" and "@" in masked.value
    with pytest.raises(InvalidValue, match="no such redaction token"):
        redaction.resolve(store, actor=OWNER, purpose="support", token="tvt_" + "x" * 22)
