"""Outgoing mail for data-subject requests (verification codes, replies with download links).

Two senders behind one `Mailer` protocol: `SmtpMailer` hands the message to a mail server,
`OutboxMailer` writes it as an RFC 5322 file into a folder (DATA_DIR/outbox) when no server is
configured. `mailer_for(settings)` picks one. Neither logs nor puts into an error the
recipient's address or the body: a failure is `MailNotSent` naming the server and the kind of
failure only (DESIGN §6)."""

from __future__ import annotations

import ipaddress
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.errors import HeaderParseError, MessageDefect, NonASCIILocalPartDefect
from email.headerregistry import Address, AddressHeader
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from tutela.core.clock import Clock, SystemClock
from tutela.core.errors import InvalidValue, MailNotSent
from tutela.core.settings import Settings
from tutela.core.whole_file import whole_file

DEFAULT_TIMEOUT_SECONDS = 30.0
# 7bit: non-ASCII bodies go out as base64 or quoted-printable, so any server takes them.
_POLICY = policy.default.clone(cte_type="7bit")
_FILE_POLICY = _POLICY.clone(linesep="\r\n")  # RFC 5322 lines end in CRLF
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")  # a BCP 47 tag such as zh-Hans
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._@-]")


@dataclass(frozen=True)
class Message:
    """One mail to one recipient. The address and the texts stay out of the repr."""

    to: str = field(repr=False)
    subject: str = field(repr=False)
    text: str = field(repr=False)
    html: str | None = field(default=None, repr=False)
    language: str = "en"


class Mailer(Protocol):
    def send(self, message: Message) -> str:
        """Send the message; return its Message-ID. Raise MailNotSent if it did not leave."""
        ...


def sender_domain(mail_from: str) -> str:
    """The domain of the From address (for Message-ID and EHLO); `localhost` if it has none."""
    address = parseaddr(mail_from)[1]
    domain = address.rpartition("@")[2] if "@" in address else ""
    return domain or "localhost"


def compose(message: Message, *, mail_from: str, clock: Clock) -> EmailMessage:
    """The RFC 5322 message: text/plain UTF-8, with a text/html alternative when given.
    Refuses (InvalidValue, without quoting it) anything but exactly one recipient address, a
    header with a line break in it, or a language that is not a language tag."""
    if not _LANGUAGE.fullmatch(message.language):
        raise InvalidValue("the mail's language is not a language tag", hint="e.g. en or zh-Hans")
    mime = EmailMessage(policy=_POLICY)
    try:
        mime["From"] = mail_from
        mime["To"] = message.to
        mime["Subject"] = message.subject
    except (ValueError, IndexError, HeaderParseError):
        raise InvalidValue(
            "a mail header is not valid (a line break, or an address that does not parse)",
            hint="pass one e-mail address and a one-line subject",
        ) from None
    to = mime["To"]
    _check_one_recipient(to.addresses, to.defects)
    mime["Date"] = format_datetime(clock.now())
    mime["Message-ID"] = make_msgid(domain=sender_domain(mail_from))
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to this
    mime.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html", charset="utf-8")
    mime["Content-Language"] = message.language  # after the content: set_content drops Content-* headers
    return mime


def _check_one_recipient(addresses: tuple[Address, ...], defects: tuple[MessageDefect, ...]) -> None:
    # A non-ASCII local part is allowed (RFC 6531); the server must then offer SMTPUTF8.
    serious = [d for d in defects if not isinstance(d, NonASCIILocalPartDefect)]
    if len(addresses) != 1 or serious or not addresses[0].username or not addresses[0].domain:
        raise InvalidValue("the mail's recipient is not one e-mail address", hint="pass exactly one address")


def recipient(mime: EmailMessage) -> str:
    """The envelope recipient: the one address in To, without a display name."""
    header: AddressHeader = mime["To"]
    return header.addresses[0].addr_spec


