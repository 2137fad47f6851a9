"""The pure rules: deduction classification, X12 reason mapping, attachment limits, ages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from o2c.disputes.model import (
    DEFAULT_REASONS,
    CaseStatus,
    DeductionCheck,
    check_move,
    check_segregation,
)
from o2c.disputes.rules import (
    MAX_ATTACHMENT_BYTES,
    AgreementTerms,
    DeductionPolicy,
    ItemFacts,
    age_bucket,
    check_attachment,
    classify,
    map_reason,
    x12_code,
)
from o2c.kernel.errors import InvalidTransition, PermissionDenied

INVOICE = ItemFacts(100_00, "EUR", date(2026, 2, 1), 2_00, date(2026, 2, 11))
POLICY = DeductionPolicy(tolerance_minor=5_00, tolerance_percent=Decimal(0), discount_grace_days=3)
PROMO = AgreementTerms(7, "EUR", date(2026, 1, 1), date(2026, 3, 31), percent=Decimal(10))


def test_discount_taken_within_terms_is_valid():
    verdict = classify(2_00, INVOICE, date(2026, 2, 13), POLICY, [])
    assert verdict.check is DeductionCheck.DISCOUNT


def test_discount_taken_after_the_grace_days_is_not_a_valid_discount():
    verdict = classify(20_00, INVOICE, date(2026, 2, 20), POLICY, [])
    assert verdict.check is DeductionCheck.REVIEW


def test_small_difference_is_within_tolerance():
    assert classify(4_99, INVOICE, date(2026, 3, 1), POLICY, []).check is DeductionCheck.TOLERANCE


def test_percentage_tolerance_counts_when_larger_than_the_absolute_one():
    policy = DeductionPolicy(tolerance_minor=1_00, tolerance_percent=Decimal(3))
    assert classify(3_00, INVOICE, date(2026, 3, 1), policy, []).check is DeductionCheck.TOLERANCE
    assert classify(3_01, INVOICE, date(2026, 3, 1), policy, []).check is DeductionCheck.REVIEW


def test_agreement_covering_the_amount_in_its_period_makes_it_valid():
    verdict = classify(10_00, INVOICE, date(2026, 3, 1), POLICY, [PROMO])
    assert (verdict.check, verdict.agreement_id) == (DeductionCheck.AGREEMENT, 7)


def test_agreement_does_not_cover_more_than_its_allowance_or_outside_its_period():
    assert (
        classify(10_01, INVOICE, date(2026, 3, 1), POLICY, [PROMO]).check is DeductionCheck.REVIEW
    )
    old = ItemFacts(100_00, "EUR", date(2025, 12, 1))
    assert classify(10_00, old, date(2026, 3, 1), POLICY, [PROMO]).check is DeductionCheck.REVIEW


@pytest.mark.parametrize(
    ("code", "text", "reason"),
    [
        ("04", "", "damaged"),
        ("", "INV-2026-000001: 19 duplicate billing", "duplicate"),
        ("", "code 56 ad allowance", "promotion"),
        ("", "price difference", "pricing"),
        ("", "short payment, no reason given", "other"),
        ("tax", "", "tax"),
    ],
)
def test_remittance_codes_and_words_map_to_reasons(code, text, reason):
    assert map_reason(DEFAULT_REASONS, code, text) == reason


def test_x12_code_is_read_from_the_field_or_the_text():
    assert x12_code("4", "") == "04"
    assert x12_code("", "INV-1: 04 item not accepted - damaged") == "04"
    assert x12_code("", "no code here 2026") == ""


def test_attachments_are_refused_when_too_large_of_a_wrong_type_or_lying():
    assert check_attachment("pod.pdf", "application/pdf", b"%PDF-1.7 ...") == []
    too_big = b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES
    assert [e.field for e in check_attachment("pod.pdf", "application/pdf", too_big)] == ["file"]
    assert [e.field for e in check_attachment("x.exe", "application/x-msdownload", b"MZ")] == [
        "content_type"
    ]
    assert [e.field for e in check_attachment("pod.pdf", "application/pdf", b"MZ\x90")] == ["file"]
    assert [e.field for e in check_attachment("../etc", "text/plain", b"hi")] == ["filename"]


def test_age_buckets_partition_the_days():
    today = date(2026, 3, 2)
    assert [age_bucket(date(2026, 3, 2), today), age_bucket(date(2026, 1, 30), today)] == [
        "0-30",
        "31-60",
    ]
    assert age_bucket(date(2025, 1, 1), today) == "90+"


def test_cases_close_only_through_an_outcome():
    check_move(CaseStatus.OPEN, CaseStatus.IN_REVIEW)
    with pytest.raises(InvalidTransition):
        check_move(CaseStatus.IN_REVIEW, CaseStatus.RESOLVED)
    with pytest.raises(InvalidTransition):
        check_move(CaseStatus.AWAITING_CUSTOMER, CaseStatus.OPEN)


def test_the_requester_never_approves_the_same_write_off():
    check_segregation("alice", "bob")
    with pytest.raises(PermissionDenied):
        check_segregation("alice", " Alice ")
