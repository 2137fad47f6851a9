"""Scores the engine's decisions against a scenario's ground truth.

- straight-through rate: matchable lines applied completely and correctly with no human
  touch (status, every allocation, the deduction and the rest on account all right) divided
  by the matchable lines;
- error rate: automatic decisions that are wrong (wrong invoice, wrong amount, or applied
  when the line should have been left to a person) divided by all automatic decisions;
- calibration: for each confidence band, how often the engine's best reading was right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from bench.cashapp.draw import Expected
from bench.cashapp.generator import Case

from o2c.cashapp.model import Allocation, MatchDecision, MatchStatus

BANDS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.01)


@dataclass
class Tally:
    lines: int = 0
    matchable: int = 0
    straight_through: int = 0
    automatic: int = 0
    wrong: int = 0
    to_person: int = 0

    def add(self, expected: Expected, decision: MatchDecision) -> None:
        self.lines += 1
        right = is_correct(expected, decision)
        automatic = decision.status.automatic
        self.matchable += expected.matchable
        self.straight_through += expected.matchable and automatic and right
        self.automatic += automatic
        self.wrong += automatic and not right
        self.to_person += not automatic

    @property
    def straight_through_rate(self) -> float:
        return self.straight_through / self.matchable if self.matchable else 1.0

    @property
    def error_rate(self) -> float:
        return self.wrong / self.automatic if self.automatic else 0.0


@dataclass
class Score:
    total: Tally = field(default_factory=Tally)
    kinds: dict[str, Tally] = field(default_factory=dict)
    bands: list[list[int]] = field(default_factory=lambda: [[0, 0] for _ in BANDS[1:]])
    unrelated_left_unmatched: int = 0
    unrelated: int = 0


def _key(allocations: Sequence[Allocation]) -> list[tuple[int, int, int, int]]:
    return sorted(
        (a.item_id, a.amount_minor, a.discount_minor, a.writeoff_minor) for a in allocations
    )


def is_correct(expected: Expected, decision: MatchDecision) -> bool:
    """Whether an automatic decision did exactly what the clerk would have done."""
    if not expected.matchable or not decision.status.automatic:
        return False
    return (
        decision.status is expected.status
        and _key(decision.allocations) == _key(expected.allocations)
        and decision.deduction_minor == expected.deduction_minor
        and decision.on_account_minor == expected.on_account_minor
    )


def _best_reading_right(expected: Expected, decision: MatchDecision) -> bool:
    if decision.status.automatic:
        return is_correct(expected, decision)
    if not decision.suggestions or not expected.matchable:
        return False
    best = decision.suggestions[0]
    return _key(best.allocations) == _key(expected.allocations)


def score(cases: Sequence[Case], decisions: Sequence[MatchDecision]) -> Score:
    result = Score()
    for case, decision in zip(cases, decisions, strict=True):
        result.total.add(case.expected, decision)
        result.kinds.setdefault(case.kind, Tally()).add(case.expected, decision)
        if case.expected.status is MatchStatus.UNMATCHED:
            result.unrelated += 1
            result.unrelated_left_unmatched += decision.status is MatchStatus.UNMATCHED
        if decision.confidence > 0:
            for band, (low, high) in enumerate(pairwise(BANDS)):
                if low <= decision.confidence < high:
                    result.bands[band][0] += 1
                    result.bands[band][1] += _best_reading_right(case.expected, decision)
    return result


def table(result: Score) -> str:
    """The per-kind breakdown, one row per kind of line and a total."""
    header = (
        f"{'kind':<22} {'lines':>6} {'match':>6} {'STP %':>7} "
        f"{'auto':>6} {'wrong':>5} {'person':>6}"
    )
    rows = [header, "-" * len(header)]
    for kind, tally in [*sorted(result.kinds.items()), ("TOTAL", result.total)]:
        stp = f"{100 * tally.straight_through_rate:.1f}" if tally.matchable else "-"
        rows.append(
            f"{kind:<22} {tally.lines:>6} {tally.matchable:>6} {stp:>7} "
            f"{tally.automatic:>6} {tally.wrong:>5} {tally.to_person:>6}"
        )
    return "\n".join(rows)


def calibration(result: Score) -> list[dict[str, object]]:
    """Per confidence band: lines, and the share whose best reading was right."""
    return [
        {
            "band": f"{low:.2f}-{min(high, 1.0):.2f}",
            "lines": count,
            "right": round(right / count, 4) if count else None,
        }
        for (low, high), (count, right) in zip(pairwise(BANDS), result.bands, strict=True)
    ]
