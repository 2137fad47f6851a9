"""Masking of sensitive data: bank accounts, tax ids, card numbers and secrets.

API responses show `DE89 **** **** **** 3000` unless the caller's role needs the account
(`reveal_sensitive`, set per request by the composition root); logs are always masked
(`mask_text`, used by the log handlers' filter). Every mask is idempotent: masking a masked
value gives it back unchanged, so a value serialised twice is still readable.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

reveal_sensitive: ContextVar[bool] = ContextVar("o2c_reveal_sensitive", default=False)
"""True while serving a caller allowed to see accounts and tax ids in full."""

STARS = "****"
SECRET_NAMES = ("password", "passwd", "secret", "token", "api_key", "apikey", "authorization")

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_ARGON2 = re.compile(r"\$argon2[a-z]*\$[^\s\"';]+")
_SECRET = re.compile(
    r"(?P<name>[\w-]*(?:" + "|".join(SECRET_NAMES) + r")[\w-]*)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<value>(?:bearer\s+|basic\s+)?[^\s\"',;}&]+)",
    re.IGNORECASE,
)


def mask_account(value: str) -> str:
    """An IBAN or account number with its first and last four characters left."""
    compact = "".join(value.split())
    if not compact:
        return ""
    if len(compact) <= 8:
        return STARS + compact[-2:] if len(compact) > 4 else STARS
    return f"{compact[:4]} {STARS} {STARS} {STARS} {compact[-4:]}"


def mask_tax_id(value: str) -> str:
    """A tax id with its country prefix and last two characters left ("DE*******89")."""
    compact = "".join(value.split())
    if len(compact) <= 4:
        return STARS
    return compact[:2] + "*" * (len(compact) - 4) + compact[-2:]


def iban_checks(candidate: str) -> bool:
    """True when `candidate` has valid ISO 13616 mod-97 check digits (so it is an IBAN)."""
    compact = "".join(candidate.split()).upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def luhn_checks(candidate: str) -> bool:
    """True when the digits of `candidate` pass the Luhn check (card numbers do)."""
    digits = [int(c) for c in candidate if c.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _mask_iban(match: re.Match[str]) -> str:
    """The longest IBAN the match starts with, masked (the pattern may take a word after it)."""
    found = match[0]
    for end in range(len(found), 14, -1):
        if found[end - 1] != " " and iban_checks(found[:end]):
            return mask_account(found[:end]) + found[end:]
    return found


def mask_text(text: str) -> str:
    """Free text (a log line, a traceback) with IBANs, card numbers, argon2 hashes and the
    values of secret-named fields (`password=...`, `"api_key": "..."`) masked."""
    text = _IBAN.sub(_mask_iban, text)
    text = _CARD.sub(lambda m: mask_account(m[0]) if luhn_checks(m[0]) else m[0], text)
    text = _ARGON2.sub("$argon2" + STARS, text)
    return _SECRET.sub(lambda m: f"{m['name']}{m['sep']}{STARS}", text)


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(secret in lowered for secret in SECRET_NAMES)


def mask_document(value: Any) -> Any:
    """A JSON-like value with `mask_text` applied to its strings and the values of its
    secret-named keys replaced."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {
            key: STARS if is_secret_name(str(key)) else mask_document(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_document(item) for item in value]
    return value
