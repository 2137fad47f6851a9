"""Lines that are no customer payment stay unmatched, with the reason why."""

from __future__ import annotations

import pytest

from o2c.cashapp.model import MatchStatus
from tests.cashapp.builders import OWN_ACCOUNT, a_line, an_engine, an_invoice


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (a_line("-25.00", "KONTOFUEHRUNG"), "a debit, not a customer payment"),
        (a_line("1234.50", "INV-2026-001926", reversal=True), "reversal of an earlier entry"),
        (a_line("1234.50", "INV-2026-001926", booked=False), "pending entry"),
        (a_line("50000.00", "UMBUCHUNG", account=OWN_ACCOUNT), "transfer between own accounts"),
    ],
)
def test_non_payments_are_unmatched_with_the_reason(line, reason):
    engine = an_engine()

    decision = engine.match(line)

    assert decision.status is MatchStatus.UNMATCHED
    assert decision.reason.startswith(reason)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("", "HABENZINSEN 01.01.2026-31.03.2026"),
        ("ADYEN N.V.", "SETTLEMENT 2026-03-14 MID 4471123 BATCH 88231"),
        ("Bergmann Spedition GmbH", "GUTSCHRIFT ZU RECHNUNG 88123"),
        ("FINANZAMT MUENCHEN", "ERSTATTUNG UST 2025 STNR 143/123/45678"),
    ],
)
def test_unrelated_credits_stay_unmatched(name, text):
    engine = an_engine(invoices=[an_invoice("INV-2026-088123", "310.00")])

    decision = engine.match(a_line("123.45", text, name=name))

    assert decision.status is MatchStatus.UNMATCHED


def test_currency_other_than_the_invoices_finds_nothing():
    engine = an_engine(invoices=[an_invoice("INV-2026-001926", "100.00")])

    decision = engine.match(a_line("100.00", "INV-2026-001926", currency="USD"))

    assert not decision.status.automatic
