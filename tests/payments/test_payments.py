from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from o2c.billing.service import invoice_items
from o2c.kernel.errors import IdempotencyMismatch, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import AccountRole
from o2c.ledger.reports import account_balance
from o2c.ledger.service import set_fx_rate
from o2c.ledger.tables import Application, JournalEntry
from o2c.payments.model import Allocation, PaymentStatus
from o2c.payments.service import apply_payment, get_payment, list_payments, unapplied
from tests.billing.builders import a_billed_customer, a_posted_invoice, item_of, line, tax_rates
from tests.builders import assert_postings
from tests.payments.builders import a_received_payment, application_entry, receipt


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor, term="2/10NET30")


def an_invoice(uow, actor, customer, price="100.00", on=date(2026, 2, 10)):
    """An invoice of `price` net plus 19 % tax, issued `on` (2/10 net 30)."""
    return a_posted_invoice(uow, actor, customer, line("Widget", "1", price, "standard"), on=on)


def eur(amount):
    return Money(amount, "EUR")


def entries(uow):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(JournalEntry))


def test_received_payment_is_held_as_unapplied_cash(uow, actor, customer):
    payment = a_received_payment(uow, actor, customer, "250.00")

    assert (payment.number, payment.status, payment.amount_minor) == (
        "PAY-2026-000001",
        PaymentStatus.RECEIVED,
        25000,
    )
    with uow:
        item = uow.session.scalar(
            select(JournalEntry.id).where(JournalEntry.source_type == "payment")
        )
    assert_postings(uow, item, "DR 1000 250.00 EUR / CR 2100 250.00 EUR")
    assert unapplied(uow, actor, payment.id) == eur("250.00")
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {"EUR": -25000}


def test_full_payment_closes_the_invoice_and_the_payment(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "119.00", on=date(2026, 3, 1))

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("119.00"))])

    assert (result.applied_minor, result.discount_minor, result.unapplied_minor) == (11900, 0, 0)
    assert_postings(
        uow,
        application_entry(uow, result.application_ids[0]),
        "CR 1100 119.00 EUR / DR 2100 119.00 EUR",
    )
    assert item_of(uow, actor, invoice.id).closed_on == date(2026, 3, 1)
    assert get_payment(uow, actor, payment.id).status == PaymentStatus.APPLIED


def test_partial_payment_leaves_the_rest_of_the_invoice_open(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "50.00", on=date(2026, 3, 1))

    apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("50.00"))])

    assert item_of(uow, actor, invoice.id).open_minor == 6900
    assert get_payment(uow, actor, payment.id).status == PaymentStatus.APPLIED


def test_one_payment_settles_many_invoices(uow, actor, customer):
    first = an_invoice(uow, actor, customer, "100.00")
    second = an_invoice(uow, actor, customer, "50.00")
    payment = a_received_payment(uow, actor, customer, "178.50", on=date(2026, 3, 1))

    result = apply_payment(
        uow,
        actor,
        payment.id,
        [Allocation(first.id, eur("119.00")), Allocation(second.id, eur("59.50"))],
    )

    assert len(result.application_ids) == 2
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {}
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {}


def test_overpayment_stays_on_account(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "150.00", on=date(2026, 3, 1))

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("119.00"))])

    assert result.unapplied_minor == 3100
    assert get_payment(uow, actor, payment.id).status == PaymentStatus.RECEIVED
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {"EUR": -3100}


def test_early_payment_discount_is_taken_when_paid_by_the_discount_date(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, on=date(2026, 2, 10))  # 2 % of 119.00 by 20 Feb
    payment = a_received_payment(uow, actor, customer, "116.62", on=date(2026, 2, 20))

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("116.62"))])

    assert (result.applied_minor, result.discount_minor, result.writeoff_minor) == (11662, 238, 0)
    assert_postings(
        uow,
        application_entry(uow, result.application_ids[0]),
        "CR 1100 119.00 EUR / DR 6100 2.38 EUR / DR 2100 116.62 EUR",
    )
    assert item_of(uow, actor, invoice.id).open_minor == 0


def test_discount_is_not_taken_after_the_discount_date(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, on=date(2026, 2, 10))
    payment = a_received_payment(uow, actor, customer, "116.62", on=date(2026, 2, 21))

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("116.62"))])

    assert (result.discount_minor, result.writeoff_minor) == (0, 0)
    assert item_of(uow, actor, invoice.id).open_minor == 238


def test_a_late_payment_counts_as_early_when_told_it_was_received_in_time(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, on=date(2026, 2, 10))
    payment = a_received_payment(uow, actor, customer, "116.62", on=date(2026, 2, 23))

    result = apply_payment(
        uow,
        actor,
        payment.id,
        [Allocation(invoice.id, eur("116.62"))],
        received_on=date(2026, 2, 19),
    )

    assert result.discount_minor == 238


