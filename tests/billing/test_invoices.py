from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.billing.model import InvoiceCreate, InvoiceFilter, InvoiceKind, InvoiceStatus
from o2c.billing.service import (
    cancel_invoice,
    create_invoice,
    get_invoice,
    invoice_details,
    list_invoices,
    post_invoice,
    post_invoices,
)
from o2c.kernel.errors import InvalidTransition, NotFound, PeriodLocked, ValidationFailed
from o2c.ledger.model import AccountRole
from o2c.ledger.reports import account_balance
from o2c.ledger.service import close_period, set_fx_rate
from o2c.ledger.tables import JournalLine
from o2c.security.model import system_actor
from o2c.security.service import create_company
from tests.billing.builders import (
    a_billed_customer,
    a_draft,
    a_posted_invoice,
    item_of,
    line,
    tax_rates,
)
from tests.builders import assert_postings


def base_lines(uow, entry_id):
    with uow:
        return [
            tuple(row)
            for row in uow.session.execute(
                select(JournalLine.amount_minor, JournalLine.base_minor)
                .where(JournalLine.entry_id == entry_id)
                .order_by(JournalLine.id)
            )
        ]


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


def test_invoice_credits_revenue_per_line_and_tax_per_rate(uow, actor, customer):
    invoice = a_posted_invoice(
        uow,
        actor,
        customer,
        line("Widget", "2", "50.00", "standard"),
        line("Book", "1", "30.00", "reduced"),
    )

    assert (invoice.net_minor, invoice.tax_minor, invoice.total_minor) == (13000, 2110, 15110)
    assert_postings(
        uow,
        item_of(uow, actor, invoice.id).entry_id,
        "DR 1100 151.10 EUR / CR 4000 100.00 EUR / CR 4000 30.00 EUR"
        " / CR 2200 19.00 EUR / CR 2200 2.10 EUR",
    )


def test_tax_is_computed_once_per_rate_on_the_summed_base(uow, actor, customer):
    # Per line, 19 % of 0.13 rounds to 0.02 (0.06 for three); on the rate's base of 0.39 it is
    # 0.0741, so the invoice carries 0.07 tax.
    invoice = a_posted_invoice(
        uow, actor, customer, *(line("Screw", "1", "0.13", "standard") for _ in range(3))
    )

    details = invoice_details(uow, actor, invoice.id)
    assert [(t.taxable_minor, t.tax_minor) for t in details.taxes] == [(39, 7)]
    assert invoice.total_minor == 46


def test_document_discount_and_charge_are_spread_over_the_lines_before_tax(uow, actor, customer):
    invoice = a_posted_invoice(
        uow,
        actor,
        customer,
        line("Widget", "1", "100.00", "standard"),
        line("Book", "1", "50.00", "reduced"),
        discount=Decimal("15.00"),
        discount_reason="loyalty",
        charge=Decimal("6.00"),
        charge_reason="freight",
    )

    # Widget 100 − 10 + 4 = 94.00 (tax 17.86); book 50 − 5 + 2 = 47.00 (tax 3.29).
    assert (invoice.net_minor, invoice.tax_minor, invoice.total_minor) == (14100, 2115, 16215)
    assert_postings(
        uow,
        item_of(uow, actor, invoice.id).entry_id,
        "DR 1100 162.15 EUR / CR 4000 94.00 EUR / CR 4000 47.00 EUR"
        " / CR 2200 17.86 EUR / CR 2200 3.29 EUR",
    )


def test_exempt_line_keeps_its_exemption_reason_and_posts_no_tax(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer, line("Export", "1", "80.00", "exempt"))

    details = invoice_details(uow, actor, invoice.id)
    assert details.lines[0].tax_exemption_reason == "Intra-community supply"
    assert [(t.taxable_minor, t.tax_minor) for t in details.taxes] == [(8000, 0)]
    assert_postings(
        uow, item_of(uow, actor, invoice.id).entry_id, "DR 1100 80.00 EUR / CR 4000 80.00 EUR"
    )


def test_foreign_currency_invoice_posts_base_amounts_at_its_rate(uow, actor):
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor, "US1", currency="USD")
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.9123"))

    invoice = a_posted_invoice(
        uow,
        actor,
        customer,
        line("Widget", "1", "33.33", "standard"),
        line("Widget", "1", "33.33", "standard"),
        line("Book", "1", "33.34", "reduced"),
    )

    # 66.66 at 19 % (tax 12.67) and 33.34 at 7 % (tax 2.33): 115.00 USD, 104.91 EUR at 0.9123;
    # the credit side takes the 104.91 apart by largest remainder.
    assert (invoice.rate, invoice.total_minor) == (Decimal("0.9123"), 11500)
    entry = item_of(uow, actor, invoice.id).entry_id
    assert base_lines(uow, entry) == [
        (11500, 10491),
        (-3333, -3041),
        (-3333, -3041),
        (-3334, -3041),
        (-1267, -1156),
        (-233, -212),
    ]


def test_posting_numbers_the_invoice_and_opens_an_item_due_by_its_term(uow, actor):
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor, term="2/10NET30")

    invoice = a_posted_invoice(uow, actor, customer, on=date(2026, 2, 10))

    assert invoice.number == "INV-2026-000001"
    assert invoice.status == InvoiceStatus.POSTED
    assert invoice.due_date == date(2026, 3, 12)
    item = item_of(uow, actor, invoice.id)
    assert (item.document_number, item.due_date) == ("INV-2026-000001", date(2026, 3, 12))
    assert (item.discount_date, item.discount_minor) == (date(2026, 2, 20), 238)


