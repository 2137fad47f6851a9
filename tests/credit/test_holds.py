"""Credit holds: placed and released (audited); an order of a customer on hold is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from o2c.credit.model import CustomerOnHold
from o2c.credit.service import active_holds, place_hold, release_hold
from o2c.kernel.errors import NotFound, PermissionDenied
from o2c.orders.service import confirm_order
from o2c.security.model import Actor, Role
from o2c.security.tables import AuditRecord
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order


def test_an_order_of_a_customer_on_hold_is_refused_until_the_hold_is_released(uow, actor):
    # given a customer on hold with a draft order
    customer = a_customer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(a_product(uow, actor, stocked=False))])
    place_hold(uow, actor, customer, "90 days overdue")
    # when the order is confirmed, then it is refused with the reason
    with pytest.raises(CustomerOnHold, match="90 days overdue"):
        confirm_order(uow, actor, order)
    # and once released it goes through
    release_hold(uow, actor, customer, "paid in full")
    assert confirm_order(uow, actor, order).status == "confirmed"
    assert active_holds(uow, actor) == {}


def test_placing_a_hold_twice_keeps_the_first_and_both_changes_are_audited(uow, actor):
    customer = a_customer(uow, actor)
    first = place_hold(uow, actor, customer, "first")
    again = place_hold(uow, actor, customer, "second")
    release_hold(uow, actor, customer, "settled")
    with uow:
        actions = uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert (again.id, again.reason) == (first.id, "first")
    assert [a for a in actions if a.startswith("credit.")] == ["credit.hold", "credit.release"]
    with pytest.raises(NotFound):
        release_hold(uow, actor, customer, "nothing on hold")


def test_only_credit_roles_place_holds(uow, actor):
    customer = a_customer(uow, actor)
    collector = Actor("colin", actor.company_id, frozenset({Role.COLLECTOR}))
    manager = Actor("carla", actor.company_id, frozenset({Role.CREDIT_MANAGER}))
    with pytest.raises(PermissionDenied):
        place_hold(uow, collector, customer, "no")
    assert place_hold(uow, manager, customer, "yes").placed_by == "carla"
