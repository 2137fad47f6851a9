"""User accounts and sign-in: argon2 hashes, roles, portal versus staff, throttling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from o2c.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from o2c.security.access_tables import User
from o2c.security.model import Actor, Role, system_actor
from o2c.security.service import create_company
from o2c.security.tables import AuditRecord
from o2c.security.users import (
    MAX_FAILURES,
    THROTTLE_WINDOW,
    actor_for,
    authenticate,
    create_user,
    list_users,
    set_active,
    set_password,
    set_roles,
)
from tests.builders import a_customer

PASSWORD = "correct horse"


def staff(uow, actor, email="clerk@acme.example", roles=(Role.AR_CLERK,)):
    return create_user(uow, actor, email=email, name="Clara", password=PASSWORD, roles=roles)


def sign_in(uow, email="clerk@acme.example", password=PASSWORD, portal=False, client="10.0.0.1"):
    return authenticate(uow, email=email, password=password, portal=portal, client=client)


def test_password_is_stored_as_an_argon2_hash_and_signs_in(uow, actor):
    user = staff(uow, actor, email="  Clerk@ACME.example ")

    assert user.email == "clerk@acme.example"
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert sign_in(uow, email="CLERK@acme.example").id == user.id


def test_actor_of_a_user_names_it_and_carries_its_roles(uow, actor):
    user = staff(uow, actor, roles=(Role.AR_CLERK, Role.COLLECTOR))

    signed = actor_for(user)

    assert signed.name == "clerk@acme.example"
    assert signed.user_id == user.id
    assert signed.company_id == actor.company_id
    assert signed.roles == {Role.AR_CLERK, Role.COLLECTOR}
    assert signed.customer_id is None


def test_wrong_password_and_unknown_email_fail_alike(uow, actor):
    staff(uow, actor)

    with pytest.raises(AuthenticationFailed) as wrong:
        sign_in(uow, password="guess")
    with pytest.raises(AuthenticationFailed) as unknown:
        sign_in(uow, email="nobody@acme.example")

    assert wrong.value.detail == unknown.value.detail


def test_staff_cannot_sign_in_at_the_portal_nor_customers_at_the_back_office(uow, actor):
    customer = a_customer(uow, actor)
    staff(uow, actor)
    create_user(
        uow,
        actor,
        email="buyer@customer.example",
        name="Bea",
        password=PASSWORD,
        roles=[Role.CUSTOMER],
        customer_id=customer,
    )

    with pytest.raises(AuthenticationFailed):
        sign_in(uow, portal=True)
    with pytest.raises(AuthenticationFailed):
        sign_in(uow, email="buyer@customer.example", portal=False)
    portal_user = sign_in(uow, email="buyer@customer.example", portal=True)

    portal_actor = actor_for(portal_user)
    assert portal_actor.customer_id == customer
    assert portal_actor.roles == {Role.CUSTOMER}


def test_repeated_failures_throttle_the_email_from_that_client_for_a_while(uow, actor, clock):
    staff(uow, actor)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            sign_in(uow, password="guess")

    with pytest.raises(TooManyAttempts):
        sign_in(uow)  # even the right password
    assert sign_in(uow, client="10.0.0.2").email == "clerk@acme.example"

    clock.advance(seconds=THROTTLE_WINDOW.total_seconds() + 1)
    assert sign_in(uow).email == "clerk@acme.example"


def test_disabled_user_cannot_sign_in_until_enabled(uow, actor):
    staff(uow, actor)
    set_active(uow, actor, "clerk@acme.example", False)

    with pytest.raises(AuthenticationFailed):
        sign_in(uow)
    set_active(uow, actor, "clerk@acme.example", True)
    assert sign_in(uow).active


def test_new_password_replaces_the_old(uow, actor):
    staff(uow, actor)
    set_password(uow, actor, "clerk@acme.example", "another secret")

    with pytest.raises(AuthenticationFailed):
        sign_in(uow)
    assert sign_in(uow, password="another secret").email == "clerk@acme.example"


def test_roles_are_replaced_and_audited(uow, actor):
    staff(uow, actor)

    user = set_roles(uow, actor, "clerk@acme.example", [Role.AUDITOR])

    assert actor_for(user).roles == {Role.AUDITOR}
    with uow:
        record = uow.session.scalar(
            select(AuditRecord).where(AuditRecord.action == "user.roles_set")
        )
    assert record is not None
    assert record.data["before"] == {"roles": "ar_clerk"}
    assert record.data["after"] == {"roles": "auditor"}


@pytest.mark.parametrize(
    ("roles", "customer", "field"),
    [
        ([], False, "roles"),
        ([Role.CUSTOMER], False, "roles"),
        ([Role.ADMIN], True, "roles"),
    ],
)
def test_roles_must_fit_the_kind_of_user(uow, actor, roles, customer, field):
    customer_id = a_customer(uow, actor) if customer else None

    with pytest.raises(ValidationFailed) as failed:
        create_user(
            uow,
            actor,
            email="x@acme.example",
            name="X",
            password=PASSWORD,
            roles=roles,
            customer_id=customer_id,
        )
    assert failed.value.errors[0].field == field


def test_short_password_duplicate_email_and_non_admins_are_refused(uow, actor):
    staff(uow, actor)
    clerk = Actor("clerk", actor.company_id, frozenset({Role.AR_CLERK}))

    with pytest.raises(ValidationFailed):
        create_user(
            uow, actor, email="y@acme.example", name="Y", password="short", roles=[Role.ADMIN]
        )
    with pytest.raises(Conflict):
        staff(uow, actor)
    with pytest.raises(PermissionDenied):
        staff(uow, clerk, email="z@acme.example")
    with pytest.raises(PermissionDenied):
        list_users(uow, clerk)


def test_users_are_listed_per_company(uow, actor):
    staff(uow, actor)
    with uow:
        beta = create_company(uow, "BETA", "Beta", "USD")
        uow.commit()
    staff(uow, system_actor(beta.id), email="other@beta.example")

    assert [u.email for u in list_users(uow, actor)] == ["clerk@acme.example"]
    with uow:
        assert (
            uow.session.scalar(select(User.company_id).where(User.email == "other@beta.example"))
            == beta.id
        )
