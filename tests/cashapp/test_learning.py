"""A person's manual match teaches the engine the payer's names, accounts and habits."""

from __future__ import annotations

from o2c.cashapp.engine import Engine
from o2c.cashapp.learning import LearnedAccount, LearnedAlias, learn, with_lessons
from o2c.cashapp.model import MatchStatus, ReferencePattern
from tests.cashapp.builders import IBAN_C1042, IBAN_UNKNOWN, a_customer, a_line, an_invoice


def test_unknown_name_and_account_are_learned_for_the_customer():
    customer = a_customer()
    invoice = an_invoice()
    line = a_line("1234.50", "", name="MM TECHNIK SERVICE", account=IBAN_UNKNOWN)

    lessons = learn(line, [invoice], {customer.customer_id: customer})

    assert lessons.aliases == (LearnedAlias(1042, "MM TECHNIK SERVICE"),)
    assert lessons.accounts == (LearnedAccount(1042, IBAN_UNKNOWN),)


def test_what_the_engine_already_knows_is_not_learned_again():
    customer = a_customer()
    line = a_line("1234.50", "", name="MUELLER MASCHINENBAU GMBH", account=IBAN_C1042)

    lessons = learn(line, [an_invoice()], {customer.customer_id: customer})

    assert lessons.empty


def test_label_before_a_serial_becomes_a_reference_pattern():
    customer = a_customer()
    line = a_line("1234.50", "BELEG 1926", name="MM TECHNIK", account=IBAN_UNKNOWN)

    lessons = learn(line, [an_invoice("INV-2026-001926")], {customer.customer_id: customer})

    assert lessons.patterns == (ReferencePattern(1042, "BELEG", "tail"),)


def test_invoices_of_unrelated_customers_teach_nothing():
    customers = {c.customer_id: c for c in (a_customer(), a_customer(7, "Northwind Ltd"))}
    invoices = [an_invoice(), an_invoice("INV-2026-000007", customer_id=7)]

    lessons = learn(a_line(name="SOMEONE", account=IBAN_UNKNOWN), invoices, customers)

    assert lessons.empty


def test_the_next_such_line_is_applied_without_a_person():
    customer = a_customer(ibans=())
    customers = [customer, a_customer(7, "Northwind Traders Ltd", ibans=())]
    invoices = [
        an_invoice("INV-2026-001926", "1234.50"),
        an_invoice("INV-2025-001926", "99.00", customer_id=7),
        an_invoice("INV-2026-002001", "310.00"),
    ]
    first = a_line("1234.50", "BELEG 1926", name="MM TECHNIK", account=IBAN_UNKNOWN)
    second = a_line("310.00", "BELEG 2001", name="MM TECH", account=IBAN_UNKNOWN)
    before = Engine(customers, invoices)
    assert not before.match(first).status.automatic

    lessons = learn(first, [invoices[0]], {c.customer_id: c for c in customers})
    after = Engine(with_lessons(customers, [lessons]), invoices, patterns=lessons.patterns)

    decision = after.match(second)
    assert decision.status is MatchStatus.APPLIED
    assert "IBAN known for C1042" in decision.reason
    assert "in the payer's learned style" in decision.reason
