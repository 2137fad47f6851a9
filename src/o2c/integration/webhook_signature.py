"""Signing webhook requests, and checking a signature as a receiver does.

`O2C-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`.
Signing the timestamp with the body lets a receiver refuse replays of old requests.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "O2C-Signature"
EVENT_ID_HEADER = "O2C-Event-Id"
EVENT_TYPE_HEADER = "O2C-Event-Type"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def signature_valid(
    secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300
) -> bool:
    """True when `header` signs `body` under `secret` and its time is within the tolerance."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, timestamp, body))
