"""Who paid: accounts, names as banks write them, aliases and groups."""

from __future__ import annotations

import pytest

from o2c.cashapp.model import MatchStatus
from tests.cashapp.builders import (
    IBAN_C1042,
    IBAN_PARENT,
    IBAN_UNKNOWN,
    a_customer,
    a_line,
    an_engine,
    an_invoice,
)


def _one_open_item_engine(**customer):
    return an_engine([a_customer(**customer)], [an_invoice("INV-2026-001926", "712.40")])


@pytest.mark.parametrize(
    "payer",
    [
        "MUELLER MASCHINENBAU GMBH",  # capitals, umlaut spelled out
        "Muller Maschinenbau G.m.b.H.",  # legal form spelled differently
        "Müller Maschinenbau",  # legal form dropped
    ],
)
def test_payer_name_as_a_bank_writes_it_identifies_the_customer(payer):
    engine = _one_open_item_engine(ibans=())

    decision = engine.match(a_line("712.40", "", name=payer, account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.APPLIED
    assert "is the name of C1042" in decision.reason


def test_name_cut_at_35_characters_identifies_the_customer():
    engine = _one_open_item_engine(
        name="Müller Maschinenbau und Anlagenbau Nordrhein GmbH", ibans=()
    )

    decision = engine.match(
        a_line("712.40", "", name="MUELLER MASCHINENBAU UND ANLAGENBAU N", account=IBAN_UNKNOWN)
    )

    assert decision.status is MatchStatus.APPLIED
    assert "is the start of the name of C1042" in decision.reason


def test_mistyped_name_is_recognised_by_fuzzy_matching():
    engine = _one_open_item_engine(ibans=())

    decision = engine.match(
        a_line("712.40", "", name="MUELLER MASCHINENBUA GMBH", account=IBAN_UNKNOWN)
    )

    assert decision.status is MatchStatus.APPLIED
    assert "payer name resembles C1042" in decision.reason


def test_learned_alias_identifies_the_customer():
    engine = _one_open_item_engine(aliases=("MM Technik",), ibans=())

    decision = engine.match(a_line("712.40", "", name="MM TECHNIK", account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.APPLIED
    assert "a known alias of C1042" in decision.reason


def test_customer_number_in_the_text_identifies_the_customer():
    engine = _one_open_item_engine(code="C01042", ibans=())

    decision = engine.match(a_line("712.40", "KD C01042", name="", account=IBAN_UNKNOWN))

    assert decision.status is MatchStatus.APPLIED
    assert "customer number C01042" in decision.reason


def test_parent_paying_its_subsidiarys_invoices_is_applied():
    parent = a_customer(500, "Acme Holding AG", ibans=(IBAN_PARENT,))
    child = a_customer(501, "Acme Logistik Nord GmbH", ibans=(), parent_id=500)
    other_child = a_customer(502, "Acme Retail GmbH", ibans=(), parent_id=500)
    first = an_invoice("INV-2026-003001", "100.00", customer_id=501)
    second = an_invoice("INV-2026-003002", "250.00", customer_id=502)
    engine = an_engine([parent, child, other_child], [first, second])

    decision = engine.match(
        a_line("350.00", "INV-2026-003001 INV-2026-003002", account=IBAN_PARENT)
    )

    assert decision.status is MatchStatus.APPLIED
    assert decision.customer_id == 500
    assert {a.item_id for a in decision.allocations} == {first.item_id, second.item_id}
    assert "paying for its subsidiaries C501, C502" in decision.reason


def test_reference_to_another_customer_with_a_different_amount_is_not_applied():
    other = a_customer(7, "Northwind Traders Ltd", ibans=())
    invoice = an_invoice("INV-2026-005555", "800.00", customer_id=7)
    engine = an_engine([a_customer(), other], [an_invoice(), invoice])

    decision = engine.match(a_line("500.00", "INV-2026-005555", account=IBAN_C1042))

    assert decision.status is MatchStatus.SUGGESTED
    assert "but the payer is known as C1042, not C7" in decision.suggestions[0].reason
