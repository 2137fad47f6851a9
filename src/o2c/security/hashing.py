"""Password hashes (argon2id) and random tokens with their stored digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def set_password_cost(parameters: Parameters) -> None:
    """Choose the argon2 cost of new hashes (the test suite takes argon2's cheapest profile).

    Hashes carry their own parameters, so existing ones keep verifying after a change.
    """
    global _hasher
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy_hash.cache_clear()


@cache
def _dummy_hash() -> str:
    """Verified when the email is unknown, so a wrong email costs as long as a wrong password."""
    return _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """True when `password` is the one hashed; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """What is stored for a high-entropy token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
