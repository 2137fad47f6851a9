"""Opening deductions: rules, routing by reason, tolerance written off through the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from o2c.disputes.model import DeductionCreate, ReasonSpec
from o2c.disputes.policy import AgreementCreate, Settings, add_agreement, set_reason, set_settings
from o2c.disputes.rules import DeductionPolicy
from o2c.disputes.service import (
    customer_disputes,
    disputed_minor_by_item,
    open_deductions,
)
from o2c.kernel.errors import PermissionDenied, ValidationFailed
from o2c.security.model import Role
from tests.billing.builders import item_of
from tests.disputes.builders import (
    a_deduction,
    a_widget_invoice,
    person,
    set_up_billing,
    short_paid,
)
from tests.invariants import check_ledger


@pytest.fixture
def short(uow, actor):
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    return invoice, short_paid(uow, actor, invoice, "107.10")


def test_unexplained_short_pay_goes_to_review_routed_by_its_x12_reason(uow, actor, short, today):
    # given the damaged-goods reason routed to Dora
    set_reason(uow, actor, ReasonSpec("damaged", "Damaged", 15, "logistics", "dora", ("04",)))
    _, item = short
    # when the customer's remittance says X12 code 04
    deduction = a_deduction(uow, actor, item, reason_text="INV-1: 04 item not accepted - damaged")
    # then it waits for review with Dora, due in 15 days, and pauses collections on its amount
    assert (deduction.status, deduction.rule, deduction.reason) == ("open", "review", "damaged")
    assert (deduction.owner, deduction.team) == ("dora", "logistics")
    assert deduction.due_date == today + timedelta(days=15)
    assert disputed_minor_by_item(uow, actor.company_id, [item.id]) == {item.id: 1190}


def test_difference_within_tolerance_is_written_off_at_once(uow, actor, short):
    # given a tolerance of 20.00
    set_settings(uow, actor, Settings(DeductionPolicy(tolerance_minor=2000), 50_000))
    invoice, item = short
    # when the short pay of 11.90 is opened as a deduction
    deduction = a_deduction(uow, actor, item)
    # then it is resolved by an automatic write-off and the invoice is closed
    assert (deduction.status, deduction.outcome) == ("resolved", "auto_write_off")
    assert "rule: deduction tolerance" in (deduction.resolved_by or "")
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)


def test_cash_applier_without_write_off_right_still_gets_tolerance_applied(uow, actor, short):
    set_settings(uow, actor, Settings(DeductionPolicy(tolerance_minor=2000), 50_000))
    _invoice, item = short
    applier = person(actor, "cash", Role.CASH_APPLIER)
    deduction = a_deduction(uow, applier, item)
    assert deduction.outcome == "auto_write_off"
    check_ledger(uow, actor)


def test_deduction_covered_by_a_promotion_agreement_is_valid(uow, actor, short, today):
    invoice, item = short
    agreement = add_agreement(
        uow,
        actor,
        AgreementCreate(
            invoice.customer_id,
            "Spring promo",
            "EUR",
            date(2026, 1, 1),
            date(2026, 6, 30),
            percent=Decimal(10),
        ),
    )
    deduction = a_deduction(uow, actor, item, reason_code="56")
    assert (deduction.status, deduction.rule, deduction.agreement_id) == (
        "valid",
        "agreement",
        agreement.id,
    )
    assert deduction.reason == "promotion"
    assert disputed_minor_by_item(uow, actor.company_id) == {item.id: 1190}


def test_early_payment_discount_within_terms_is_valid(uow, actor):
    # given an invoice with 2 % discount in 10 days, paid on day 5 less the discount
    customer = set_up_billing(uow, actor, term="2/10NET30")
    invoice = a_widget_invoice(uow, actor, customer)
    item = short_paid(uow, actor, invoice, "116.62", on=date(2026, 2, 15))
    deduction = a_deduction(uow, actor, item, paid_on=date(2026, 2, 15), reason_text="2% skonto")
    assert (deduction.status, deduction.rule) == ("valid", "discount_within_terms")


def test_opening_refuses_an_item_of_another_customer(uow, actor, short):
    _, item = short
    wrong = DeductionCreate(item.customer_id + 1000, item.id, 100, "EUR")
    with pytest.raises(ValidationFailed) as refused:
        open_deductions(uow, actor, [wrong])
    assert refused.value.errors[0].field == "[0].item_id"


def test_a_collector_without_cash_or_dispute_rights_cannot_open_deductions(uow, actor, short):
    _, item = short
    with pytest.raises(PermissionDenied):
        a_deduction(uow, person(actor, "audit", Role.AUDITOR), item)


def test_customer_timeline_lists_cases_and_deductions_newest_first(uow, actor, short, clock):
    invoice, item = short
    first = a_deduction(uow, actor, item, amount_minor=500)
    clock.advance(hours=1)
    second = a_deduction(uow, actor, item, amount_minor=690)
    timeline = customer_disputes(uow, actor, invoice.customer_id)
    assert [(s.kind.value, s.id) for s in timeline] == [
        ("deduction", second.id),
        ("deduction", first.id),
    ]
    assert timeline[0].amount_minor == 690
    assert timeline[0].status == "open"
