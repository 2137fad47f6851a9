"""Each outcome settles a deduction or case through the ledger, and the ledger stays whole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from o2c.billing.model import LineCreate
from o2c.billing.service import get_invoice, invoice_details
from o2c.disputes.cases import raise_case, trail_of
from o2c.disputes.model import (
    CaseCreate,
    CaseLineCreate,
    CreditPart,
    CreditRequest,
    Outcome,
    Subject,
)
from o2c.disputes.outcomes import chargeback, credit, rebill, reject, write_off
from o2c.disputes.service import disputed_minor_by_item, get_deduction
from o2c.kernel.errors import InvalidTransition
from tests.billing.builders import item_of
from tests.disputes.builders import a_deduction, a_widget_invoice, set_up_billing, short_paid
from tests.invariants import check_ledger


@pytest.fixture
def short_pay(uow, actor):
    """An invoice of 10 widgets (119.00) paid 107.10: one widget (11.90) deducted, open."""
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    item = short_paid(uow, actor, invoice, "107.10")
    deduction = a_deduction(uow, actor, item, reason_text="1 widget damaged")
    return invoice, item, deduction


def test_partial_credit_note_closes_the_short_paid_invoice(uow, actor, short_pay):
    # given a deduction of one damaged widget
    invoice, _item, deduction = short_pay
    [widget] = invoice_details(uow, actor, invoice.id).lines
    # when it is credited for one widget
    note_id = credit(
        uow,
        actor,
        Subject.DEDUCTION,
        deduction.id,
        CreditRequest(lines=(CreditPart(widget.id, Decimal(1)),)),
    )
    # then the credit note of 11.90 closes the invoice and the deduction is resolved
    assert get_invoice(uow, actor, note_id).total_minor == 1190
    assert item_of(uow, actor, invoice.id).open_minor == 0
    resolved = get_deduction(uow, actor, deduction.id)
    assert (resolved.status, resolved.outcome, resolved.settled_minor) == (
        "resolved",
        "credit_note",
        1190,
    )
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)


def test_full_credit_note_leaves_the_paid_part_as_a_credit_on_account(uow, actor, short_pay):
    invoice, _item, deduction = short_pay
    note_id = credit(uow, actor, Subject.DEDUCTION, deduction.id, CreditRequest())
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert item_of(uow, actor, note_id).open_minor == -10710
    check_ledger(uow, actor)


def test_write_off_below_the_limit_posts_at_once(uow, actor, short_pay):
    invoice, _item, deduction = short_pay
    result = write_off(uow, actor, Subject.DEDUCTION, deduction.id, "not worth chasing")
    assert result.request_id is None
    assert len(result.application_ids) == 1
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert get_deduction(uow, actor, deduction.id).outcome == Outcome.WRITE_OFF
    check_ledger(uow, actor)


def test_rebill_credits_the_invoice_and_bills_the_corrected_one(uow, actor, short_pay):
    # given a deduction because the price should have been 9.00 a widget
    invoice, _item, deduction = short_pay
    corrected = [LineCreate("Widget", Decimal(10), Decimal("9.00"), tax_category="standard")]
    # when the invoice is re-billed at the right price (10 x 9.00 + 19 % = 107.10)
    new_id = rebill(uow, actor, Subject.DEDUCTION, deduction.id, corrected)
    # then the old invoice, the credit note and the new invoice are all settled
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert item_of(uow, actor, new_id).open_minor == 0
    resolved = get_deduction(uow, actor, deduction.id)
    assert (resolved.outcome, resolved.document_id, resolved.settled_minor) == (
        "rebill",
        new_id,
        1190,
    )
    check_ledger(uow, actor)


def test_rejection_sends_the_amount_back_to_collections_with_a_note(uow, actor, short_pay):
    invoice, item, deduction = short_pay
    assert disputed_minor_by_item(uow, actor.company_id) == {item.id: 1190}
    reject(uow, actor, Subject.DEDUCTION, deduction.id, "Delivery was signed for undamaged.")
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    assert item_of(uow, actor, invoice.id).open_minor == 1190
    trail = trail_of(uow, actor, Subject.DEDUCTION, deduction.id)
    assert [(c.body, c.to_customer) for c in trail.comments] == [
        ("Delivery was signed for undamaged.", True)
    ]
    assert [e.to_status for e in trail.events] == ["open", "rejected"]
    check_ledger(uow, actor)


def test_chargeback_moves_the_deduction_to_a_new_invoice(uow, actor, short_pay):
    # given an invalid deduction of 11.90
    invoice, _item, deduction = short_pay
    # when it is charged back
    chargeback_id = chargeback(uow, actor, deduction.id, "no agreement for this")
    # then the original invoice is closed and the new invoice owes the 11.90, untaxed
    assert item_of(uow, actor, invoice.id).open_minor == 0
    new = invoice_details(uow, actor, chargeback_id)
    assert (new.invoice.total_minor, new.invoice.tax_minor, new.open_minor) == (1190, 0, 1190)
    assert get_deduction(uow, actor, deduction.id).outcome == Outcome.CHARGEBACK
    check_ledger(uow, actor)


def test_a_settled_deduction_takes_no_second_outcome(uow, actor, short_pay):
    _, _, deduction = short_pay
    reject(uow, actor, Subject.DEDUCTION, deduction.id, "no")
    with pytest.raises(InvalidTransition):
        write_off(uow, actor, Subject.DEDUCTION, deduction.id)


def test_case_on_two_invoices_is_written_off_on_both(uow, actor):
    # given a pricing dispute over part of two invoices
    customer = set_up_billing(uow, actor)
    first, second = (
        a_widget_invoice(uow, actor, customer),
        a_widget_invoice(uow, actor, customer, "2"),
    )
    items = [item_of(uow, actor, first.id), item_of(uow, actor, second.id)]
    lines = [CaseLineCreate(items[0].id, 500), CaseLineCreate(items[1].id, 300)]
    case = raise_case(uow, actor, CaseCreate(customer, "pricing", lines))
    assert disputed_minor_by_item(uow, actor.company_id) == {items[0].id: 500, items[1].id: 300}
    # when it is written off
    write_off(uow, actor, Subject.CASE, case.id)
    # then each invoice loses its disputed part and nothing is disputed any more
    assert item_of(uow, actor, first.id).open_minor == 11900 - 500
    assert item_of(uow, actor, second.id).open_minor == 2380 - 300
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)
