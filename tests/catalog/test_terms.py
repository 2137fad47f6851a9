"""Payment-term arithmetic and codes: pure, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2c.catalog.model import PaymentTerm, TermBasis
from o2c.catalog.terms import (
    TermCodeError,
    discount_terms,
    due_date,
    parse_term_code,
    term_code,
)


def a_term(code: str = "NET30") -> PaymentTerm:
    return parse_term_code(code)


def test_net_terms_fall_due_days_after_issue():
    assert due_date(date(2026, 1, 15), a_term("NET30")) == date(2026, 2, 14)
    assert due_date(date(2026, 1, 15), a_term("NET0")) == date(2026, 1, 15)


@pytest.mark.parametrize(
    ("issue", "due"),
    [
        (date(2026, 1, 15), date(2026, 3, 2)),  # 31 Jan + 30
        (date(2026, 2, 1), date(2026, 3, 30)),  # 28 Feb + 30 (not a leap year)
        (date(2028, 2, 29), date(2028, 3, 30)),  # 29 Feb + 30 (leap year)
        (date(2026, 12, 31), date(2027, 1, 30)),  # across the year end
    ],
)
def test_end_of_month_terms_count_from_the_last_day_of_the_issue_month(issue, due):
    assert due_date(issue, a_term("EOM30")) == due


def test_early_payment_discount_is_rounded_half_up_to_the_minor_unit():
    term = a_term("2/10NET30")

    assert discount_terms(date(2026, 1, 15), term, 12345, "EUR") == (date(2026, 1, 25), 247)
    assert discount_terms(date(2026, 1, 15), term, 125, "EUR") == (date(2026, 1, 25), 3)
    assert discount_terms(date(2026, 1, 15), term, 125, "JPY") == (date(2026, 1, 25), 3)


def test_discount_of_an_end_of_month_term_counts_from_the_month_end():
    assert discount_terms(date(2026, 1, 15), a_term("3/10EOM30"), 10000, "EUR") == (
        date(2026, 2, 10),
        300,
    )


def test_terms_without_discount_offer_none():
    assert discount_terms(date(2026, 1, 15), a_term("NET30"), 10000, "EUR") is None


def test_discount_refuses_an_unknown_currency():
    with pytest.raises(ValueError, match="unknown ISO 4217"):
        discount_terms(date(2026, 1, 15), a_term("2/10NET30"), 10000, "EUE")


@pytest.mark.parametrize(
    ("written", "code", "name"),
    [
        ("NET30", "NET30", "Net 30 days"),
        ("net 45", "NET45", "Net 45 days"),
        ("EOM15", "EOM15", "End of month + 15 days"),
        ("2/10 NET 30", "2/10NET30", "2 % within 10 days, net 30 days"),
        ("1.50/10eom30", "1.5/10EOM30", "1.5 % within 10 days, end of month + 30 days"),
    ],
)
def test_term_codes_are_read_in_any_spacing_and_case(written, code, name):
    term = parse_term_code(written)

    assert (term.code, term.name) == (code, name)


def test_a_parsed_discount_term_carries_its_parts():
    term = parse_term_code("2/10NET30")

    assert term == PaymentTerm(
        "2/10NET30",
        "2 % within 10 days, net 30 days",
        TermBasis.NET,
        30,
        discount_days=10,
        discount_percent=Decimal("2"),
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("30 days", "not a term code"),
        ("NET", "not a term code"),
        ("2/40NET30", "between 0 and the 30 days"),
        ("100/10NET30", "above 0 and below 100"),
        ("0/10NET30", "above 0 and below 100"),
        ("NET9999", "between 0 and 3650"),
    ],
)
def test_unreadable_or_impossible_codes_say_why(code, reason):
    with pytest.raises(TermCodeError) as caught:
        parse_term_code(code)

    assert reason in caught.value.reason


terms = st.builds(
    lambda basis, days, discount: (basis, days, *discount(days)),
    st.sampled_from(TermBasis),
    st.integers(0, 365),
    st.sampled_from(
        [
            lambda days: (None, None),
            lambda days: (days // 3, Decimal("2")),
            lambda days: (0, Decimal("0.75")),
        ]
    ),
)


@given(terms)
def test_a_term_code_reads_back_to_the_same_term(parts):
    basis, days, discount_days, percent = parts

    term = parse_term_code(term_code(basis, days, discount_days, percent))

    assert (term.basis, term.days, term.discount_days, term.discount_percent) == parts


@given(terms, st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(-(10**12), 10**12))
def test_discount_never_exceeds_the_total_nor_falls_after_the_due_date(parts, issue, total):
    term = parse_term_code(term_code(*parts))

    offered = discount_terms(issue, term, total, "EUR")

    assert due_date(issue, term) >= issue
    if offered is not None:
        last_day, discount = offered
        assert issue <= last_day <= due_date(issue, term)
        assert abs(discount) <= abs(total)
        assert discount_terms(issue, term, -total, "EUR") == (last_day, -discount)
