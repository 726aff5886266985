"""Outgoing mail: the outbox folder, delivery to a real SMTP server on 127.0.0.1 (aiosmtpd),
TLS before credentials, and failures that name the server but never the recipient or body."""

from __future__ import annotations

import logging
import os
import smtplib
import stat
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.smtp_server import SmtpTestServer, free_port, tls_contexts
from tutela.core.clock import FixedClock
from tutela.core.errors import InvalidValue, MailNotSent
from tutela.core.settings import Secret, Settings
from tutela.services.mailer import (
    Message,
    OutboxMailer,
    SmtpMailer,
    is_loopback,
    mailer_for,
    may_send_credentials,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FROM = "Shop Privacy <privacy@shop.example>"
TO = "wei.li@example.cn"
CODE_MAIL = Message(to="Ada Lovelace <ada@example.com>", subject="Your verification code", text="Code: 481516\n")
CHINESE = Message(
    to=TO,
    subject="您的数据副本已准备好",
    text="您好，\n请在七天内下载您的数据：https://privacy.shop.example/p/d/abc\n",
    html="<p>您好，</p><p>请在七天内<a href='https://privacy.shop.example/p/d/abc'>下载您的数据</a>。</p>",
    language="zh-Hans",
)


def smtp_settings(tmp_path: Path, host: str, port: int, **more: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", smtp_host=host, smtp_port=port, mail_from=FROM, **more)


def assert_common_headers(mime: EmailMessage, message_id: str, language: str) -> None:
    assert mime["From"] == FROM
    assert mime["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@shop.example>")
    assert mime["Date"] == "Sun, 29 Nov 2026 12:00:00 +0000"
    assert mime["Content-Language"] == language
    assert mime["Auto-Submitted"] == "auto-generated"


# --- the outbox -------------------------------------------------------------------------


def test_outbox_writes_a_parseable_eml_file_of_mode_0600(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox"
    mailer = OutboxMailer(outbox, mail_from=FROM, clock=FixedClock(NOW))

    message_id = mailer.send(CODE_MAIL)

    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == [f"20261129T120000.000000Z-{message_id.strip('<>')}.eml"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    raw = files[0].read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5322 line ends
    mime = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mime, EmailMessage)
    assert_common_headers(mime, message_id, "en")
    assert mime["To"] == "Ada Lovelace <ada@example.com>"
    assert mime["Subject"] == "Your verification code"
    assert mime.get_content_type() == "text/plain"
    assert mime.get_content_charset() == "utf-8"
    assert mime.get_content() == "Code: 481516\r\n"  # a 7bit body keeps the file's CRLF line ends


def test_outbox_keeps_one_file_per_message_and_no_temporary_files(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o755)
    mailer = OutboxMailer(outbox, mail_from=FROM, clock=FixedClock(NOW))

    ids = {mailer.send(CODE_MAIL), mailer.send(CHINESE)}

    assert len(ids) == 2
    assert len(list(outbox.glob("*.eml"))) == 2
    assert [p for p in outbox.iterdir() if not p.name.endswith(".eml")] == []
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700  # a folder made by someone else is tightened


def test_an_outbox_that_cannot_be_written_is_mail_not_sent(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")

    with pytest.raises(MailNotSent) as caught:
        OutboxMailer(blocker, mail_from=FROM).send(CODE_MAIL)

    assert caught.value.code == "mail.not_sent"
    assert "outbox" in caught.value.message
    assert "ada@example.com" not in str(caught.value) and "481516" not in str(caught.value)


# --- SMTP ---------------------------------------------------------------------------------


def test_smtp_delivers_utf8_text_with_an_html_alternative(
    tmp_path: Path, smtp_server: SmtpTestServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    mailer = SmtpMailer(smtp_settings(tmp_path, smtp_server.host, smtp_server.port), clock=FixedClock(NOW))

    message_id = mailer.send(CHINESE)

    [mime] = smtp_server.messages
    assert_common_headers(mime, message_id, "zh-Hans")
    assert mime["To"] == TO
    assert mime["Subject"] == "您的数据副本已准备好"
    assert mime.get_content_type() == "multipart/alternative"
    plain = mime.get_body(preferencelist=("plain",))
    html = mime.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and plain.get_content() == CHINESE.text
    assert html.get_content_charset() == "utf-8" and html.get_content().strip() == CHINESE.html
    [envelope] = smtp_server.received
    assert envelope.mail_from == "privacy@shop.example"
    assert envelope.rcpt_tos == [TO]
    assert not envelope.tls  # the test server offers no STARTTLS; without credentials that is allowed
    # Nothing of the recipient or the body in the logs or on the terminal (DESIGN §6).
    captured = capfd.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not the server's
    for text in (ours, captured.out, captured.err):
        assert TO not in text and "七天" not in text


def test_the_body_travels_7bit_safe(tmp_path: Path, smtp_server: SmtpTestServer) -> None:
    SmtpMailer(smtp_settings(tmp_path, smtp_server.host, smtp_server.port)).send(CHINESE)

    [mime] = smtp_server.messages
    raw = mime.as_bytes()
    assert all(byte < 0x80 for byte in raw)  # any server takes it, with or without 8BITMIME


def test_smtp_logs_in_to_a_loopback_server_without_tls(tmp_path: Path) -> None:
    with SmtpTestServer(credentials=("mailer", "correct horse")) as server:
        settings = smtp_settings(
            tmp_path, server.host, server.port, smtp_user="mailer", smtp_password=Secret("correct horse")
        )
        SmtpMailer(settings).send(CODE_MAIL)

    [envelope] = server.received
    assert envelope.login == "mailer" and not envelope.tls


def test_a_wrong_password_is_mail_not_sent(tmp_path: Path) -> None:
    with SmtpTestServer(credentials=("mailer", "correct horse")) as server:
        settings = smtp_settings(tmp_path, server.host, server.port, smtp_user="mailer", smtp_password=Secret("wrong"))
        with pytest.raises(MailNotSent) as caught:
            SmtpMailer(settings).send(CODE_MAIL)

    assert caught.value.message == f"mail not sent via {server.host}:{server.port}: SMTPAuthenticationError"
    assert server.messages == []


def test_starttls_when_offered_then_login_over_tls(tmp_path: Path) -> None:
    server_tls, client_tls = tls_contexts(tmp_path / "tls")
    with SmtpTestServer(credentials=("mailer", "correct horse"), tls_context=server_tls) as server:
        settings = smtp_settings(
            tmp_path, server.host, server.port, smtp_user="mailer", smtp_password=Secret("correct horse")
        )
        SmtpMailer(settings, ssl_context=client_tls).send(CHINESE)

    [envelope] = server.received
    assert envelope.tls and envelope.login == "mailer"
    assert server.messages[0]["Subject"] == CHINESE.subject


def test_a_certificate_that_does_not_verify_fails_the_send_with_no_plain_text_fallback(tmp_path: Path) -> None:
    server_tls, _trusting = tls_contexts(tmp_path / "tls")
    with SmtpTestServer(tls_context=server_tls) as server, pytest.raises(MailNotSent) as caught:
        SmtpMailer(smtp_settings(tmp_path, server.host, server.port)).send(CODE_MAIL)  # the system's CAs

    assert caught.value.message.endswith(": SSLCertVerificationError")
    assert server.messages == []


def test_starttls_off_sends_plain_even_when_offered(tmp_path: Path) -> None:
    server_tls, _trusting = tls_contexts(tmp_path / "tls")
    with SmtpTestServer(tls_context=server_tls) as server:
        SmtpMailer(smtp_settings(tmp_path, server.host, server.port, smtp_starttls=False)).send(CODE_MAIL)

    [envelope] = server.received
    assert not envelope.tls


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("mail.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("smtp.example.com", False),
        ("localhost.example.com", False),
        ("10.0.0.5", False),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
    ],
)
def test_loopback_hosts_are_recognised_without_dns(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert may_send_credentials(host=host, tls=False) is loopback
    assert may_send_credentials(host=host, tls=True)


def test_login_over_plain_text_to_another_machine_is_refused_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connection(*_args: object, **_kwargs: object) -> smtplib.SMTP:
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(smtplib, "SMTP", no_connection)
    settings = smtp_settings(
        tmp_path, "smtp.example.com", 25, smtp_user="mailer", smtp_password=Secret("pw"), smtp_starttls=False
    )

    with pytest.raises(MailNotSent) as caught:
        SmtpMailer(settings).send(CODE_MAIL)

    assert caught.value.message.startswith("mail not sent via smtp.example.com:25: ")
    assert "TLS" in caught.value.message
    assert "pw" not in str(caught.value).split()


def test_a_server_that_is_down_is_mail_not_sent_without_the_address(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there

    with pytest.raises(MailNotSent) as caught:
        SmtpMailer(smtp_settings(tmp_path, "127.0.0.1", port), timeout=5).send(CODE_MAIL)

    error = caught.value
    assert error.code == "mail.not_sent"
    assert error.message == f"mail not sent via 127.0.0.1:{port}: ConnectionRefusedError"
    assert "\n" not in str(error)
    assert "ada@example.com" not in str(error) and "481516" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__  # no traceback that could quote them


def test_a_refused_recipient_is_not_quoted(tmp_path: Path) -> None:
    with SmtpTestServer(refuse_recipients=True) as server, pytest.raises(MailNotSent) as caught:
        SmtpMailer(smtp_settings(tmp_path, server.host, server.port)).send(CODE_MAIL)

    assert caught.value.message.endswith(": SMTPRecipientsRefused")
    assert "ada@example.com" not in str(caught.value)
    assert caught.value.__suppress_context__  # smtplib's exception quotes the address: not chained


# --- what is refused before anything is sent ------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        Message(to="ada@example.com, eve@example.net", subject="s", text="t"),
        Message(to="not an address", subject="s", text="t"),
        Message(to="", subject="s", text="t"),
        Message(to="ada@example.com\r\nBcc: eve@example.net", subject="s", text="t"),
        Message(to="ada@example.com", subject="s\r\nBcc: eve@example.net", text="t"),
        Message(to="ada@example.com", subject="s", text="t", language="en\r\nBcc: eve@example.net"),
    ],
    ids=["two-recipients", "no-address", "empty", "header-injection-to", "header-injection-subject", "language"],
)
def test_anything_but_one_recipient_and_clean_headers_is_refused(tmp_path: Path, message: Message) -> None:
    outbox = tmp_path / "outbox"

    with pytest.raises(InvalidValue) as caught:
        OutboxMailer(outbox, mail_from=FROM).send(message)

    assert "example" not in str(caught.value)
    assert not outbox.exists() or list(outbox.iterdir()) == []


def test_a_message_repr_shows_no_address_or_text() -> None:
    shown = repr(CODE_MAIL)

    assert "ada@example.com" not in shown and "481516" not in shown and "verification" not in shown


# --- choosing -------------------------------------------------------------------------------


def test_mailer_for_picks_smtp_when_a_host_is_set_else_the_outbox(tmp_path: Path) -> None:
    outbox_settings = Settings(data_dir=tmp_path / "data", mail_from=FROM)
    smtp = smtp_settings(tmp_path, "smtp.example.com", 587)

    outbox_mailer = mailer_for(outbox_settings)
    smtp_mailer = mailer_for(smtp)

    assert isinstance(outbox_mailer, OutboxMailer) and outbox_mailer.folder == outbox_settings.outbox
    assert outbox_mailer.mail_from == FROM
    assert isinstance(smtp_mailer, SmtpMailer) and (smtp_mailer.host, smtp_mailer.port) == ("smtp.example.com", 587)


def test_mailer_for_the_outbox_writes_into_data_dir_outbox(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", mail_from=FROM)

    message_id = mailer_for(settings, clock=FixedClock(NOW)).send(CODE_MAIL)

    [written] = settings.outbox.glob("*.eml")
    assert message_id.strip("<>") in written.name
    assert os.stat(written).st_uid == os.getuid()
