"""Server-side web sessions: the browser holds a random token, the database its digest.

A session ends after `IDLE_LIMIT` without a request (sliding) and at the latest `ABSOLUTE_LIMIT`
after sign-in. Each session carries its own CSRF secret for the forms it renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select

from o2c.db.uow import UnitOfWork
from o2c.security.access_tables import User, WebSession
from o2c.security.hashing import digest, new_token

IDLE_LIMIT = timedelta(hours=8)
ABSOLUTE_LIMIT = timedelta(hours=24)
# Sliding expiry is written back at most this often, so reads do not write on every request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class OpenedSession:
    token: str
    csrf_secret: str


@dataclass(frozen=True)
class SignedIn:
    user: User
    csrf_secret: str


def start_session(uow: UnitOfWork, user: User) -> OpenedSession:
    """Store a new session for `user`; the token is returned once, for the cookie."""
    token, csrf = new_token(), new_token()
    with uow:
        now = uow.clock.now()
        # Sessions nobody came back to are swept when someone signs in.
        uow.session.execute(
            delete(WebSession).where(
                or_(WebSession.expires_at <= now, WebSession.last_seen_at <= now - IDLE_LIMIT)
            )
        )
        uow.session.add(
            WebSession(
                token_hash=digest(token),
                user_id=user.id,
                csrf_secret=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE_LIMIT,
            )
        )
        uow.commit()
    return OpenedSession(token, csrf)


def signed_in(uow: UnitOfWork, token: str) -> SignedIn | None:
    """The active user of a live session (and the session is kept alive), else None."""
    with uow:
        row = uow.session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == digest(token))
        ).first()
        if row is None:
            return None
        session, user = row
        now = uow.clock.now()
        if not user.active or now >= session.expires_at or now - session.last_seen_at >= IDLE_LIMIT:
            uow.session.delete(session)
            uow.commit()
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            session.last_seen_at = now
            uow.commit()
        return SignedIn(user, session.csrf_secret)


def end_session(uow: UnitOfWork, token: str) -> None:
    with uow:
        uow.session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))
        uow.commit()


def end_sessions_of(uow: UnitOfWork, user_id: int) -> None:
    """Sign a user out everywhere (disabled account, new password)."""
    with uow:
        uow.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
        uow.commit()
