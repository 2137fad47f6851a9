"""Short pays, discounts, small differences and overpayments, with and without advice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from o2c.cashapp.model import Allocation, MatchStatus
from o2c.formats.remittance import Adjustment, Remittance, RemittanceItem
from tests.cashapp.builders import IBAN_C1042, a_line, an_engine, an_invoice


def test_short_pay_applies_what_was_paid_and_opens_a_deduction_with_the_reason():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice])

    decision = engine.match(
        a_line("1100.00", "INV-2026-001926 LESS DAMAGED GOODS", account=IBAN_C1042)
    )

    assert decision.status is MatchStatus.DEDUCTION
    assert decision.allocations == (Allocation(invoice.item_id, 110000),)
    assert decision.deduction_minor == 13450
    assert decision.deduction_reason == "damaged goods"


def test_short_pay_explained_by_an_x12_advice_takes_its_reason_code():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice, an_invoice("INV-2026-001927", "50.00")])
    advice = Remittance(
        payer="MUELLER MASCHINENBAU",
        trace="881234",
        payment_amount=Decimal("1100.00"),
        payment_date=date(2026, 3, 20),
        currency="EUR",
        items=(
            RemittanceItem(
                "INV-2026-001926",
                Decimal("1100.00"),
                Decimal("1234.50"),
                adjustments=(Adjustment(Decimal("-134.50"), "04", "DAMAGED"),),
                ref_type="IV",
            ),
        ),
    )

    decision = engine.match(a_line("1100.00", "CCD+ TRN*1*881234", account=IBAN_C1042), advice)

    assert decision.status is MatchStatus.DEDUCTION
    assert decision.allocations == (Allocation(invoice.item_id, 110000),)
    assert decision.deduction_minor == 13450
    assert "04 item not accepted - damaged" in decision.deduction_reason
    assert decision.reason.startswith("remittance advice 881234 lists 1 item(s)")


def test_discount_within_terms_is_written_off():
    invoice = an_invoice(
        "INV-2026-001926", "1000.00", discount_date=date(2026, 3, 18), discount="20.00"
    )
    engine = an_engine(invoices=[invoice])

    decision = engine.match(
        a_line("980.00", "2026-001926", account=IBAN_C1042, on=date(2026, 3, 19))
    )

    assert decision.status is MatchStatus.APPLIED
    assert decision.allocations == (Allocation(invoice.item_id, 98000, discount_minor=2000),)


def test_discount_taken_after_the_terms_becomes_a_deduction():
    invoice = an_invoice(
        "INV-2026-001926", "1000.00", discount_date=date(2026, 2, 1), discount="20.00"
    )
    engine = an_engine(invoices=[invoice])

    decision = engine.match(
        a_line("980.00", "2026-001926", account=IBAN_C1042, on=date(2026, 3, 19))
    )

    assert decision.status is MatchStatus.DEDUCTION
    assert decision.allocations == (Allocation(invoice.item_id, 98000),)
    assert decision.deduction_minor == 2000
    assert decision.deduction_reason == "discount taken after the discount date"


def test_small_difference_within_tolerance_is_written_off():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice])

    decision = engine.match(a_line("1227.00", "INV-2026-001926", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert decision.allocations == (Allocation(invoice.item_id, 122700, writeoff_minor=750),)


def test_tolerance_is_configurable():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice], writeoff_minor=500)

    decision = engine.match(a_line("1227.00", "INV-2026-001926", account=IBAN_C1042))

    assert decision.status is MatchStatus.DEDUCTION
    assert decision.deduction_minor == 750


def test_overpayment_applies_the_invoice_and_keeps_the_rest_on_account():
    invoice = an_invoice("INV-2026-001926", "1234.50")
    engine = an_engine(invoices=[invoice])

    decision = engine.match(a_line("1300.00", "INV-2026-001926", account=IBAN_C1042))

    assert decision.status is MatchStatus.ON_ACCOUNT
    assert decision.allocations == (Allocation(invoice.item_id, 123450),)
    assert decision.on_account_minor == 6550


def test_advice_listing_several_invoices_applies_each_amount():
    first = an_invoice("INV-2026-000001", "300.00")
    second = an_invoice("INV-2026-000002", "200.00")
    engine = an_engine(invoices=[first, second])
    advice = Remittance(
        "MUELLER",
        "T1",
        Decimal("500.00"),
        None,
        "EUR",
        (
            RemittanceItem("INV-2026-000001", Decimal("300.00")),
            RemittanceItem("INV-2026-000002", Decimal("200.00")),
        ),
    )

    decision = engine.match(a_line("500.00", "REMITTANCE T1", account=IBAN_C1042), advice)

    assert decision.status is MatchStatus.APPLIED
    assert set(decision.allocations) == {
        Allocation(first.item_id, 30000),
        Allocation(second.item_id, 20000),
    }
