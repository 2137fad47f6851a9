from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from o2c.billing.model import CreditLine, InvoiceKind
from o2c.billing.service import create_credit_note, invoice_details
from o2c.kernel.errors import InvalidTransition, ValidationFailed
from o2c.ledger.model import AccountRole
from o2c.ledger.reports import account_balance
from o2c.ledger.service import ApplyCommand, apply_items, set_fx_rate
from tests.billing.builders import (
    a_billed_customer,
    a_draft,
    a_posted_invoice,
    item_of,
    line,
    tax_rates,
)
from tests.builders import a_payment, assert_postings


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


@pytest.fixture
def invoice(uow, actor, customer):
    return a_posted_invoice(
        uow,
        actor,
        customer,
        line("Widget", "2", "50.00", "standard"),
        line("Book", "1", "30.00", "reduced"),
        on=date(2026, 2, 10),
    )


def test_full_credit_note_mirrors_the_invoice_and_closes_it(uow, actor, invoice):
    note = create_credit_note(uow, actor, invoice.id, None, "goods returned")

    assert (note.kind, note.number, note.total_minor) == (
        InvoiceKind.CREDIT_NOTE,
        "CN-2026-000001",
        invoice.total_minor,
    )
    assert note.credited_invoice_id == invoice.id
    assert_postings(
        uow,
        item_of(uow, actor, note.id).entry_id,
        "CR 1100 151.10 EUR / DR 4000 100.00 EUR / DR 4000 30.00 EUR"
        " / DR 2200 19.00 EUR / DR 2200 2.10 EUR",
    )
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert item_of(uow, actor, note.id).open_minor == 0
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {}


def test_partial_credit_note_credits_the_quantity_given(uow, actor, invoice):
    widget = invoice_details(uow, actor, invoice.id).lines[0]

    note = create_credit_note(
        uow, actor, invoice.id, [CreditLine(widget.id, Decimal("1"))], "one widget damaged"
    )

    assert (note.net_minor, note.tax_minor, note.total_minor) == (5000, 950, 5950)
    assert item_of(uow, actor, invoice.id).open_minor == 15110 - 5950
    assert item_of(uow, actor, note.id).closed_on == note.issue_date


def test_price_correction_credits_the_difference_per_unit(uow, actor, invoice):
    widget = invoice_details(uow, actor, invoice.id).lines[0]

    note = create_credit_note(
        uow, actor, invoice.id, [CreditLine(widget.id, unit_price=Decimal("5.00"))], "price agreed"
    )

    assert note.net_minor == 1000


def test_credit_of_a_paid_invoice_stays_on_account(uow, actor, customer, invoice):
    payment = a_payment(uow, actor, customer, "151.10", on=date(2026, 2, 15))
    apply_items(
        uow,
        actor,
        [
            ApplyCommand(
                item_of(uow, actor, invoice.id).id, payment.item_id, 15110, date(2026, 2, 15)
            )
        ],
    )

    note = create_credit_note(uow, actor, invoice.id, None, "returned after payment")

    assert item_of(uow, actor, note.id).open_minor == -15110
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {"EUR": -15110}


def test_credit_of_a_partly_paid_invoice_settles_the_open_part_and_keeps_the_rest(
    uow, actor, customer, invoice
):
    payment = a_payment(uow, actor, customer, "100.00", on=date(2026, 2, 15))
    apply_items(
        uow,
        actor,
        [
            ApplyCommand(
                item_of(uow, actor, invoice.id).id, payment.item_id, 10000, date(2026, 2, 15)
            )
        ],
    )

    note = create_credit_note(uow, actor, invoice.id, None, "all returned")

    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert item_of(uow, actor, note.id).open_minor == -10000


def test_credits_beyond_the_invoice_total_are_refused(uow, actor, invoice):
    create_credit_note(uow, actor, invoice.id, None, "returned")

    with pytest.raises(ValidationFailed, match="exceed the invoice total"):
        create_credit_note(uow, actor, invoice.id, None, "returned twice")


def test_credit_note_takes_its_share_of_the_document_discount(uow, actor, customer):
    invoice = a_posted_invoice(
        uow,
        actor,
        customer,
        line("Widget", "1", "100.00", "exempt"),
        line("Gadget", "1", "100.00", "exempt"),
        discount=Decimal("20.00"),
    )
    gadget = invoice_details(uow, actor, invoice.id).lines[1]

    note = create_credit_note(uow, actor, invoice.id, [CreditLine(gadget.id)], "gadget returned")

    assert (note.discount_minor, note.total_minor) == (1000, 9000)


def test_credit_note_of_a_foreign_invoice_reverses_its_base_value(uow, actor):
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor, "US1", currency="USD")
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.9"))
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))
    set_fx_rate(uow, actor, "USD", date(2026, 2, 20), Decimal("0.8"))

    note = create_credit_note(uow, actor, invoice.id, None, "returned")

    assert note.rate == Decimal("0.9")
    assert item_of(uow, actor, note.id).base_minor == -9000
    assert account_balance(uow, actor, AccountRole.FX_GAIN_LOSS) == {}


def test_invalid_credit_lines_are_all_reported(uow, actor, invoice):
    widget = invoice_details(uow, actor, invoice.id).lines[0]

    with pytest.raises(ValidationFailed) as raised:
        create_credit_note(
            uow,
            actor,
            invoice.id,
            [
                CreditLine(widget.id, Decimal("3")),
                CreditLine(widget.id + 99),
                CreditLine(widget.id, unit_price=Decimal("60.00")),
            ],
            " ",
        )

    assert {e.field for e in raised.value.errors} == {
        "reason",
        "lines[0].quantity",
        "lines[1].invoice_line_id",
        "lines[2].unit_price",
    }


def test_a_draft_cannot_be_credited(uow, actor, customer):
    draft = a_draft(uow, actor, customer)

    with pytest.raises(InvalidTransition):
        create_credit_note(uow, actor, draft.id, None, "nothing to credit")
