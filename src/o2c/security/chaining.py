"""The hash of a chain link: pure, so sealing and verifying cannot compute it differently."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
"""The hash before a chain's first link."""


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical(record: Mapping[str, Any]) -> bytes:
    """The record as JSON with sorted keys, no spaces, instants in UTC: one text per record."""
    text = json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )
    return text.encode()


def link_hash(previous: str, record: Mapping[str, Any]) -> str:
    """sha256(previous hash || canonical record), in hex."""
    return hashlib.sha256(previous.encode("ascii") + canonical(record)).hexdigest()
