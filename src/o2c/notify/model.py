"""What a mail is, the states of its delivery, and when a failed delivery is tried again.

Pure: the outgoing-mail table stores these values, the transports send them. A mail moves
QUEUED -> SENDING -> SENT, or -> FAILED; a failed mail goes back to SENDING on a later
delivery run while its retry schedule allows, and stays FAILED for good when the server
refused it permanently (a 5xx answer) or the attempts are used up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.utils import getaddresses, parseaddr
from enum import StrEnum


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Mail:
    """One message to send: plain text always, HTML as its alternative when given."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str | None = None


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did: mails sent, and mails whose attempt failed this time."""

    sent: int
    failed: int


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP relay. `tls` is "none", "starttls" or "ssl" (implicit TLS)."""

    host: str
    port: int = 25
    tls: str = "none"
    user: str | None = None
    password: str | None = None
    sender: str = "ar@localhost"
    timeout: float = 30.0


TLS_MODES = ("none", "starttls", "ssl")


class DeliveryFailed(Exception):
    """A transport could not hand the mail over; `permanent` when retrying cannot help.

    Permanent: the server answered 5xx (no such mailbox, message rejected). Temporary:
    the server was unreachable, timed out, or answered 4xx (try again later).
    """

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


# After the n-th failed attempt, wait RETRY_DELAYS[n-1] before the next; after the last, stop.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A mail claimed longer ago than this by a worker that never reported back was interrupted
# mid-delivery. It may or may not have left, so it is marked failed, never sent again.
CLAIM_LEASE = timedelta(hours=1)


def retry_delay(attempts: int, *, permanent: bool) -> timedelta | None:
    """How long to wait before trying again after `attempts` failed tries; None: give up."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[max(attempts, 1) - 1]


def address_problem(address: str) -> str | None:
    """Why `address` cannot be a recipient (None when it can): one mailbox, no header breaks.

    Accepts a bare address or one with a display name (`Jane Roe <jane@example.com>`).
    """
    if any(c in address for c in "\r\n"):
        return "must not contain line breaks"
    _, spec = parseaddr(address)
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in spec):
        return f"not an e-mail address: {address!r}"
    if spec.count("@") != 1 or len(getaddresses([address])) != 1 or ";" in spec:
        return f"one address per entry: {address!r}"
    return None
