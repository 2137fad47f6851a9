"""SMTP delivery with the standard library: MIME building, TLS, login, and error triage.

`build_message` turns a `Mail` into a standards-conforming message (text with an HTML
alternative, attachments, Message-ID, Date). `SmtpTransport` sends it; used as a context
manager it keeps one connection for a whole delivery run, otherwise it connects per mail.
SMTP errors are sorted into permanent (5xx: retrying cannot help) and temporary (4xx,
unreachable server, timeouts), which decides whether the outbox tries again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType
from typing import Protocol

from o2c.kernel.config import Settings
from o2c.notify.model import TLS_MODES, DeliveryFailed, Mail, SmtpSettings

log = logging.getLogger(__name__)

__all__ = [
    "MailTransport",
    "SmtpSettings",
    "SmtpTransport",
    "build_message",
    "smtp_transport_from",
]


class MailTransport(Protocol):
    """Hands one mail to the outside world, or raises (DeliveryFailed says whether to retry)."""

    def send(self, mail: Mail, sender: str) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message: text/plain, text/html as its alternative, then the attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Quoted-printable keeps the message 7-bit, so no relay needs 8BITMIME to carry it.
    message.set_content(mail.text, cte="quoted-printable")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


def _wire(message: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line ends, and a line starting "From " kept as
    written (smtplib's own `send_message` would turn it into ">From ", an mbox habit)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _triage(exc: Exception) -> DeliveryFailed:
    """Permanent for a 5xx answer about this mail; temporary for everything else."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{rcpt}: {code} {_text(text)}" for rcpt, (code, text) in exc.recipients.items()
        )
        return DeliveryFailed(
            f"recipients refused: {detail}", permanent=all(c >= 500 for c in codes)
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Wrong credentials are the installation's problem, not the mail's: retry when fixed.
        return DeliveryFailed(f"authentication failed: {exc.smtp_code}", permanent=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _text(exc.smtp_error)
        return DeliveryFailed(
            f"{type(exc).__name__}: {exc.smtp_code} {text}", permanent=exc.smtp_code >= 500
        )
    return DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=False)


class SmtpTransport:
    """Sends mail through one SMTP relay, with STARTTLS or implicit TLS and login if set.

    Outside a `with` block every mail gets its own connection; inside, one connection serves
    every mail until the block ends (or until an error, after which it is never reused).
    """

    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        if settings.tls not in TLS_MODES:
            raise ValueError(f"smtp tls must be one of {', '.join(TLS_MODES)}: {settings.tls!r}")
        self.settings = settings
        self.sender = settings.sender
        self._context = context or ssl.create_default_context()
        self._held: smtplib.SMTP | None = None
        self._depth = 0

    def __enter__(self) -> SmtpTransport:
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._drop(polite=True)

    def send(self, mail: Mail, sender: str) -> None:
        """Send one mail; raises DeliveryFailed, classified permanent or temporary."""
        message = build_message(mail, sender)
        recipients = [parseaddr(a)[1] for a in (*mail.to, *mail.cc)]
        try:
            client = self._held = self._held or self._connect()
            refused = client.sendmail(parseaddr(sender)[1], recipients, _wire(message))
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(polite=False)
            raise _triage(exc) from exc
        finally:
            if self._depth == 0:
                self._drop(polite=True)
        if refused:
            # Some recipients took it: the mail left, so it is sent; the rest is only logged.
            log.warning("mail %r: some recipients refused: %s", mail.subject, refused)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.tls == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.tls == "starttls":
                client.starttls(context=self._context)
                client.ehlo()
            if s.user:
                client.login(s.user, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _drop(self, *, polite: bool) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if polite:
                held.quit()
        except (smtplib.SMTPException, OSError):
            log.debug("smtp QUIT failed; closing the connection anyway", exc_info=True)
        finally:
            held.close()


def smtp_transport_from(settings: Settings) -> SmtpTransport | None:
    """The transport the installation's settings describe; None when no SMTP host is set."""
    if not settings.smtp_host:
        return None
    return SmtpTransport(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_sender,
            timeout=settings.smtp_timeout,
        )
    )
