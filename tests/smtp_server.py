"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread). `smtp_server` is the
fixture (exposed to every test by conftest.py); `SmtpTestServer` starts one with other options
(STARTTLS with a certificate, AUTH) as a context manager."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"


@dataclass
class Received:
    """One delivery as the server saw it: the envelope and whether it came over TLS."""

    mail_from: str
    rcpt_tos: list[str]
    tls: bool
    login: str | None


class _Handler:
    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: list[str]
    ) -> str:
        if self.server.refuse_recipients:
            return f"550 5.1.1 <{address}>: mailbox unavailable"  # quotes the address, as real servers do
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.messages.append(parsed)
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.server.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                tls=session.ssl is not None,
                login=login,
            )
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpTestServer:
    """An SMTP server on 127.0.0.1 at a free port. `messages` holds every message received,
    parsed; `received` the matching envelopes. `credentials` (user, password) turns on AUTH
    (allowed without TLS: the client decides); `tls_context` offers STARTTLS;
    `refuse_recipients` answers every RCPT with 550 (quoting the address, as servers do)."""

    credentials: tuple[str, str] | None = None
    tls_context: ssl.SSLContext | None = None
    refuse_recipients: bool = False
    host: str = HOST
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _controller: Controller | None = field(default=None, init=False, repr=False)

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            self.credentials is not None
            and mechanism in {"LOGIN", "PLAIN"}
            and isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == self.credentials
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    def start(self) -> SmtpTestServer:
        options: dict[str, Any] = {}
        if self.credentials is not None:
            options |= {"authenticator": self._authenticate, "auth_require_tls": False}
        if self.tls_context is not None:
            options["tls_context"] = self.tls_context
        for _ in range(5):  # a free port can be taken between finding it and binding it
            self.port = free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)
            try:
                controller.start()
            except OSError:
                controller.loop.close()
                continue
            self._controller = controller
            return self
        raise RuntimeError("no free port for the test SMTP server")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def tls_contexts(folder: Path, host: str = HOST) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throw-away CA and a certificate for `host` signed by it: (the server's context, a
    client context that trusts only that CA)."""
    now = datetime.now(UTC)

    def build(
        subject: str,
        issuer: x509.Name,
        key: ec.EllipticCurvePrivateKey,
        signer: ec.EllipticCurvePrivateKey,
        *,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build(
        "tutela test CA",
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tutela test CA")]),
        ca_key,
        ca_key,
        ca=True,
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(host, ca_cert.subject, key, ca_key, ca=False)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "server.pem")
    client = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    return server, client


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A plain SMTP server on 127.0.0.1 (no TLS, no AUTH) for one test: .host, .port, .messages."""
    with SmtpTestServer() as server:
        yield server
