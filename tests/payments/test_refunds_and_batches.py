from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from o2c.billing.service import create_credit_note
from o2c.kernel.errors import ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import AccountRole
from o2c.ledger.reports import account_balance
from o2c.ledger.tables import JournalEntry
from o2c.payments.model import Allocation, BatchPayment, PaymentMethod, PaymentStatus
from o2c.payments.service import (
    get_payment,
    payment_batch,
    record_and_apply,
    refund,
    unapplied,
)
from tests.billing.builders import a_billed_customer, a_posted_invoice, item_of, line, tax_rates
from tests.builders import assert_postings
from tests.payments.builders import a_received_payment, receipt


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


def eur(amount):
    return Money(amount, "EUR")


def entries(uow):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(JournalEntry))


def refund_entry(uow, refund_id):
    with uow:
        return uow.session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.source_type == "refund", JournalEntry.source_id == refund_id
            )
        )


def payment_item(uow, actor, payment_id):
    from o2c.payments.applying import payment_item as lookup

    with uow:
        return lookup(uow, actor.company_id, payment_id)


def test_refund_of_unapplied_cash_pays_it_back_and_closes_the_payment(uow, actor, customer):
    payment = a_received_payment(uow, actor, customer, "40.00")
    credit = payment_item(uow, actor, payment.id)

    record = refund(uow, actor, credit.id, eur("40.00"), PaymentMethod.WIRE, date(2026, 2, 20))

    assert (record.number, record.payment_id) == ("RF-2026-000001", payment.id)
    assert_postings(uow, refund_entry(uow, record.id), "DR 2100 40.00 EUR / CR 1000 40.00 EUR")
    assert unapplied(uow, actor, payment.id) == eur("0.00")
    assert get_payment(uow, actor, payment.id).status == PaymentStatus.APPLIED
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {}


def test_partial_refund_leaves_the_rest_on_account(uow, actor, customer):
    payment = a_received_payment(uow, actor, customer, "40.00")

    refund(
        uow,
        actor,
        payment_item(uow, actor, payment.id).id,
        eur("15.00"),
        PaymentMethod.ACH,
        date(2026, 2, 20),
    )

    assert unapplied(uow, actor, payment.id) == eur("25.00")


def test_refund_of_a_credit_note_credits_cash_and_clears_the_credit(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "50.00", "exempt"))
    payment = a_received_payment(uow, actor, customer, "50.00", on=date(2026, 2, 15))
    from o2c.payments.service import apply_payment

    apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("50.00"))])
    note = create_credit_note(uow, actor, invoice.id, None, "returned after payment")

    record = refund(
        uow,
        actor,
        item_of(uow, actor, note.id).id,
        eur("50.00"),
        PaymentMethod.WIRE,
        date(2026, 3, 2),
    )

    assert record.credit_note_id == note.id
    assert_postings(uow, refund_entry(uow, record.id), "DR 1100 50.00 EUR / CR 1000 50.00 EUR")
    assert item_of(uow, actor, note.id).open_minor == 0
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {}


def test_refund_beyond_the_open_credit_or_of_an_invoice_is_refused(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "40.00")
    before = entries(uow)

    with pytest.raises(ValidationFailed, match="amount"):
        refund(
            uow,
            actor,
            payment_item(uow, actor, payment.id).id,
            eur("40.01"),
            PaymentMethod.WIRE,
            date(2026, 2, 20),
        )
    with pytest.raises(ValidationFailed, match="credit_item_id"):
        refund(
            uow,
            actor,
            item_of(uow, actor, invoice.id).id,
            eur("1.00"),
            PaymentMethod.WIRE,
            date(2026, 2, 20),
        )

    assert entries(uow) == before


