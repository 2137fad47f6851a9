"""Customer data rules: pure checks shared by the services and the CSV import."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2c.kernel.money import Money
from o2c.parties.model import (
    ContactCreate,
    contact_problems,
    customer_problems,
    email_problem,
    hierarchy_problem,
    iban_problem,
    normalize_iban,
)

NOT_AN_IBAN = "not an IBAN (two letters, two check digits, up to 30 letters or digits)"
VALID_IBANS = [
    "DE89370400440532013000",
    "GB82 WEST 1234 5698 7654 32",
    "nl91abna0417164300",
    "FR1420041010050500013M02606",
    "BE68539007547034",
    "CH9300762011623852957",
    "NO9386011117947",
]


@pytest.mark.parametrize("iban", VALID_IBANS)
def test_valid_ibans_pass_in_any_spacing_and_case(iban):
    assert iban_problem(iban) is None


@pytest.mark.parametrize(
    ("iban", "reason"),
    [
        ("DE89370400440532013001", "check digits do not match (mistyped IBAN?)"),
        ("DE8937040044053201300", "a DE IBAN has 22 characters, not 21"),
        ("XX89370400440532013000", "XX does not issue IBANs"),
        ("1234", "not an IBAN (two letters, two check digits, up to 30 letters or digits)"),
        (
            "DE89-3704-0044",
            "not an IBAN (two letters, two check digits, up to 30 letters or digits)",
        ),
    ],
)
def test_invalid_ibans_say_why(iban, reason):
    assert iban_problem(iban) == reason


@given(st.sampled_from(VALID_IBANS), st.data())
def test_any_single_digit_typo_in_an_iban_is_caught(iban, data):
    compact = normalize_iban(iban)
    digits = [i for i, ch in enumerate(compact) if ch.isdigit()]
    position = data.draw(st.sampled_from(digits))
    typo = data.draw(st.sampled_from("0123456789").filter(lambda d: d != compact[position]))

    assert iban_problem(compact[:position] + typo + compact[position + 1 :]) is not None


@pytest.mark.parametrize("email", ["ar@example.com", "first.last+tag@sub.example.co.uk"])
def test_plausible_emails_pass(email):
    assert email_problem(email) is None


@pytest.mark.parametrize("email", ["ar", "ar@example", "a r@example.com", "ar@@example.com"])
def test_implausible_emails_are_refused(email):
    assert email_problem(email) == "not an email address"


def test_customer_rules_report_every_field():
    errors = customer_problems(
        code=" C1",
        name="",
        currency="EUE",
        country="Germany",
        tax_id="DE 123?",
        email="nobody",
        language="english",
        credit_limit=Money("-1", "USD"),
    )

    assert [e.field for e in errors] == [
        "code",
        "name",
        "currency",
        "country",
        "email",
        "tax_id",
        "language",
        "credit_limit",
        "credit_limit",
    ]


def test_a_customer_cannot_become_its_own_ancestor():
    parents = {2: 1, 1: None, 3: 2}

    assert hierarchy_problem(1, 3, parents) == "would make the customer its own ancestor"
    assert hierarchy_problem(1, 1, parents) == "would make the customer its own ancestor"
    assert hierarchy_problem(3, 1, parents) is None


def test_a_contact_needs_a_way_to_reach_them():
    assert [e.reason for e in contact_problems(ContactCreate("Ann"))] == [
        "a contact needs an email address or a phone number"
    ]
    assert contact_problems(ContactCreate("Ann", phone="+49 30 1234-567")) == []
