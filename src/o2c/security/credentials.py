"""API credentials: API keys and OAuth2 clients, and the bearer tokens clients obtain.

An API key reads `o2c_<id>.<secret>`; an OAuth2 client is the pair (client id, client secret)
and trades them at `POST /oauth/token` (client-credentials grant) for a bearer token that
lives `access_token_seconds`. Each credential belongs to one company and carries a set of
roles. The secret is shown once, at creation; only its SHA-256 is stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, select

from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import AuthenticationFailed, FieldError, NotFound, ValidationFailed
from o2c.security.access_tables import AccessToken, ApiCredential
from o2c.security.hashing import digest, new_token, same
from o2c.security.model import Actor, Permission, Role
from o2c.security.service import audit

KEY_PREFIX = "o2c_"
# `last_used_at` is written at most this often per credential, not on every request.
USE_RECORDED_EVERY = timedelta(minutes=1)


class CredentialKind(StrEnum):
    API_KEY = "api_key"
    OAUTH_CLIENT = "oauth_client"


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with the secret the caller must show once and never again."""

    credential: ApiCredential
    secret: str

    @property
    def api_key(self) -> str:
        return f"{KEY_PREFIX}{self.credential.public_id}.{self.secret}"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


def _roles(roles: Iterable[Role]) -> str:
    chosen = frozenset(Role(role) for role in roles)
    if not chosen:
        raise ValidationFailed([FieldError("roles", "a credential needs at least one role")])
    if Role.CUSTOMER in chosen:
        raise ValidationFailed([FieldError("roles", "API credentials are for staff roles")])
    return ",".join(sorted(role.value for role in chosen))


def create_credential(
    uow: UnitOfWork, actor: Actor, kind: CredentialKind, name: str, roles: Iterable[Role]
) -> IssuedCredential:
    """Issue an API key or OAuth2 client for the actor's company."""
    actor.require(Permission.COMPANY_ADMIN)
    if not name.strip():
        raise ValidationFailed([FieldError("name", "must not be empty")])
    encoded = _roles(roles)
    secret = new_token()
    with uow:
        credential = ApiCredential(
            company_id=actor.company_id,
            kind=kind.value,
            name=name.strip()[:120],
            public_id=secrets.token_hex(8),
            secret_hash=digest(secret),
            roles=encoded,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(credential)
        uow.session.flush()
        audit(
            uow,
            actor,
            f"{kind.value}.created",
            "api_credential",
            credential.id,
            {"name": credential.name, "public_id": credential.public_id, "roles": encoded},
        )
        uow.commit()
        return IssuedCredential(credential, secret)


def list_credentials(uow: UnitOfWork, actor: Actor, kind: CredentialKind) -> list[ApiCredential]:
    actor.require(Permission.COMPANY_ADMIN)
    with uow:
        return list(
            uow.session.scalars(
                select(ApiCredential)
                .where(ApiCredential.company_id == actor.company_id, ApiCredential.kind == kind)
                .order_by(ApiCredential.id)
            )
        )


def revoke_credential(
    uow: UnitOfWork, actor: Actor, kind: CredentialKind, public_id: str
) -> ApiCredential:
    """Revoke a key or client at once; bearer tokens it obtained stop working with it."""
    actor.require(Permission.COMPANY_ADMIN)
    with uow:
        credential = uow.session.scalar(
            select(ApiCredential).where(
                ApiCredential.company_id == actor.company_id,
                ApiCredential.kind == kind,
                ApiCredential.public_id == public_id,
            )
        )
        if credential is None:
            raise NotFound(kind.value, public_id)
        if credential.revoked_at is None:
            credential.revoked_at = uow.clock.now()
            audit(uow, actor, f"{kind.value}.revoked", "api_credential", credential.id)
        uow.commit()
        return credential


def _actor_of(credential: ApiCredential) -> Actor:
    return Actor(
        name=f"{credential.kind}:{credential.public_id} ({credential.name})"[:120],
        company_id=credential.company_id,
        roles=frozenset(Role(value) for value in credential.roles.split(",")),
    )


def _usable(uow: UnitOfWork, credential: ApiCredential | None) -> ApiCredential:
    if credential is None or credential.revoked_at is not None:
        raise AuthenticationFailed("unknown or revoked credential")
    now = uow.clock.now()
    if credential.last_used_at is None or now - credential.last_used_at >= USE_RECORDED_EVERY:
        credential.last_used_at = now
        uow.commit()
    return credential


def _find(uow: UnitOfWork, kind: CredentialKind, public_id: str) -> ApiCredential | None:
    return uow.session.scalar(
        select(ApiCredential).where(
            ApiCredential.public_id == public_id, ApiCredential.kind == kind
        )
    )


def actor_for_api_key(uow: UnitOfWork, key: str) -> Actor:
    """The actor an API key stands for; `AuthenticationFailed` for a wrong or revoked key."""
    public_id, _, secret = key.removeprefix(KEY_PREFIX).partition(".")
    with uow:
        credential = _find(uow, CredentialKind.API_KEY, public_id)
        if credential is not None and not same(credential.secret_hash, digest(secret)):
            credential = None
        return _actor_of(_usable(uow, credential))


def issue_access_token(
    uow: UnitOfWork, client_id: str, client_secret: str, lifetime: timedelta
) -> IssuedToken:
    """Client-credentials grant: a bearer token for a valid, unrevoked OAuth2 client."""
    with uow:
        credential = _find(uow, CredentialKind.OAUTH_CLIENT, client_id)
        if credential is not None and not same(credential.secret_hash, digest(client_secret)):
            credential = None
        credential = _usable(uow, credential)
        now = uow.clock.now()
        uow.session.execute(
            delete(AccessToken).where(
                AccessToken.credential_id == credential.id, AccessToken.expires_at <= now
            )
        )
        token = new_token()
        uow.session.add(
            AccessToken(
                token_hash=digest(token),
                credential_id=credential.id,
                expires_at=now + lifetime,
            )
        )
        uow.commit()
        return IssuedToken(token, int(lifetime.total_seconds()))


def actor_for_bearer(uow: UnitOfWork, token: str) -> Actor:
    """The actor of a bearer token: an API key, or an unexpired token of a live client."""
    if token.startswith(KEY_PREFIX):
        return actor_for_api_key(uow, token)
    with uow:
        row = uow.session.execute(
            select(AccessToken, ApiCredential)
            .join(ApiCredential, ApiCredential.id == AccessToken.credential_id)
            .where(AccessToken.token_hash == digest(token))
        ).first()
        if row is None:
            raise AuthenticationFailed("unknown or expired bearer token")
        token_row, credential = row
        if token_row.expires_at <= uow.clock.now():
            raise AuthenticationFailed("unknown or expired bearer token")
        return _actor_of(_usable(uow, credential))
