"""Signed webhooks: HMAC-SHA256 over the timestamp and the body, as processors sign them.

The header reads `t=<unix seconds>,v1=<hex digest>`; the digest covers `"<t>.<body>"`, so a
captured message cannot be replayed later (the timestamp must be recent) or altered.
"""

from __future__ import annotations

import hashlib
import hmac

from o2c.kernel.errors import AuthenticationFailed

TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = _digest(secret, body, timestamp)
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: int) -> None:
    """Accept `body` only when `header` signs it with `secret` within the tolerance."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise AuthenticationFailed("webhook signature has no timestamp") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise AuthenticationFailed("webhook signature is too old")
    expected = _digest(secret, body, timestamp)
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise AuthenticationFailed("webhook signature does not match")


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
