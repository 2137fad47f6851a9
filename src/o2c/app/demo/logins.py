"""The demo's two sign-ins, both with password `demo`: for trying the demo only.

`ar@demo.example` is a staff user who does the daily AR work (clerk, collector, cash applier,
credit manager); `customer@demo.example` is a portal user of the first customer. Their
password is shorter than the account policy allows, so it is set here directly.
"""

from __future__ import annotations

from o2c.db.uow import UnitOfWork
from o2c.security.hashing import hash_password
from o2c.security.model import Actor, Role
from o2c.security.users import create_user

STAFF_EMAIL = "ar@demo.example"
PORTAL_EMAIL = "customer@demo.example"
DEMO_PASSWORD = "demo"
STAFF_ROLES = (Role.AR_CLERK, Role.COLLECTOR, Role.CASH_APPLIER, Role.CREDIT_MANAGER)


def install_demo_logins(uow: UnitOfWork, actor: Actor, first_customer_id: int) -> None:
    with uow:
        staff = create_user(
            uow, actor, email=STAFF_EMAIL, name="Alex Receivables", password=None, roles=STAFF_ROLES
        )
        portal = create_user(
            uow,
            actor,
            email=PORTAL_EMAIL,
            name="Customer contact",
            password=None,
            roles=[Role.CUSTOMER],
            customer_id=first_customer_id,
        )
        for user in (staff, portal):
            user.password_hash = hash_password(DEMO_PASSWORD)
        uow.commit()
