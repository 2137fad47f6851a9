"""Who may sign in and with what: users, web sessions, API credentials and bearer tokens.

Secrets are never stored: passwords as argon2 hashes, session cookies, API keys, OAuth
client secrets and bearer tokens as SHA-256 digests (they are random and long, so a fast
hash is enough). Portal users reference their customer by foreign-key name only (parties
sits above security).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class User(Base):
    """A person who signs in: staff of a company, or a customer's contact at the portal."""

    __tablename__ = "app_user"
    __table_args__ = (Index("ix_app_user_company", "company_id", "email"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    # Unique over the installation: the login form asks for nothing else.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Comma-separated `Role` values.
    roles: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime | None]


class LoginFailure(Base):
    """One failed sign-in, counted per email and client to throttle password guessing."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email", "email", "client", "at"),)

    id: Mapped[Id]
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: the cookie's digest, its CSRF secret and when it expires."""

    __tablename__ = "web_session"

    id: Mapped[Id]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("app_user.id"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # Absolute end; the idle limit is counted from `last_seen_at`.
    expires_at: Mapped[datetime]


class ApiCredential(Base):
    """An API key, or an OAuth2 client (client id + secret): a company and a set of roles."""

    __tablename__ = "api_credential"
    __table_args__ = (Index("ix_api_credential_company", "company_id", "kind"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    kind: Mapped[str] = mapped_column(String(12))  # api_key | oauth_client
    name: Mapped[str] = mapped_column(String(120))
    # The key's visible prefix, or the OAuth client id.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AccessToken(Base):
    """A short-lived OAuth2 bearer token issued to a client for the client-credentials grant."""

    __tablename__ = "access_token"

    id: Mapped[Id]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credential_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("api_credential.id"), index=True
    )
    expires_at: Mapped[datetime]
