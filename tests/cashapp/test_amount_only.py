"""Lines that name nothing: the amount against the identified payer's open items."""

from __future__ import annotations

from datetime import date

from o2c.cashapp.model import Allocation, MatchStatus
from tests.cashapp.builders import IBAN_C1042, a_line, an_engine, an_invoice


def _ledger():
    return [
        an_invoice("INV-2026-000101", "1180.00", due=date(2026, 1, 10)),
        an_invoice("INV-2026-000102", "402.17", due=date(2026, 1, 20)),
        an_invoice("INV-2026-000103", "77.70", due=date(2026, 2, 1)),
        an_invoice("INV-2026-000104", "3150.49", due=date(2026, 2, 15)),
        an_invoice("INV-2026-000105", "612.30", due=date(2026, 3, 1)),
    ]


def test_amount_of_one_open_item_from_a_known_payer_is_applied():
    invoices = _ledger()
    engine = an_engine(invoices=invoices)

    decision = engine.match(a_line("3150.49", "PAYMENT", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert decision.allocations == (Allocation(invoices[3].item_id, 315049),)
    assert "no reference" in decision.reason


def test_payment_run_of_the_oldest_items_is_applied():
    invoices = _ledger()
    engine = an_engine(invoices=invoices)

    decision = engine.match(a_line("1659.87", "SAMMELZAHLUNG", account=IBAN_C1042))

    assert decision.status is MatchStatus.APPLIED
    assert {a.item_id for a in decision.allocations} == {i.item_id for i in invoices[:3]}
    assert "a run of the oldest 3" in decision.reason


def test_two_equal_open_amounts_without_reference_are_not_applied():
    first = an_invoice("INV-2026-000201", "499.00", due=date(2026, 1, 1))
    second = an_invoice("INV-2026-000202", "499.00", due=date(2026, 2, 1))
    engine = an_engine(invoices=[first, second, an_invoice("INV-2026-000203", "12.00")])

    decision = engine.match(a_line("499.00", "", account=IBAN_C1042))

    assert decision.status is MatchStatus.SUGGESTED
    assert decision.allocations == ()
    suggested = {s.allocations[0].item_id for s in decision.suggestions[:2]}
    assert suggested == {first.item_id, second.item_id}
    assert decision.suggestions[0].confidence == decision.suggestions[1].confidence


def test_combination_with_an_equal_amount_elsewhere_is_not_applied():
    invoices = [
        an_invoice("INV-2026-000301", "49.00", due=date(2026, 1, 1)),
        an_invoice("INV-2026-000302", "1378.57", due=date(2026, 1, 5)),
        an_invoice("INV-2026-000303", "49.00", due=date(2026, 2, 1)),
    ]
    engine = an_engine(invoices=invoices)

    decision = engine.match(a_line("1427.57", "", account=IBAN_C1042))

    assert decision.status is MatchStatus.SUGGESTED


def test_payment_without_identified_payer_or_reference_stays_unmatched():
    engine = an_engine(invoices=_ledger())

    decision = engine.match(a_line("3150.49", "TRANSFER", name="SOMEONE", account=""))

    assert decision.status is MatchStatus.UNMATCHED
    assert decision.reason == "no customer identified and no reference found"


def test_known_payer_whose_amount_fits_nothing_is_left_with_ranked_suggestions():
    engine = an_engine(invoices=_ledger())

    decision = engine.match(a_line("3000.00", "", account=IBAN_C1042))

    assert not decision.status.automatic
    assert decision.suggestions
    assert decision.suggestions[0].allocations[0].amount_minor == 300000
