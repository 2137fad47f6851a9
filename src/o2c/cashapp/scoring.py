"""Evidence, hypotheses and the confidence they earn.

Every piece of evidence carries a log-odds weight and the words a person reads in the
reason. A hypothesis (a customer and the allocations of the line to its invoices) sums its
weights on top of a prior; competing hypotheses share one probability space, so each one's
confidence is its odds over one plus the odds of all (the "one" is "none of these"). Two
equally good hypotheses therefore each get at most one half and neither is applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from o2c.cashapp.model import Allocation, MatchDecision, MatchStatus, Suggestion
from o2c.kernel.currency import minor_units

PRIOR = -2.0
MAX_LOGIT = 30.0
MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to believe (positive weight) or doubt (negative) a hypothesis."""

    text: str
    weight: float


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One reading of a bank line: whose invoices it pays, how, and why."""

    customer_id: int
    allocations: tuple[Allocation, ...]
    evidence: tuple[Evidence, ...]
    deduction_minor: int = 0
    deduction_reason: str = ""
    on_account_minor: int = 0

    @property
    def logit(self) -> float:
        return min(MAX_LOGIT, PRIOR + sum(e.weight for e in self.evidence))

    @property
    def key(self) -> tuple[object, ...]:
        return (self.customer_id, self.allocations, self.deduction_minor, self.on_account_minor)

    @property
    def reason(self) -> str:
        return "; ".join(e.text for e in self.evidence if e.text)

    @property
    def status(self) -> MatchStatus:
        if self.deduction_minor > 0:
            return MatchStatus.DEDUCTION
        if self.on_account_minor > 0:
            return MatchStatus.ON_ACCOUNT
        return MatchStatus.APPLIED

    def suggestion(self, confidence: float) -> Suggestion:
        return Suggestion(
            self.customer_id,
            self.allocations,
            round(confidence, 4),
            self.reason,
            self.deduction_minor,
            self.on_account_minor,
        )


def show(minor: int, currency: str) -> str:
    """An amount for a reason text: "1234.50 EUR"."""
    return f"{Decimal(minor).scaleb(-minor_units(currency))} {currency}"


def _distinct(hypotheses: Iterable[Hypothesis]) -> list[Hypothesis]:
    """One hypothesis per reading, the best-supported version of each, best first."""
    best: dict[tuple[object, ...], tuple[float, Hypothesis]] = {}
    for hypothesis in hypotheses:
        key, logit = hypothesis.key, hypothesis.logit
        current = best.get(key)
        if current is None or logit > current[0]:
            best[key] = (logit, hypothesis)
    ranked = sorted(
        best.values(),
        key=lambda lh: (
            -lh[0],
            lh[1].customer_id,
            [(a.item_id, a.amount_minor) for a in lh[1].allocations],
        ),
    )
    return [h for _, h in ranked]


def confidences(hypotheses: Sequence[Hypothesis]) -> list[float]:
    """Each hypothesis's probability against the others and against "none of these"."""
    if not hypotheses:
        return []
    top = max(h.logit for h in hypotheses)
    shift = max(0.0, top)
    odds = [math.exp(h.logit - shift) for h in hypotheses]
    none = math.exp(-shift)
    total = none + sum(odds)
    return [o / total for o in odds]


def decide(
    hypotheses: Iterable[Hypothesis], threshold: float, floor: float, why_not: str
) -> MatchDecision:
    """The decision for a line: the best hypothesis if it clears the threshold, a suggestion
    if it clears the floor, else unmatched (still listing the faint readings, if any).

    `why_not` explains an empty result ("no customer identified and no reference found").
    """
    ranked = _distinct(hypotheses)
    if not ranked:
        return MatchDecision(MatchStatus.UNMATCHED, None, (), 0, "", 0, 0.0, why_not)
    scores = confidences(ranked)
    best, confidence = ranked[0], scores[0]
    suggestions = tuple(
        h.suggestion(c) for h, c in zip(ranked[:MAX_SUGGESTIONS], scores, strict=False)
    )
    if confidence >= threshold:
        return MatchDecision(
            best.status,
            best.customer_id,
            best.allocations,
            best.deduction_minor,
            best.deduction_reason,
            best.on_account_minor,
            round(confidence, 4),
            best.reason,
            suggestions[1:],
        )
    runner_up = f"; {len(ranked) - 1} other reading(s) compete" if len(ranked) > 1 else ""
    customers = {h.customer_id for h in ranked[:MAX_SUGGESTIONS]}
    credible = confidence >= floor
    return MatchDecision(
        MatchStatus.SUGGESTED if credible else MatchStatus.UNMATCHED,
        best.customer_id if len(customers) == 1 else None,
        (),
        0,
        "",
        0,
        round(confidence, 4),
        f"{'best reading below the threshold' if credible else 'no credible reading'}: "
        f"{best.reason}{runner_up}",
        suggestions,
    )
