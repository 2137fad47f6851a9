"""Payment plans and autopay: exact schedules, charges through the gateway port, retries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2c.billing.service import invoice_details
from o2c.kernel.errors import ValidationFailed
from o2c.kernel.money import Money
from o2c.payments.autopay import run_autopay
from o2c.payments.gateway import LoopbackGateway
from o2c.payments.plans import (
    PlanCreate,
    add_payment_method,
    create_payment_plan,
    instalments,
    schedule,
)
from o2c.payments.tables import PaymentPlan
from tests.billing.builders import a_billed_customer, a_posted_invoice, line, tax_rates
from tests.invariants import check_ledger


@given(
    total=st.integers(min_value=1, max_value=10**10),
    count=st.integers(min_value=1, max_value=36),
)
def test_instalments_sum_exactly_to_the_total(total, count):
    parts = schedule(Money.from_minor(total, "EUR"), min(count, total), date(2026, 1, 31), 1)

    assert sum(p.minor for _, p in parts) == total
    assert max(p.minor for _, p in parts) - min(p.minor for _, p in parts) <= 1


def test_monthly_dates_keep_the_day_clamped_to_short_months():
    parts = schedule(Money("100.00", "EUR"), 3, date(2026, 1, 31), 1)

    assert [(d, str(m.amount)) for d, m in parts] == [
        (date(2026, 1, 31), "33.34"),
        (date(2026, 2, 28), "33.33"),
        (date(2026, 3, 31), "33.33"),
    ]


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


@pytest.fixture
def invoice(uow, actor, customer):
    """119.00 EUR open (100.00 + 19 % VAT)."""
    return a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00"))


@pytest.fixture
def card(uow, actor, customer):
    return add_payment_method(uow, actor, customer, "loopback", "tok_visa", "Visa 4242").id


def a_plan(uow, actor, customer, invoice_id, card, count=3, **fields):
    return create_payment_plan(
        uow,
        actor,
        PlanCreate(
            customer, "EUR", count, date(2026, 3, 2), invoice_id, payment_method_id=card, **fields
        ),
    )


def open_on(uow, actor, invoice_id):
    return invoice_details(uow, actor, invoice_id).open_minor


def test_plan_on_an_invoice_splits_what_is_open(uow, actor, customer, invoice, card):
    plan = a_plan(uow, actor, customer, invoice.id, card)

    assert plan.total_minor == 11900
    assert [(i.due_on, i.amount_minor) for i in instalments(uow, actor, plan.id)] == [
        (date(2026, 3, 2), 3967),
        (date(2026, 4, 2), 3967),
        (date(2026, 5, 2), 3966),
    ]


def test_autopay_charges_what_is_due_once_and_applies_it_to_the_invoice(
    uow, actor, customer, invoice, card
):
    plan = a_plan(uow, actor, customer, invoice.id, card)
    gateway = LoopbackGateway()

    [first] = run_autopay(uow, actor, gateway, date(2026, 3, 2))
    again = run_autopay(uow, actor, gateway, date(2026, 3, 2))

    assert first.approved
    assert first.payment_id is not None
    assert again == []
    assert len(gateway.charges) == 1
    assert gateway.charges[0].amount == Money("39.67", "EUR")
    assert open_on(uow, actor, invoice.id) == 11900 - 3967
    check_ledger(uow, actor)
    assert plan.status == "active"


def test_a_catch_up_run_pays_every_due_instalment_and_completes_the_plan(
    uow, actor, customer, invoice, card
):
    plan = a_plan(uow, actor, customer, invoice.id, card)

    results = run_autopay(uow, actor, LoopbackGateway(), date(2026, 6, 1))

    assert [r.approved for r in results] == [True, True, True]
    assert open_on(uow, actor, invoice.id) == 0
    with uow:
        assert uow.session.get(PaymentPlan, plan.id).status == "completed"
    check_ledger(uow, actor)


def test_a_decline_is_retried_on_the_schedule_and_then_succeeds(
    uow, actor, customer, invoice, card
):
    a_plan(uow, actor, customer, invoice.id, card, retry_days=(1, 3))
    gateway = LoopbackGateway()
    gateway.decline_next(2)

    [first] = run_autopay(uow, actor, gateway, date(2026, 3, 2))
    assert run_autopay(uow, actor, gateway, date(2026, 3, 2)) == []
    [second] = run_autopay(uow, actor, gateway, date(2026, 3, 3))
    assert run_autopay(uow, actor, gateway, date(2026, 3, 5)) == []
    [third] = run_autopay(uow, actor, gateway, date(2026, 3, 6))

    assert [(r.attempt, r.approved, r.next_attempt_on) for r in (first, second, third)] == [
        (1, False, date(2026, 3, 3)),
        (2, False, date(2026, 3, 6)),
        (3, True, None),
    ]
    assert open_on(uow, actor, invoice.id) == 11900 - 3967


def test_when_retries_are_spent_the_instalment_fails_and_the_plan_defaults(
    uow, actor, customer, invoice, card
):
    plan = a_plan(uow, actor, customer, invoice.id, card, retry_days=(2,))
    gateway = LoopbackGateway(declined_tokens={"tok_visa"})

    run_autopay(uow, actor, gateway, date(2026, 3, 2))
    [last] = run_autopay(uow, actor, gateway, date(2026, 3, 4))

    assert (last.attempt, last.approved, last.next_attempt_on) == (2, False, None)
    assert [i.status for i in instalments(uow, actor, plan.id)] == ["failed", "due", "due"]
    with uow:
        assert uow.session.get(PaymentPlan, plan.id).status == "defaulted"
    assert run_autopay(uow, actor, gateway, date(2026, 4, 2)) == []
    assert open_on(uow, actor, invoice.id) == 11900


def test_a_balance_plan_pays_the_oldest_invoices_first(uow, actor, customer, card):
    older = a_posted_invoice(uow, actor, customer, line("Old", "1", "10.00"), on=date(2026, 1, 5))
    newer = a_posted_invoice(uow, actor, customer, line("New", "1", "20.00"), on=date(2026, 2, 5))
    plan = a_plan(uow, actor, customer, None, card, count=2)

    run_autopay(uow, actor, LoopbackGateway(), date(2026, 3, 2))

    assert plan.total_minor == 1190 + 2380
    assert (open_on(uow, actor, older.id), open_on(uow, actor, newer.id)) == (0, 2380 - 595)
    check_ledger(uow, actor)


def test_a_plan_with_nothing_open_or_a_strangers_card_is_refused(uow, actor, customer, card):
    other = a_billed_customer(uow, actor, code="C2")

    with pytest.raises(ValidationFailed) as refused:
        create_payment_plan(
            uow, actor, PlanCreate(other, "EUR", 3, date(2026, 3, 2), payment_method_id=card)
        )

    assert {e.field for e in refused.value.errors} == {"customer_id", "payment_method_id"}
