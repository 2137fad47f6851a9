from __future__ import annotations

from datetime import date

import pytest

from o2c.kernel.errors import OverApplication, PeriodLocked, UnbalancedEntry
from o2c.ledger.model import AccountRole, EntryDraft, LineDraft
from o2c.ledger.reports import account_balance, aging, customer_statement
from o2c.ledger.service import (
    ApplyCommand,
    apply_items,
    close_period,
    get_item,
    post_entries,
    reverse_application,
    write_off,
)
from tests.builders import a_customer, a_payment, an_invoice, assert_postings


def test_payment_applied_to_invoice_closes_both(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "100.00")
    payment = a_payment(uow, actor, customer, "100.00")

    apply_items(
        uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 10000, date(2026, 2, 1))]
    )

    with uow:
        assert get_item(uow, actor, invoice.item_id).open_minor == 0
        assert get_item(uow, actor, payment.item_id).closed_on == date(2026, 2, 1)
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {}
    assert account_balance(uow, actor, AccountRole.UNAPPLIED_CASH) == {}


def test_early_payment_discount_is_written_off_to_its_own_account(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "100.00")
    payment = a_payment(uow, actor, customer, "98.00", on=date(2026, 1, 15))

    [app] = apply_items(
        uow,
        actor,
        [ApplyCommand(invoice.item_id, payment.item_id, 9800, date(2026, 1, 15), discount=200)],
    )

    with uow:
        from o2c.ledger.tables import Application

        entry_id = uow.session.get(Application, app).entry_id
    assert_postings(uow, entry_id, "CR 1100 100.00 EUR / DR 6100 2.00 EUR / DR 2100 98.00 EUR")


def test_over_application_is_refused_and_changes_nothing(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "50.00")
    payment = a_payment(uow, actor, customer, "80.00")

    with pytest.raises(OverApplication):
        apply_items(
            uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 6000, date(2026, 2, 1))]
        )

    with uow:
        assert get_item(uow, actor, invoice.item_id).open_minor == 5000


def test_unbalanced_entry_is_refused(uow, actor):
    entry = EntryDraft(
        date(2026, 1, 1),
        "manual",
        None,
        "bad",
        [
            LineDraft(AccountRole.CASH, 100, "EUR", 100),
            LineDraft(AccountRole.REVENUE, -99, "EUR", -99),
        ],
    )
    with pytest.raises(UnbalancedEntry):
        post_entries(uow, actor, [entry])


def test_closed_period_refuses_postings(uow, actor):
    customer = a_customer(uow, actor)
    close_period(uow, actor, date(2026, 1, 31))
    with pytest.raises(PeriodLocked):
        an_invoice(uow, actor, customer, on=date(2026, 1, 31))


def test_aging_of_a_past_date_is_reconstructed(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "100.00", on=date(2026, 1, 1), days=30)
    payment = a_payment(uow, actor, customer, "100.00", on=date(2026, 3, 15))
    apply_items(
        uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 10000, date(2026, 3, 15))]
    )

    before = aging(uow, actor, date(2026, 3, 10))
    after = aging(uow, actor, date(2026, 3, 20))

    assert [(r.bucket, r.amount_minor) for r in before] == [("31-60", 10000)]
    assert after == []


def test_fx_difference_goes_to_exchange_account(uow, actor):
    customer = a_customer(uow, actor, currency="USD")
    invoice = an_invoice(uow, actor, customer, "100.00", currency="USD", base=9000)
    payment = a_payment(uow, actor, customer, "100.00", currency="USD", base=9500)

    [app] = apply_items(
        uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 10000, date(2026, 2, 1))]
    )

    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {}
    with uow:
        from o2c.ledger.tables import Application

        entry_id = uow.session.get(Application, app).entry_id
    assert_postings(uow, entry_id, "CR 1100 100.00 USD / DR 2100 100.00 USD / CR 7900 base 500")


def test_write_off_and_reversal_restore_balances(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "10.00")
    app = write_off(uow, actor, invoice.item_id, 1000, date(2026, 2, 1), "uncollectible")
    reverse_application(uow, actor, app, date(2026, 2, 2))

    with uow:
        assert get_item(uow, actor, invoice.item_id).open_minor == 1000
    statement = customer_statement(uow, actor, customer, date(2026, 1, 1), date(2026, 2, 28))
    assert statement.closing == {"EUR": 1000}
    assert [line.amount_minor for line in statement.lines] == [1000, -1000, 1000]