def test_an_explicit_payment_term_overrides_the_customers(uow, actor, customer):
    from o2c.catalog.service import create_payment_term

    create_payment_term(uow, actor, "NET14")

    invoice = a_draft(uow, actor, customer, on=date(2026, 2, 10), payment_term="NET14")

    assert invoice.due_date == date(2026, 2, 24)


def test_numbers_follow_posting_order_and_restart_each_year(uow, actor, customer):
    late = a_draft(uow, actor, customer, on=date(2026, 3, 1))
    early = a_draft(uow, actor, customer, on=date(2026, 2, 1))
    next_year = a_draft(uow, actor, customer, on=date(2027, 1, 5))

    posted = post_invoices(uow, actor, [late.id, early.id, next_year.id])

    assert [(p.invoice_id, p.number) for p in posted] == [
        (early.id, "INV-2026-000001"),
        (late.id, "INV-2026-000002"),
        (next_year.id, "INV-2027-000001"),
    ]


def test_a_failed_posting_consumes_no_number(uow, actor, customer):
    first = a_posted_invoice(uow, actor, customer, on=date(2026, 2, 10))
    close_period(uow, actor, date(2026, 1, 31))
    locked = a_draft(uow, actor, customer, on=date(2026, 1, 20))

    with pytest.raises(PeriodLocked):
        post_invoice(uow, actor, locked.id)
    second = a_posted_invoice(uow, actor, customer, on=date(2026, 2, 11))

    assert (first.number, second.number) == ("INV-2026-000001", "INV-2026-000002")
    assert get_invoice(uow, actor, locked.id).status == InvoiceStatus.DRAFT


def test_bulk_posting_is_all_or_nothing(uow, actor, customer):
    good = a_draft(uow, actor, customer)
    already = a_posted_invoice(uow, actor, customer)

    with pytest.raises(InvalidTransition):
        post_invoices(uow, actor, [good.id, already.id])

    assert get_invoice(uow, actor, good.id).status == InvoiceStatus.DRAFT
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {"EUR": already.total_minor}


def test_posting_a_posted_invoice_again_is_refused(uow, actor, customer):
    invoice = a_posted_invoice(uow, actor, customer)

    with pytest.raises(InvalidTransition):
        post_invoice(uow, actor, invoice.id)


def test_invalid_invoice_reports_every_problem_at_once(uow, actor, customer):
    command = InvoiceCreate(
        customer,
        [
            line("", "0", "1.005", "standard"),
            line("Thing", "1", "5.00", "luxury", discount_percent="120"),
        ],
        discount=Decimal("-1"),
        payment_term="NET99",
    )

    with pytest.raises(ValidationFailed) as raised:
        create_invoice(uow, actor, command)

    assert {e.field for e in raised.value.errors} == {
        "lines[0].description",
        "lines[0].quantity",
        "lines[0].unit_price",
        "lines[1].discount_percent",
        "lines[1].tax_category",
        "discount",
        "payment_term",
    }


def test_discount_beyond_the_lines_net_is_refused(uow, actor, customer):
    with pytest.raises(ValidationFailed, match="discount"):
        a_draft(uow, actor, customer, line(price="10.00"), discount=Decimal("10.01"))


def test_foreign_currency_without_a_rate_is_refused(uow, actor, customer):
    with pytest.raises(ValidationFailed, match="no exchange rate for USD"):
        a_draft(uow, actor, customer, currency="USD")


def test_unknown_customer_is_a_validation_error(uow, actor, customer):
    with pytest.raises(ValidationFailed, match="customer_id"):
        a_draft(uow, actor, customer + 999)


def test_invoice_of_another_company_is_not_found(uow, actor, customer):
    invoice = a_draft(uow, actor, customer)
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()

    with pytest.raises(NotFound):
        get_invoice(uow, system_actor(other.id), invoice.id)


def test_list_invoices_filters_and_pages(uow, actor, customer):
    other = a_billed_customer(uow, actor, "C2")
    for day in (1, 2, 3):
        a_posted_invoice(uow, actor, customer, on=date(2026, 2, day))
    a_draft(uow, actor, customer, on=date(2026, 2, 4))
    a_posted_invoice(uow, actor, other, on=date(2026, 2, 5))

    page, total = list_invoices(
        uow,
        actor,
        InvoiceFilter(
            customer_id=customer,
            status=InvoiceStatus.POSTED,
            kind=InvoiceKind.INVOICE,
            issued_from=date(2026, 2, 1),
            issued_to=date(2026, 2, 28),
            limit=2,
        ),
    )
    rest, _ = list_invoices(
        uow,
        actor,
        InvoiceFilter(customer_id=customer, status=InvoiceStatus.POSTED, limit=2, offset=2),
    )

    assert total == 3
    assert [i.issue_date for i in page] == [date(2026, 2, 3), date(2026, 2, 2)]
    assert [i.issue_date for i in rest] == [date(2026, 2, 1)]


def test_draft_defaults_to_today_and_the_customers_currency(uow, actor, clock, customer):
    invoice = create_invoice(uow, actor, InvoiceCreate(customer, [line()]))

    assert (invoice.issue_date, invoice.currency) == (clock.today(), "EUR")
    assert invoice.due_date == clock.today() + timedelta(days=0)
    assert invoice.number is None


def test_a_draft_can_be_cancelled_but_a_posted_invoice_cannot(uow, actor, customer):
    draft = a_draft(uow, actor, customer)
    posted = a_posted_invoice(uow, actor, customer)

    cancelled = cancel_invoice(uow, actor, draft.id)

    assert cancelled.status == InvoiceStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        post_invoice(uow, actor, draft.id)
    with pytest.raises(InvalidTransition):
        cancel_invoice(uow, actor, posted.id)
