from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from o2c.billing.importing import import_open_items
from o2c.billing.model import InvoiceFilter, InvoiceKind, InvoiceSource, InvoiceStatus
from o2c.billing.service import list_invoices
from o2c.kernel.errors import FileError, InvalidFile
from o2c.ledger.model import AccountRole
from o2c.ledger.reports import account_balance
from o2c.ledger.service import close_period, set_fx_rate
from o2c.ledger.tables import JournalEntry
from tests.billing.builders import a_billed_customer, item_of
from tests.builders import assert_postings

HEADER = "customer_id,invoice_number,issue_date,due_date,currency,amount,open_amount,po_number\n"


@pytest.fixture
def customers(uow, actor):
    return {code: a_billed_customer(uow, actor, code) for code in ("C1", "C2")}


def entries(uow):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(JournalEntry))


def test_good_file_becomes_posted_invoices_with_opening_entries(uow, actor, customers, tmp_path):
    path = tmp_path / "open-items.csv"
    path.write_text(
        HEADER
        + "C1,OLD-1001,2025-11-03,2025-12-03,EUR,1190.00,400.00,PO-77\n"
        + "C2,OLD-1002,2025-12-15,2026-01-14,EUR,250.50,250.50,\n"
        + "C1,OLD-CN-9,2025-12-20,2025-12-20,EUR,-30.00,-30.00,\n"
    )

    result = import_open_items(uow, actor, path)

    assert (result.invoices, result.credit_notes, result.open_by_currency) == (2, 1, {"EUR": 62050})
    invoices, total = list_invoices(uow, actor, InvoiceFilter(customer_id=customers["C1"]))
    assert total == 2
    by_number = {i.number: i for i in invoices}
    first = by_number["OLD-1001"]
    assert (first.kind, first.status, first.source, first.series) == (
        InvoiceKind.INVOICE,
        InvoiceStatus.POSTED,
        InvoiceSource.IMPORT,
        None,
    )
    assert (first.total_minor, first.po_number, first.due_date) == (
        119000,
        "PO-77",
        date(2025, 12, 3),
    )
    item = item_of(uow, actor, first.id)
    assert (item.amount_minor, item.open_minor, item.reference) == (40000, 40000, "PO-77")
    assert_postings(uow, item.entry_id, "DR 1100 400.00 EUR / CR 3900 400.00 EUR")
    note = item_of(uow, actor, by_number["OLD-CN-9"].id)
    assert (note.kind, note.amount_minor) == ("credit_note", -3000)
    assert_postings(uow, note.entry_id, "CR 1100 30.00 EUR / DR 3900 30.00 EUR")
    assert account_balance(uow, actor, AccountRole.AR_CONTROL) == {"EUR": 62050}


def test_foreign_currency_rows_take_the_rate_of_their_issue_date(uow, actor, customers):
    set_fx_rate(uow, actor, "USD", date(2025, 1, 1), Decimal("0.9"))

    import_open_items(uow, actor, HEADER + "C1,US-1,2025-10-01,2025-10-31,USD,100.00,80.00,\n")

    [invoice], _ = list_invoices(uow, actor, InvoiceFilter())
    assert invoice.rate == Decimal("0.9")
    assert item_of(uow, actor, invoice.id).base_minor == 7200


def test_every_problem_is_reported_with_line_and_column_and_nothing_changes(uow, actor, customers):
    import_open_items(uow, actor, HEADER + "C1,TAKEN-1,2025-10-01,2025-10-31,EUR,10.00,10.00,\n")
    before = entries(uow)
    text = (
        HEADER
        + "C9,A-1,2025-10-01,2025-10-31,EUR,10.00,10.00,\n"  # 2 unknown customer
        + "C1,A-2,2025-13-01,2025-10-31,EUR,10.00,10.00,\n"  # 3 bad date
        + "C1,A-3,2025-10-31,2025-10-01,EUR,10.00,10.00,\n"  # 4 due before issue
        + "C1,A-4,2025-10-01,2025-10-31,EUE,10.00,10.00,\n"  # 5 unknown currency
        + "C1,A-5,2025-10-01,2025-10-31,EUR,ten,10.00,\n"  # 6 not a decimal
        + "C1,A-6,2025-10-01,2025-10-31,EUR,10.001,10.00,\n"  # 7 too many decimals
        + "C1,A-7,2025-10-01,2025-10-31,EUR,10.00,12.00,\n"  # 8 open beyond amount
        + "C1,A-8,2025-10-01,2025-10-31,EUR,10.00,-5.00,\n"  # 9 open of another sign
        + "C1,A-1,2025-10-01,2025-10-31,EUR,10.00,10.00,\n"  # 10 duplicate in file
        + "C1,TAKEN-1,2025-10-01,2025-10-31,EUR,10.00,10.00,\n"  # 11 already in database
        + "C1,A-9,2025-10-01,2025-10-31,USD,10.00,10.00,\n"  # 12 no USD rate
        + "C1,A-10,2025-10-01,2025-10-31,JPY,10.5,10,\n"  # 13 JPY has no decimals
    )

    with pytest.raises(InvalidFile) as raised:
        import_open_items(uow, actor, text)

    assert [(p.line, p.field) for p in raised.value.problems] == [
        (2, "customer_id"),
        (3, "issue_date"),
        (4, "due_date"),
        (5, "currency"),
        (6, "amount"),
        (7, "amount"),
        (8, "open_amount"),
        (9, "open_amount"),
        (10, "invoice_number"),
        (11, "invoice_number"),
        (12, "currency"),
        (13, "amount"),
    ]
    assert raised.value.problems[8] == FileError(
        10, "invoice_number", "duplicate of line 2 in the file"
    )
    assert entries(uow) == before
    assert list_invoices(uow, actor, InvoiceFilter())[1] == 1


def test_missing_and_unknown_columns_are_reported_on_the_header_line(uow, actor, customers):
    text = "customer_id,invoice_number,issue_date,currency,amount,open_amount,po_numbr\n"

    with pytest.raises(InvalidFile) as raised:
        import_open_items(uow, actor, text)

    assert [(p.line, p.field, p.reason) for p in raised.value.problems] == [
        (1, "due_date", "missing column"),
        (1, "po_numbr", "unknown column"),
    ]


def test_rows_in_a_closed_period_are_refused(uow, actor, customers):
    close_period(uow, actor, date(2025, 12, 31))

    with pytest.raises(InvalidFile) as raised:
        import_open_items(uow, actor, HEADER + "C1,A-1,2025-10-01,2025-10-31,EUR,10.00,10.00,\n")

    assert [(p.line, p.field) for p in raised.value.problems] == [(2, "issue_date")]


def test_a_short_row_reports_its_empty_columns(uow, actor, customers):
    with pytest.raises(InvalidFile) as raised:
        import_open_items(uow, actor, HEADER + "C1,A-1,2025-10-01\n")

    assert {p.field for p in raised.value.problems} == {"due_date", "currency"}
