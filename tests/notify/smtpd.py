"""A real SMTP server on loopback (aiosmtpd) that records what arrives, for delivery tests."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from o2c.notify.model import SmtpSettings


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    peer: Any


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every accepted message; refuses recipients on request.

    An address listed in `refuse` gets that reply to RCPT TO (e.g. "550 5.1.1 no such user").
    """

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.peer)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


USER, PASSWORD = "ar-robot", "s3cret"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    recorder: Recorder
    settings: SmtpSettings
    client_context: ssl.SSLContext | None = None


@contextmanager
def smtp_server(
    tls: str = "none", *, login: bool = False, ca: trustme.CA | None = None
) -> Iterator[Server]:
    """Run a server on a free loopback port: plain, STARTTLS (required) or implicit TLS."""
    recorder = Recorder()
    port = free_port()
    kwargs: dict[str, Any] = {}
    client_context = None
    if tls != "none":
        ca = ca or trustme.CA()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        client_context = ssl.create_default_context()
        ca.configure_trust(client_context)
        if tls == "starttls":
            kwargs |= {"tls_context": server_context, "require_starttls": True}
        else:
            # aiosmtpd does not see that an implicit-TLS socket is encrypted: allow AUTH there.
            kwargs |= {"ssl_context": server_context, "auth_require_tls": False}
    if login:
        kwargs |= {"authenticator": _authenticate, "auth_required": True}
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            tls=tls,
            user=USER if login else None,
            password=PASSWORD if login else None,
            sender="ar@acme.example",
            timeout=10,
        )
        yield Server(recorder, settings, client_context)
    finally:
        controller.stop()
