"""Fraud and billing-inconsistency findings as pure values: rules, thresholds, decisions.

A finding names the rows it is about; its fingerprint (rule + those rows) is what the review
queue dedupes on, so a scan repeated over the same data raises nothing new, and an alert a
reviewer dismissed does not come back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from statistics import median
from typing import Any

from o2c.kernel.errors import InvalidTransition


class Rule(StrEnum):
    DUPLICATE_INVOICE = "duplicate_invoice"
    DUPLICATE_PAYMENT = "duplicate_payment"
    DUPLICATE_BANK_LINE = "duplicate_bank_line"
    BANK_CHANGE_BEFORE_REFUND = "bank_change_before_refund"
    REFUND_TO_OTHER_ACCOUNT = "refund_to_other_account"
    UNUSUAL_INVOICE_AMOUNT = "unusual_invoice_amount"


class Severity(StrEnum):
    MEDIUM = "medium"
    HIGH = "high"


SEVERITY: dict[Rule, Severity] = {
    Rule.DUPLICATE_INVOICE: Severity.HIGH,
    Rule.DUPLICATE_PAYMENT: Severity.MEDIUM,
    Rule.DUPLICATE_BANK_LINE: Severity.MEDIUM,
    Rule.BANK_CHANGE_BEFORE_REFUND: Severity.HIGH,
    Rule.REFUND_TO_OTHER_ACCOUNT: Severity.HIGH,
    Rule.UNUSUAL_INVOICE_AMOUNT: Severity.MEDIUM,
}


class AlertStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Decision(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


def reviewed_status(current: str, decision: Decision) -> AlertStatus:
    """An open alert is confirmed or dismissed once; a decided one is not reopened here."""
    if current != AlertStatus.OPEN.value:
        raise InvalidTransition(f"alert is already {current}")
    return AlertStatus.CONFIRMED if decision is Decision.CONFIRM else AlertStatus.DISMISSED


@dataclass(frozen=True)
class Thresholds:
    """How far each rule looks; every alert's evidence repeats the figures it was raised with."""

    lookback_days: int = 30
    """A scan examines documents dated in the last `lookback_days` up to its day."""
    duplicate_invoice_days: int = 10
    duplicate_payment_days: int = 2
    bank_change_days: int = 14
    min_history: int = 6
    """Invoices a customer needs before the scan date for its usual amounts to count."""
    outlier_score: Decimal = Decimal(6)
    """Distance from the median, in robust standard deviations (1.4826 × MAD), that alerts."""
    min_relative_spread: Decimal = Decimal("0.1")
    """Floor of that deviation as a share of the median, so identical histories do not make
    every small difference an outlier."""

    def as_evidence(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Finding:
    """One suspicion: the rule, the rows it is about (`subjects`, e.g. "invoice:12"), a line a
    reviewer reads, and the evidence (ids, amounts, dates, the threshold applied)."""

    rule: Rule
    subjects: tuple[str, ...]
    summary: str
    customer_id: int | None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return f"{self.rule.value}|{'|'.join(sorted(self.subjects))}"

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.rule]


def compact_reference(text: str | None) -> str:
    """A reference as compared: letters and digits only, upper case ("po-1234 " → "PO1234")."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def compact_account(text: str | None) -> str:
    """An account number as compared: no spaces, upper case."""
    return "".join((text or "").split()).upper()


def within_days(first: date, second: date, days: int) -> bool:
    return abs((second - first).days) <= days


@dataclass(frozen=True)
class UsualAmounts:
    """A customer's history of invoice amounts reduced to a robust centre and spread."""

    count: int
    median_minor: Decimal
    mad_minor: Decimal

    def score(self, amount_minor: int, min_relative_spread: Decimal) -> Decimal:
        """How many robust standard deviations `amount_minor` lies from the median."""
        spread = max(
            Decimal("1.4826") * self.mad_minor,
            abs(self.median_minor) * min_relative_spread,
            Decimal(1),
        )
        return abs(Decimal(amount_minor) - self.median_minor) / spread


def usual_amounts(amounts: Sequence[int]) -> UsualAmounts:
    """Median and median absolute deviation: one wild invoice in the history moves neither."""
    values = [Decimal(a) for a in amounts]
    centre = median(values)
    deviation = median([abs(v - centre) for v in values])
    return UsualAmounts(len(amounts), centre, deviation)