def is_loopback(host: str) -> bool:
    """True for `localhost`, `*.localhost` (RFC 6761) and loopback IP literals; no DNS lookup."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def may_send_credentials(*, host: str, tls: bool) -> bool:
    """A user name and password go to the mail server only over TLS, or to this machine."""
    return tls or is_loopback(host)


class OutboxMailer:
    """Writes each message as `<UTC time>-<Message-ID>.eml` into a folder of mode 0700, the
    file mode 0600, whole or not at all (written under a hidden temporary name, then renamed)."""

    def __init__(self, folder: Path, *, mail_from: str = "privacy@localhost", clock: Clock | None = None) -> None:
        self.folder = folder
        self.mail_from = mail_from
        self.clock: Clock = clock or SystemClock()

    def send(self, message: Message) -> str:
        mime = compose(message, mail_from=self.mail_from, clock=self.clock)
        message_id = str(mime["Message-ID"])
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{_UNSAFE_IN_FILE_NAME.sub('_', message_id.strip('<>'))}.eml"
        try:
            self._write(name, mime.as_bytes(policy=_FILE_POLICY))
        except OSError as exc:
            raise MailNotSent(
                f"mail not written to the outbox {self.folder}: {type(exc).__name__}",
                hint="check that the folder is writable by tutela and the disk has room",
            ) from None
        return message_id

    def _write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        with whole_file(self.folder / name, binary=True) as handle:
            handle.write(data)
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class SmtpMailer:
    """Hands each message to the configured mail server: STARTTLS when enabled and offered
    (a certificate that does not verify fails the send, it never falls back to plain text),
    log-in when a user is set — and only over TLS or to this machine."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpMailer needs settings.smtp_host")
        self.settings = settings
        self.host: str = settings.smtp_host
        self.port = settings.smtp_port
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.clock: Clock = clock or SystemClock()

    def _not_sent(self, reason: str, hint: str = "") -> MailNotSent:
        return MailNotSent(f"mail not sent via {self.host}:{self.port}: {reason}", hint=hint)

    def _refuse_plain_login(self) -> MailNotSent:
        return self._not_sent(
            "the connection has no TLS, so the SMTP password is not sent",
            hint="let the mail server offer STARTTLS and keep TUTELA_SMTP_STARTTLS on, or relay through localhost",
        )

    def send(self, message: Message) -> str:
        settings = self.settings
        mime = compose(message, mail_from=settings.mail_from, clock=self.clock)
        if settings.smtp_user and not settings.smtp_starttls and not may_send_credentials(host=self.host, tls=False):
            raise self._refuse_plain_login()  # known before connecting: no TLS will be asked for
        envelope_from = parseaddr(settings.mail_from)[1]
        try:
            with smtplib.SMTP(
                self.host, self.port, timeout=self.timeout, local_hostname=sender_domain(settings.mail_from)
            ) as smtp:
                smtp.ehlo()
                tls = False
                if settings.smtp_starttls and smtp.has_extn("starttls"):
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                    tls = True
                if settings.smtp_user:
                    if not may_send_credentials(host=self.host, tls=tls):
                        raise self._refuse_plain_login()
                    password = settings.smtp_password.value if settings.smtp_password else ""
                    smtp.login(settings.smtp_user, password)
                smtp.send_message(mime, from_addr=envelope_from, to_addrs=[recipient(mime)])
        except (smtplib.SMTPException, OSError, UnicodeError) as exc:
            # `from None`: smtplib's own exceptions may quote the recipient or the server's reply.
            raise self._not_sent(
                type(exc).__name__, hint="check TUTELA_SMTP_HOST/PORT/USER/PASSWORD and that the server is up"
            ) from None
        return str(mime["Message-ID"])


def mailer_for(settings: Settings, *, clock: Clock | None = None) -> Mailer:
    """SMTP when TUTELA_SMTP_HOST is set, else the outbox folder DATA_DIR/outbox."""
    if settings.smtp_host:
        return SmtpMailer(settings, clock=clock)
    return OutboxMailer(settings.outbox, mail_from=settings.mail_from, clock=clock)


OUTBOX_KEPT = timedelta(days=30)


def prune_outbox(folder: Path, *, now: datetime, kept: timedelta = OUTBOX_KEPT) -> int:
    """Outbox files hold addresses and letters: each is deleted once older than `kept`
    (by the time in its name). Returns how many went."""
    if not folder.is_dir():
        return 0
    gone = 0
    for path in folder.glob("*.eml"):
        try:
            written = datetime.strptime(path.name[:23], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours
        if written <= now - kept:
            path.unlink(missing_ok=True)
            gone += 1
    return gone
