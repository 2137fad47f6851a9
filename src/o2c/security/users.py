"""User accounts: staff of a company and customers' portal users, and how they sign in.

A staff user holds roles; a portal user holds only `Role.CUSTOMER` and one customer, and its
actor sees nothing of other customers. Sign-in is throttled per email and client address
(`MAX_FAILURES` failures within `THROTTLE_WINDOW`), and a staff account cannot sign in at the
portal nor a portal account at the back office.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, select

from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from o2c.security.access_tables import LoginFailure, User
from o2c.security.hashing import hash_password, password_matches
from o2c.security.model import Actor, Permission, Role
from o2c.security.service import audit
from o2c.security.sessions import end_sessions_of

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}


def roles_of(user: User) -> frozenset[Role]:
    return frozenset(Role(value) for value in user.roles.split(",") if value)


def actor_for(user: User) -> Actor:
    """The actor a signed-in user acts as: named by email, so audit records name the person."""
    return Actor(
        name=user.email,
        company_id=user.company_id,
        roles=roles_of(user),
        user_id=user.id,
        customer_id=user.customer_id,
    )


def _normalised(email: str) -> str:
    return email.strip().casefold()


def _checked_roles(roles: Iterable[Role], customer_id: int | None) -> frozenset[Role]:
    chosen = frozenset(Role(role) for role in roles)
    if customer_id is not None:
        if chosen - {Role.CUSTOMER}:
            raise ValidationFailed(
                [FieldError("roles", "a portal user has only the role customer")]
            )
        return frozenset({Role.CUSTOMER})
    if not chosen:
        raise ValidationFailed([FieldError("roles", "a staff user needs at least one role")])
    if Role.CUSTOMER in chosen:
        raise ValidationFailed([FieldError("roles", "role customer needs a customer")])
    return chosen


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            [FieldError("password", f"must have at least {MIN_PASSWORD_LENGTH} characters")]
        )


def _encode(roles: frozenset[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    name: str,
    password: str | None,
    roles: Iterable[Role],
    customer_id: int | None = None,
) -> User:
    """Create a staff user (no customer) or a portal user of `customer_id` in the actor's company.

    Without a password the account exists but cannot sign in until one is set.
    """
    actor.require(Permission.COMPANY_ADMIN)
    address = _normalised(email)
    if "@" not in address or len(address) > 254:
        raise ValidationFailed([FieldError("email", "not an email address")])
    chosen = _checked_roles(roles, customer_id)
    if password is not None:
        _check_password(password)
    with uow:
        if uow.session.scalar(select(User.id).where(User.email == address)) is not None:
            raise Conflict(f"user {address} already exists")
        now = uow.clock.now()
        user = User(
            company_id=actor.company_id,
            email=address,
            name=name.strip() or address,
            roles=_encode(chosen),
            customer_id=customer_id,
            password_hash=hash_password(password) if password is not None else None,
            active=True,
            created_at=now,
            password_changed_at=now if password is not None else None,
        )
        uow.session.add(user)
        uow.session.flush()
        audit(
            uow,
            actor,
            "user.created",
            "user",
            user.id,
            {"email": address, "roles": user.roles, "customer_id": customer_id},
        )
        uow.commit()
        return user


def get_user(uow: UnitOfWork, actor: Actor, email: str) -> User:
    actor.require(Permission.COMPANY_ADMIN)
    with uow:
        user = uow.session.scalar(
            select(User).where(
                User.company_id == actor.company_id, User.email == _normalised(email)
            )
        )
        if user is None:
            raise NotFound("user", email)
        return user


def list_users(uow: UnitOfWork, actor: Actor) -> list[User]:
    actor.require(Permission.COMPANY_ADMIN)
    with uow:
        return list(
            uow.session.scalars(
                select(User).where(User.company_id == actor.company_id).order_by(User.email)
            )
        )


def set_active(uow: UnitOfWork, actor: Actor, email: str, active: bool) -> User:
    """Disable (or re-enable) an account; disabling also ends its web sessions."""
    with uow:
        user = get_user(uow, actor, email)
        user.active = active
        if not active:
            end_sessions_of(uow, user.id)
        audit(uow, actor, "user.enabled" if active else "user.disabled", "user", user.id)
        uow.commit()
        return user


def set_password(uow: UnitOfWork, actor: Actor, email: str, password: str) -> User:
    """Set a new password (by an administrator); the user's open sessions end."""
    _check_password(password)
    with uow:
        user = get_user(uow, actor, email)
        user.password_hash = hash_password(password)
        user.password_changed_at = uow.clock.now()
        end_sessions_of(uow, user.id)
        audit(uow, actor, "user.password_set", "user", user.id)
        uow.commit()
        return user


def set_roles(uow: UnitOfWork, actor: Actor, email: str, roles: Iterable[Role]) -> User:
    with uow:
        user = get_user(uow, actor, email)
        chosen = _checked_roles(roles, user.customer_id)
        before = user.roles
        user.roles = _encode(chosen)
        audit(
            uow,
            actor,
            "user.roles_set",
            "user",
            user.id,
            before={"roles": before},
            after={"roles": user.roles},
        )
        uow.commit()
        return user


def authenticate(uow: UnitOfWork, *, email: str, password: str, portal: bool, client: str) -> User:
    """The active user with this email and password, signing in at the portal or back office.

    Every failure looks the same to the caller (no hint whether the email exists) and is
    counted; after `MAX_FAILURES` within `THROTTLE_WINDOW` the pair is refused outright.
    """
    address = _normalised(email)
    client = client[:100]
    with uow:
        now = uow.clock.now()
        since = now - THROTTLE_WINDOW
        failures = uow.session.scalar(
            select(func.count(LoginFailure.id)).where(
                LoginFailure.email == address,
                LoginFailure.client == client,
                LoginFailure.at > since,
            )
        )
        if (failures or 0) >= MAX_FAILURES:
            raise TooManyAttempts(
                "too many failed sign-ins; try again later", int(THROTTLE_WINDOW.total_seconds())
            )
        user = uow.session.scalar(select(User).where(User.email == address))
        matches = password_matches(user.password_hash if user else None, password)
        if (
            user is None
            or not matches
            or not user.active
            or (user.customer_id is not None) != portal
        ):
            # Failures older than the window count for nothing any more.
            uow.session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
            uow.session.add(LoginFailure(email=address, client=client, at=now))
            uow.commit()
            raise AuthenticationFailed("wrong email or password")
        uow.session.execute(
            delete(LoginFailure).where(LoginFailure.email == address, LoginFailure.client == client)
        )
        audit(uow, actor_for(user), "user.signed_in", "user", user.id, {"client": client})
        uow.commit()
        return user