def test_short_payment_within_tolerance_is_written_off(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "118.50", on=date(2026, 3, 1))

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, eur("118.50"))])

    assert (result.applied_minor, result.writeoff_minor) == (11850, 50)
    assert_postings(
        uow,
        application_entry(uow, result.application_ids[0]),
        "CR 1100 119.00 EUR / DR 6200 0.50 EUR / DR 2100 118.50 EUR",
    )
    assert item_of(uow, actor, invoice.id).open_minor == 0


def test_tolerance_is_a_parameter(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "118.50", on=date(2026, 3, 1))

    result = apply_payment(
        uow, actor, payment.id, [Allocation(invoice.id, eur("118.50"))], tolerance_minor=10
    )

    assert result.writeoff_minor == 0
    assert item_of(uow, actor, invoice.id).open_minor == 50


def test_allocating_more_than_is_open_or_unapplied_is_refused_and_changes_nothing(
    uow, actor, customer
):
    first = an_invoice(uow, actor, customer)
    second = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "150.00", on=date(2026, 3, 1))
    before = entries(uow)

    with pytest.raises(ValidationFailed) as raised:
        apply_payment(
            uow,
            actor,
            payment.id,
            [
                Allocation(first.id, eur("120.00")),
                Allocation(second.id, eur("100.00")),
                Allocation(second.id + 99, eur("1.00")),
            ],
        )

    assert {e.field for e in raised.value.errors} == {
        "allocations[0].amount",
        "allocations",
        "allocations[2].invoice_id",
    }
    assert entries(uow) == before
    assert unapplied(uow, actor, payment.id) == eur("150.00")


def test_allocation_in_another_currency_is_refused(uow, actor, customer):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "119.00", on=date(2026, 3, 1))

    with pytest.raises(ValidationFailed, match=r"allocations\[0\]\.amount"):
        apply_payment(uow, actor, payment.id, [Allocation(invoice.id, Money("119.00", "USD"))])


def test_foreign_payment_books_its_own_rate_and_the_difference_goes_to_fx(uow, actor):
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor, "US1", currency="USD")
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.90"))
    set_fx_rate(uow, actor, "USD", date(2026, 3, 1), Decimal("0.95"))
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00", "exempt"))
    payment = a_received_payment(
        uow, actor, customer, "100.00", currency="USD", on=date(2026, 3, 2)
    )

    result = apply_payment(uow, actor, payment.id, [Allocation(invoice.id, Money("100.00", "USD"))])

    assert payment.rate == Decimal("0.95")
    assert_postings(
        uow,
        application_entry(uow, result.application_ids[0]),
        "CR 1100 100.00 USD / DR 2100 100.00 USD / CR 7900 base 500",
    )


def test_retried_receipt_returns_the_first_payment_and_records_nothing_twice(uow, actor, customer):
    from o2c.payments.service import record_payment

    first = record_payment(uow, actor, receipt(customer, "80.00", key="bank-tx-1"))
    before = entries(uow)

    again = record_payment(uow, actor, receipt(customer, "80.00", key="bank-tx-1"))

    assert again.id == first.id
    assert entries(uow) == before
    with pytest.raises(IdempotencyMismatch):
        record_payment(uow, actor, receipt(customer, "81.00", key="bank-tx-1"))


def test_retried_application_returns_the_first_result_and_applies_nothing_twice(
    uow, actor, customer
):
    invoice = an_invoice(uow, actor, customer)
    payment = a_received_payment(uow, actor, customer, "200.00", on=date(2026, 3, 1))
    allocation = [Allocation(invoice.id, eur("50.00"))]

    first = apply_payment(uow, actor, payment.id, allocation, idempotency_key="apply-1")
    again = apply_payment(uow, actor, payment.id, allocation, idempotency_key="apply-1")

    assert again == first
    assert item_of(uow, actor, invoice.id).open_minor == 6900
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(Application)) == 1


def test_list_payments_filters_by_customer_and_status(uow, actor, customer):
    other = a_billed_customer(uow, actor, "C2")
    a_received_payment(uow, actor, customer, "10.00", on=date(2026, 2, 1))
    a_received_payment(uow, actor, customer, "20.00", on=date(2026, 2, 2))
    a_received_payment(uow, actor, other, "30.00", on=date(2026, 2, 3))

    page, total = list_payments(uow, actor, customer_id=customer, status=PaymentStatus.RECEIVED)

    assert total == 2
    assert [p.amount_minor for p in page] == [2000, 1000]


def test_unknown_customer_and_bad_amount_are_reported_together(uow, actor, customer):
    from o2c.payments.service import record_payment

    with pytest.raises(ValidationFailed) as raised:
        record_payment(uow, actor, receipt(customer + 99, "-5.00"))

    assert {e.field for e in raised.value.errors} == {"customer_id", "amount"}


def test_invoice_items_of_payments_are_not_invoices(uow, actor, customer):
    payment = a_received_payment(uow, actor, customer, "10.00")
    with uow:
        assert invoice_items(uow, actor.company_id, [payment.id]) == {}
