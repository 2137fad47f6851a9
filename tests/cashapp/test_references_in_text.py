"""Lines that name their invoices, however the payer wrote the number."""

from __future__ import annotations

import pytest

from o2c.cashapp.model import Allocation, MatchStatus
from o2c.formats.statement import StructuredRef
from tests.cashapp.builders import (
    IBAN_C1042,
    IBAN_UNKNOWN,
    a_customer,
    a_line,
    an_engine,
    an_invoice,
    minor,
    rf_reference,
)


def test_exact_reference_from_a_known_account_is_applied_and_explained():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice, an_invoice("INV-2026-001927", "99.00")])

    decision = engine.match(a_line("1234.50", "INV-2026-001926", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert decision.allocations == (Allocation(invoice.item_id, minor("1234.50")),)
    assert decision.customer_id == 1042
    assert decision.confidence > 0.99
    assert decision.reason == "INV-2026-001926 in the text; IBAN known for C1042; amount equal"


@pytest.mark.parametrize(
    "written",
    [
        "2026-001926",  # prefix dropped
        "INV 2026-1926",  # zeros lost
        "2026/1926",
        "20261926",
        "INV/2026/001926",  # other separators
        "2026.001926",
        "PAYMENT INV 2026/1926 THANK YOU",  # buried in noise
        "Rechnung 2026 1926 vom 14.03.2026 EUR 1.234,50",
    ],
)
def test_mangled_references_are_applied(written):
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice, an_invoice("INV-2026-001927", "99.00")])

    decision = engine.match(a_line("1234.50", written, account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert [a.item_id for a in decision.allocations] == [invoice.item_id]


def test_reason_quotes_how_the_number_was_written():
    engine = an_engine(invoices=[an_invoice("INV-2026-001926", "1234.50")])

    decision = engine.match(a_line("1234.50", "ZAHLUNG 2026 1926", account=IBAN_C1042))

    assert decision.reason.startswith(
        "INV-2026-001926 found as '2026 1926' (without prefix and zeros); IBAN known for C1042"
    )


def test_transposed_digits_are_applied_with_less_confidence_than_the_exact_number():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice, an_invoice("INV-2026-004711", "10.00")])

    exact = engine.match(a_line("1234.50", "INV-2026-001926", account=IBAN_C1042))
    swapped = engine.match(a_line("1234.50", "INV-2026-001962", account=IBAN_C1042))

    assert swapped.status is MatchStatus.APPLIED
    assert [a.item_id for a in swapped.allocations] == [invoice.item_id]
    assert "two digits swapped" in swapped.reason
    assert swapped.confidence < exact.confidence


def test_valid_rf_creditor_reference_is_trusted_from_an_unknown_payer():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice])
    rf = StructuredRef("RF", rf_reference("2026001926"), True)

    decision = engine.match(a_line("1234.50", refs=(rf,), account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.APPLIED
    assert "valid RF creditor reference" in decision.reason


def test_po_number_alone_finds_the_invoice():
    invoice = an_invoice("INV-2026-001926", "1234.50", po="4500012345")
    engine = an_engine(invoices=[invoice, an_invoice("INV-2026-001927", "1234.50")])

    decision = engine.match(a_line("1234.50", "YOUR ORDER 4500012345", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert [a.item_id for a in decision.allocations] == [invoice.item_id]
    assert "PO number" in decision.reason


def test_several_named_invoices_are_applied_together():
    first = an_invoice("INV-2026-001926", "100.00")
    second = an_invoice("INV-2026-001988", "250.00")
    engine = an_engine(invoices=[first, second, an_invoice("INV-2026-002004", "75.00")])

    decision = engine.match(a_line("350.00", "RG 1926 / 1988", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert {a.item_id for a in decision.allocations} == {first.item_id, second.item_id}


def test_strong_reference_is_applied_across_customers_when_the_payer_is_unknown():
    other = a_customer(7, "Northwind Traders Ltd", ibans=())
    invoice = an_invoice("INV-2026-005555", "80.00", customer_id=7)
    engine = an_engine([a_customer(), other], [an_invoice(), invoice])

    decision = engine.match(a_line("80.00", "2026-005555", name="NW TRADING", account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.APPLIED
    assert decision.customer_id == 7


def test_serial_alone_from_an_unknown_payer_is_only_suggested():
    invoice = an_invoice("INV-2026-005555", "80.00", customer_id=7)
    engine = an_engine(
        [a_customer(), a_customer(7, "Northwind Traders Ltd", ibans=())], [an_invoice(), invoice]
    )

    decision = engine.match(a_line("80.00", "RG 5555", name="SOMEBODY ELSE", account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.SUGGESTED
    assert decision.allocations == ()
    assert decision.suggestions[0].allocations == (Allocation(invoice.item_id, 8000),)


def test_dates_amounts_and_ibans_in_the_text_are_not_read_as_references():
    engine = an_engine(invoices=[an_invoice("INV-2026-001926", "1234.50")])

    decision = engine.match(
        a_line("9.99", "2026-01-19 EUR 1.926,00 DE89370400440532013000", name="NOBODY")
    )

    assert decision.status is MatchStatus.UNMATCHED
