"""Orders that fail the credit rules go on credit hold at confirmation or before shipment;
a credit manager releases (the order goes ahead) or rejects (it is cancelled)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from o2c.credit.holds import HoldStatus, list_order_holds, order_hold_reasons
from o2c.credit.model import CustomerOnHold, OrderOnCreditHold
from o2c.credit.policy import set_policy
from o2c.credit.rules import CreditPolicy
from o2c.credit.service import place_hold
from o2c.db.outbox import OutboxEvent
from o2c.kernel.errors import InvalidTransition, NotFound, PermissionDenied
from o2c.orders.credit_check import exposure_of
from o2c.orders.credit_decisions import reject_order, release_order
from o2c.orders.service import confirm_order, get_order
from o2c.security.model import Actor, Role
from o2c.security.tables import AuditRecord
from o2c.shipping.service import create_shipment, get_shipment, ship
from tests.builders import an_invoice
from tests.credit.builders import a_limited_customer, an_order_worth, person


def topics(uow, prefix: str) -> list[str]:
    with uow:
        found = uow.session.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id))
        return [t for t in found if t.startswith(prefix)]


def audited(uow, prefix: str) -> list[tuple[str, str]]:
    with uow:
        rows = uow.session.execute(
            select(AuditRecord.action, AuditRecord.actor).order_by(AuditRecord.id)
        )
        return [(a, who) for a, who in rows if a.startswith(prefix)]


def held_on_confirmation(uow, actor, customer: int, by=None) -> tuple[int, OrderOnCreditHold]:
    """A draft order of 119.00 that `by` (default: `actor`) confirms and the rules hold."""
    order = an_order_worth(uow, actor, customer, "100.00")
    with pytest.raises(OrderOnCreditHold) as refused:
        confirm_order(uow, by or actor, order)
    return order, refused.value


def test_an_order_above_the_limit_is_held_not_confirmed_with_reasons_and_figures(uow, actor):
    # given a customer with 100.00 of limit and 50.00 open
    customer = a_limited_customer(uow, actor, "100.00")
    an_invoice(uow, actor, customer, "50.00")
    clerk = person(actor, "clara", Role.AR_CLERK)
    # when an order of 119.00 is confirmed, then it is refused and put on hold
    order, refused = held_on_confirmation(uow, actor, customer, clerk)
    assert "customer exposure 169.00 EUR exceeds its credit limit 100.00 EUR" in str(refused)
    assert get_order(uow, actor, order).status == "draft"
    [hold] = list_order_holds(uow, actor)
    assert (hold.order_id, hold.stage, hold.status, hold.requested_by) == (
        order,
        "confirmation",
        "held",
        "clara",
    )
    assert hold.failures["failures"][0]["figures"] == {
        "exposure": "169.00",
        "limit": "100.00",
        "currency": "EUR",
    }
    assert order_hold_reasons(uow, actor.company_id, order) == [refused.reasons[0]]
    assert topics(uow, "order.credit") == ["order.credit_held"]
    # and confirming again refuses without a second hold
    with pytest.raises(OrderOnCreditHold):
        confirm_order(uow, clerk, order)
    assert len(list_order_holds(uow, actor)) == 1


def test_an_order_within_every_rule_is_confirmed_without_a_hold(uow, actor):
    customer = a_limited_customer(uow, actor, "1000.00")
    order = an_order_worth(uow, actor, customer, "100.00")
    assert confirm_order(uow, actor, order).status == "confirmed"
    assert list_order_holds(uow, actor, None) == []
    assert order_hold_reasons(uow, actor.company_id, order) == []


def test_a_released_order_is_confirmed_by_the_credit_manager_and_audited(uow, actor):
    customer = a_limited_customer(uow, actor, "100.00")
    order, refused = held_on_confirmation(
        uow, actor, customer, person(actor, "clara", Role.AR_CLERK)
    )
    manager = person(actor, "carla")
    released = release_order(uow, manager, refused.hold_id, "known customer, big season")
    assert (released.status, released.decided_by) == ("released", "carla")
    assert get_order(uow, actor, order).status == "confirmed"
    assert ("credit.order_released", "carla") in audited(uow, "credit.")
    assert topics(uow, "order.credit") == ["order.credit_held", "order.credit_released"]
    # a retried release answers the same; a rejection afterwards is refused
    assert release_order(uow, manager, refused.hold_id, "again").id == released.id
    with pytest.raises(InvalidTransition):
        reject_order(uow, manager, refused.hold_id, "changed my mind")


def test_a_rejected_order_is_cancelled(uow, actor):
    customer = a_limited_customer(uow, actor, "100.00")
    order, refused = held_on_confirmation(uow, actor, customer)
    rejected = reject_order(uow, person(actor, "carla"), refused.hold_id, "too risky")
    assert rejected.status == HoldStatus.REJECTED
    assert get_order(uow, actor, order).status == "cancelled"
    assert topics(uow, "order.credit") == ["order.credit_held", "order.credit_rejected"]
    assert [a for a, _ in audited(uow, "credit.")] == ["credit.order_hold", "credit.order_rejected"]


def test_whoever_asked_cannot_release_an_override_above_the_limit(uow, actor):
    # given carla, a credit manager, confirms an order above the limit herself
    carla = person(actor, "carla")
    customer = a_limited_customer(uow, actor, "100.00")
    _, refused = held_on_confirmation(uow, actor, customer, carla)
    # then she may not release it, a second manager may
    with pytest.raises(PermissionDenied, match="carla requested order"):
        release_order(uow, carla, refused.hold_id, "I vouch for them")
    assert release_order(uow, person(actor, "CARL"), refused.hold_id, "ok").status == ("released")


def test_the_asker_may_release_a_hold_that_overrides_no_limit(uow, actor):
    # given a hold for a past-due invoice only (no limit)
    customer = a_limited_customer(uow, actor, None)
    an_invoice(uow, actor, customer, "10.00", days=-80)
    carla = person(actor, "carla")
    _, refused = held_on_confirmation(uow, actor, customer, carla)
    assert refused.reasons[0].startswith("an invoice is 131 days past due")
    assert release_order(uow, carla, refused.hold_id, "paid by phone").status == "released"


def test_only_credit_managers_release_or_reject(uow, actor):
    customer = a_limited_customer(uow, actor, "100.00")
    _, refused = held_on_confirmation(uow, actor, customer)
    for outsider in (person(actor, "clara", Role.AR_CLERK), person(actor, "colin", Role.COLLECTOR)):
        with pytest.raises(PermissionDenied):
            release_order(uow, outsider, refused.hold_id, "please")
        with pytest.raises(PermissionDenied):
            reject_order(uow, outsider, refused.hold_id, "please")
    assert list_order_holds(uow, actor)[0].status == "held"


def test_an_order_is_checked_again_before_it_ships(uow, actor, clock):
    # given an order confirmed within the rules, then an invoice goes far past due
    customer = a_limited_customer(uow, actor, None)
    order = an_order_worth(uow, actor, customer)
    confirm_order(uow, actor, order)
    shipment = create_shipment(uow, actor, order)
    an_invoice(uow, actor, customer, "10.00", on=clock.today() - timedelta(days=100), days=30)
    # when it is shipped, then it is held and nothing leaves
    with pytest.raises(OrderOnCreditHold, match="70 days past due"):
        ship(uow, actor, shipment.id)
    [hold] = list_order_holds(uow, actor)
    assert hold.stage == "shipment"
    assert get_shipment(uow, actor, shipment.id).status == "draft"
    assert get_order(uow, actor, order).status == "confirmed"
    # and once released it ships (the release stands for the shipment stage)
    release_order(uow, person(actor, "carla"), hold.id, "payment promised by wire")
    assert ship(uow, actor, shipment.id).status == "shipped"


def test_the_customer_level_hold_still_refuses_without_an_order_hold(uow, actor):
    customer = a_limited_customer(uow, actor, "100.00")
    order = an_order_worth(uow, actor, customer)
    place_hold(uow, actor, customer, "bankruptcy rumours")
    with pytest.raises(CustomerOnHold, match="bankruptcy rumours"):
        confirm_order(uow, actor, order)
    assert list_order_holds(uow, actor, None) == []


def test_switched_off_rules_are_not_checked(uow, actor):
    set_policy(uow, actor, CreditPolicy(customer_limit=False))
    customer = a_limited_customer(uow, actor, "100.00")
    order = an_order_worth(uow, actor, customer, "500.00")
    assert confirm_order(uow, actor, order).status == "confirmed"


def test_a_group_over_its_limit_holds_a_members_order(uow, actor):
    head = a_limited_customer(uow, actor, "1000.00")
    member = a_limited_customer(uow, actor, None, parent_id=head)
    an_invoice(uow, actor, head, "950.00")
    _, refused = held_on_confirmation(uow, actor, member)
    assert [f.split(" exposure")[0] for f in refused.reasons] == ["customer group"]


def test_a_portal_user_sees_only_its_own_customers_holds_and_exposure(uow, actor):
    customer = a_limited_customer(uow, actor, "100.00")
    other = a_limited_customer(uow, actor, "100.00")
    held_on_confirmation(uow, actor, customer)
    portal = Actor("buyer", actor.company_id, frozenset({Role.CUSTOMER}), customer_id=other)
    assert list_order_holds(uow, portal) == []
    with pytest.raises(NotFound):
        exposure_of(uow, portal, customer)
    assert exposure_of(uow, portal, other).customer.total.amount == 0
