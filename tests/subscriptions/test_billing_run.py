"""Recurring billing: the run invoices what is due once per period; changes are prorated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from o2c.billing.model import InvoiceKind
from o2c.billing.service import get_invoice
from o2c.kernel.errors import InvalidTransition, ValidationFailed
from o2c.kernel.money import Money
from o2c.subscriptions.model import ChargeKind, Interval, PlanCreate
from o2c.subscriptions.service import (
    cancel_subscription,
    change_plan,
    create_plan,
    list_charges,
    run_billing,
    start_subscription,
)
from o2c.subscriptions.tables import SubscriptionCharge
from tests.billing.builders import a_billed_customer, tax_rates
from tests.invariants import check_ledger


def eur(text: str) -> Money:
    return Money(text, "EUR")


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


def a_plan(uow, actor, code="BASIC", price="30.00", interval=Interval.MONTH):
    return create_plan(uow, actor, PlanCreate(code, f"Plan {code}", eur(price), interval)).id


def test_first_run_bills_the_short_first_period_by_days(uow, actor, customer):
    plan = a_plan(uow, actor)
    subscription = start_subscription(uow, actor, customer, plan, date(2026, 3, 10), 1)

    [charge] = run_billing(uow, actor, date(2026, 3, 10))

    assert (charge.period_start, charge.period_end, charge.amount) == (
        date(2026, 3, 10),
        date(2026, 4, 1),
        eur("21.29"),
    )
    invoice = get_invoice(uow, actor, charge.invoice_id)
    assert (invoice.status, invoice.net_minor, invoice.tax_minor) == ("posted", 2129, 405)
    assert invoice.issue_date == date(2026, 3, 10)
    assert subscription.id == charge.subscription_id
    check_ledger(uow, actor)


def test_running_again_bills_nothing_and_a_later_run_catches_up_each_period(uow, actor, customer):
    plan = a_plan(uow, actor)
    start_subscription(uow, actor, customer, plan, date(2026, 3, 1))
    run_billing(uow, actor, date(2026, 3, 1))

    again = run_billing(uow, actor, date(2026, 3, 31))
    later = run_billing(uow, actor, date(2026, 5, 1))

    assert again == []
    assert [(c.period_start, c.amount) for c in later] == [
        (date(2026, 4, 1), eur("30.00")),
        (date(2026, 5, 1), eur("30.00")),
    ]


def test_a_period_cannot_be_recorded_twice(uow, actor, customer):
    plan = a_plan(uow, actor)
    subscription = start_subscription(uow, actor, customer, plan, date(2026, 3, 1))
    [charge] = run_billing(uow, actor, date(2026, 3, 1))

    with uow:
        uow.session.add(
            SubscriptionCharge(
                company_id=actor.company_id,
                subscription_id=subscription.id,
                kind="period",
                period_start=date(2026, 3, 1),
                period_end=date(2026, 4, 1),
                plan_id=plan,
                invoice_id=charge.invoice_id,
                currency="EUR",
                amount_minor=3000,
                created_at=uow.clock.now(),
            )
        )
        with pytest.raises(IntegrityError):
            uow.session.flush()


def test_upgrade_mid_period_invoices_the_new_share_less_the_old(uow, actor, customer):
    basic, pro = a_plan(uow, actor), a_plan(uow, actor, "PRO", "62.00")
    subscription = start_subscription(uow, actor, customer, basic, date(2026, 3, 1))
    run_billing(uow, actor, date(2026, 3, 1))

    charge = change_plan(uow, actor, subscription.id, pro, date(2026, 3, 17))

    # 15 of 31 days remain: 62 × 15/31 = 30.00 new, 30 × 15/31 = 14.52 old
    assert charge is not None
    assert (charge.kind, charge.amount) == (ChargeKind.CHANGE, eur("15.48"))
    [april] = run_billing(uow, actor, date(2026, 4, 1))
    assert april.amount == eur("62.00")
    check_ledger(uow, actor)


def test_downgrade_mid_period_credits_the_difference_on_the_periods_invoice(uow, actor, customer):
    basic, pro = a_plan(uow, actor), a_plan(uow, actor, "PRO", "62.00")
    subscription = start_subscription(uow, actor, customer, pro, date(2026, 3, 1))
    [march] = run_billing(uow, actor, date(2026, 3, 1))

    charge = change_plan(uow, actor, subscription.id, basic, date(2026, 3, 17))

    assert charge is not None
    assert charge.amount == eur("-15.48")
    note = get_invoice(uow, actor, charge.invoice_id)
    assert (note.kind, note.credited_invoice_id, note.net_minor) == (
        InvoiceKind.CREDIT_NOTE,
        march.invoice_id,
        1548,
    )
    check_ledger(uow, actor)


def test_cancel_credits_unused_days_and_stops_billing(uow, actor, customer):
    plan = a_plan(uow, actor)
    subscription = start_subscription(uow, actor, customer, plan, date(2026, 3, 1))
    run_billing(uow, actor, date(2026, 3, 1))

    charge = cancel_subscription(uow, actor, subscription.id, date(2026, 3, 21))

    assert charge is not None
    assert charge.amount == eur("-10.65")  # 30 × 11/31
    assert run_billing(uow, actor, date(2026, 6, 1)) == []
    assert [c.kind for c in list_charges(uow, actor, subscription.id)] == ["period", "cancel"]
    with pytest.raises(InvalidTransition):
        cancel_subscription(uow, actor, subscription.id, date(2026, 3, 22))
    check_ledger(uow, actor)


def test_cancel_before_the_next_period_is_billed_only_ends_it(uow, actor, customer):
    plan = a_plan(uow, actor)
    subscription = start_subscription(uow, actor, customer, plan, date(2026, 3, 1))

    assert cancel_subscription(uow, actor, subscription.id, date(2026, 3, 15)) is None
    assert run_billing(uow, actor, date(2026, 4, 1)) == []


def test_plan_in_another_currency_than_the_customer_is_refused(uow, actor, customer):
    plan = create_plan(
        uow, actor, PlanCreate("USD", "Dollar plan", Money("9", "USD"), Interval.YEAR)
    )

    with pytest.raises(ValidationFailed) as refused:
        start_subscription(uow, actor, customer, plan.id, date(2026, 3, 1), 40)

    assert {e.field for e in refused.value.errors} == {"plan_id", "anchor_day"}


def test_quarterly_plan_bills_one_invoice_per_quarter(uow, actor, customer):
    plan = a_plan(uow, actor, "Q", "90.00", Interval.QUARTER)
    start_subscription(uow, actor, customer, plan, date(2026, 1, 1))

    charges = run_billing(uow, actor, date(2026, 7, 1))

    assert [(c.period_start, c.period_end) for c in charges] == [
        (date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 4, 1), date(2026, 7, 1)),
        (date(2026, 7, 1), date(2026, 10, 1)),
    ]
    assert sum(c.amount.amount for c in charges) == Decimal("270.00")
