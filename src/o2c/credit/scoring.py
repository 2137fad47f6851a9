"""Credit score: 0–100 points and a risk class from payment behaviour (pure, explainable).

Five factors each give points up to their maximum; the score is their sum, and every
factor is kept with its value and points so a credit manager sees why a customer scores
what it does. The formula is documented in docs/CREDIT.md.

    factor            max  points
    punctuality        40  40 − average days late over the last year (≥ 0; 30 without history)
    trend              15  15 − (recent average − older average) when paying later (10 without both)
    disputes           15  15 − 5 per dispute opened in the last year
    broken_promises    15  15 − 5 per promise broken in the policy's window
    utilisation        15  15 to 50 % of the limit, 10 to 80 %, 5 to 100 %, 0 above (10: no limit)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from o2c.credit.rules import RiskClass

CLASS_FLOORS: tuple[tuple[int, RiskClass], ...] = (
    (80, RiskClass.A),
    (65, RiskClass.B),
    (50, RiskClass.C),
    (35, RiskClass.D),
    (0, RiskClass.E),
)


@dataclass(frozen=True)
class PaymentBehaviour:
    """A customer's record as scoring reads it: days late of each invoice paid, and counts."""

    days_late_recent: Sequence[int]
    """Invoices closed in the last 90 days: days between due date and payment (negative early)."""
    days_late_older: Sequence[int]
    """Invoices closed 91–365 days ago."""
    disputes: int
    broken_promises: int
    utilisation: Decimal | None
    """Exposure divided by the credit limit; None without a limit."""


@dataclass(frozen=True)
class Factor:
    name: str
    value: str
    points: int
    max_points: int
    explanation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "points": self.points,
            "max_points": self.max_points,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Score:
    points: int
    risk_class: RiskClass
    factors: tuple[Factor, ...]


def score(behaviour: PaymentBehaviour) -> Score:
    """The score of one customer; the same behaviour always gives the same score."""
    factors = (
        _punctuality(behaviour),
        _trend(behaviour),
        _count_factor("disputes", behaviour.disputes, "disputes opened in the last year"),
        _count_factor(
            "broken_promises", behaviour.broken_promises, "promises to pay broken in the window"
        ),
        _utilisation(behaviour.utilisation),
    )
    points = sum(f.points for f in factors)
    return Score(points, risk_class(points), factors)


def risk_class(points: int) -> RiskClass:
    """A from 80 points, B from 65, C from 50, D from 35, E below."""
    return next(cls for floor, cls in CLASS_FLOORS if points >= floor)


def _average(days: Sequence[int]) -> Decimal | None:
    if not days:
        return None
    exact = Decimal(sum(days)) / len(days)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _whole(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _punctuality(behaviour: PaymentBehaviour) -> Factor:
    average = _average([*behaviour.days_late_recent, *behaviour.days_late_older])
    if average is None:
        return Factor("punctuality", "no paid invoices", 30, 40, "no payment history yet")
    points = max(0, 40 - max(0, _whole(average)))
    return Factor(
        "punctuality",
        str(average),
        points,
        40,
        f"pays {average} days after the due date on average (40 − days late)",
    )


def _trend(behaviour: PaymentBehaviour) -> Factor:
    recent, older = _average(behaviour.days_late_recent), _average(behaviour.days_late_older)
    if recent is None or older is None:
        return Factor("trend", "not enough history", 10, 15, "needs payments in both periods")
    change = recent - older
    points = 15 - min(15, max(0, _whole(change)))
    direction = "later" if change > 0 else "earlier or the same"
    return Factor(
        "trend",
        str(change),
        points,
        15,
        f"last 90 days {recent} vs. before {older} days late: paying {direction}",
    )


def _count_factor(name: str, count: int, what: str) -> Factor:
    points = max(0, 15 - 5 * count)
    return Factor(name, str(count), points, 15, f"{count} {what} (15 − 5 each)")


def _utilisation(ratio: Decimal | None) -> Factor:
    if ratio is None:
        return Factor("utilisation", "no credit limit", 10, 15, "no limit to measure against")
    percent = (ratio * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if ratio <= Decimal("0.5"):
        points = 15
    elif ratio <= Decimal("0.8"):
        points = 10
    elif ratio <= 1:
        points = 5
    else:
        points = 0
    return Factor(
        "utilisation", f"{percent}%", points, 15, f"exposure is {percent}% of the credit limit"
    )