def test_retried_refund_returns_the_first_and_pays_nothing_twice(uow, actor, customer):
    payment = a_received_payment(uow, actor, customer, "40.00")
    credit = payment_item(uow, actor, payment.id).id

    first = refund(
        uow,
        actor,
        credit,
        eur("10.00"),
        PaymentMethod.WIRE,
        date(2026, 2, 20),
        idempotency_key="rf-1",
    )
    again = refund(
        uow,
        actor,
        credit,
        eur("10.00"),
        PaymentMethod.WIRE,
        date(2026, 2, 20),
        idempotency_key="rf-1",
    )

    assert again.id == first.id
    assert unapplied(uow, actor, payment.id) == eur("30.00")


def test_batch_receives_and_applies_in_one_go_numbered_by_date(uow, actor, customer):
    first = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))
    second = a_posted_invoice(uow, actor, customer, line("Widget", "1", "60.00", "exempt"))

    results = payment_batch(
        uow,
        actor,
        [
            BatchPayment(
                receipt(customer, "100.00", on=date(2026, 3, 2)),
                [Allocation(first.id, eur("100.00"))],
            ),
            BatchPayment(
                receipt(customer, "80.00", on=date(2026, 3, 1)),
                [Allocation(second.id, eur("60.00"))],
            ),
            BatchPayment(receipt(customer, "5.00", on=date(2026, 3, 1))),
        ],
    )

    assert [r.number for r in results] == ["PAY-2026-000003", "PAY-2026-000001", "PAY-2026-000002"]
    assert [r.application.unapplied_minor for r in results] == [0, 2000, 500]
    assert item_of(uow, actor, first.id).open_minor == 0
    assert item_of(uow, actor, second.id).open_minor == 0
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {"EUR": -2500}


def test_two_payments_of_a_batch_may_share_an_invoice(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))

    payment_batch(
        uow,
        actor,
        [
            BatchPayment(receipt(customer, "60.00"), [Allocation(invoice.id, eur("60.00"))]),
            BatchPayment(receipt(customer, "40.00"), [Allocation(invoice.id, eur("40.00"))]),
        ],
    )

    assert item_of(uow, actor, invoice.id).open_minor == 0


def test_a_bad_batch_reports_every_line_and_writes_nothing(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))
    before = entries(uow)

    with pytest.raises(ValidationFailed) as raised:
        payment_batch(
            uow,
            actor,
            [
                BatchPayment(receipt(customer, "60.00"), [Allocation(invoice.id, eur("60.00"))]),
                BatchPayment(receipt(customer + 99, "40.00")),
                BatchPayment(receipt(customer, "50.00"), [Allocation(invoice.id, eur("50.00"))]),
            ],
        )

    assert {e.field for e in raised.value.errors} == {
        "payments[1].customer_id",
        "payments[2].allocations[0].amount",
    }
    assert entries(uow) == before


def test_a_retried_batch_line_is_not_received_again(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))
    line_one = BatchPayment(
        receipt(customer, "60.00", key="tx-1"), [Allocation(invoice.id, eur("60.00"))]
    )
    [first] = payment_batch(uow, actor, [line_one])

    again, other = payment_batch(uow, actor, [line_one, BatchPayment(receipt(customer, "1.00"))])

    assert (again.payment_id, again.number) == (first.payment_id, first.number)
    assert again.application.application_ids == ()
    assert item_of(uow, actor, invoice.id).open_minor == 4000
    assert other.number == "PAY-2026-000002"


def test_record_and_apply_takes_the_discount_on_time(uow, actor):
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor, term="2/10NET30")
    invoice = a_posted_invoice(
        uow, actor, customer, line("Widget", "1", "100.00", "exempt"), on=date(2026, 2, 10)
    )

    result = record_and_apply(
        uow,
        actor,
        receipt(customer, "98.00", on=date(2026, 2, 19)),
        [Allocation(invoice.id, eur("98.00"))],
    )

    assert (result.application.applied_minor, result.application.discount_minor) == (9800, 200)
    assert item_of(uow, actor, invoice.id).open_minor == 0
