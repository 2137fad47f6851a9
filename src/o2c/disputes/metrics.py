"""Dispute metrics: what is open by reason and age, how long resolving takes, what is at risk.

Amounts are per currency (never summed across currencies). Cases and deductions are counted
together where a collector asks "how much is disputed", and deductions alone for the
valid/invalid rate, which tells how often customers deduct with reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.disputes.model import (
    CLOSED_CASE,
    OPEN_DEDUCTION,
    RECOVERING_OUTCOMES,
    VALID_OUTCOMES,
    DeductionCheck,
    DeductionStatus,
    Outcome,
)
from o2c.disputes.rules import AGE_BUCKETS, age_bucket
from o2c.disputes.tables import Deduction, DisputeCase
from o2c.security.model import Actor, Permission


@dataclass(frozen=True)
class OpenBucket:
    reason: str
    age: str
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class DisputeMetrics:
    as_of: date
    open_by_reason_and_age: list[OpenBucket]
    average_cycle_days: float | None
    closed_count: int
    at_risk_minor: dict[str, int]
    deductions_valid: int
    deductions_invalid: int
    recovered_minor: dict[str, int]

    @property
    def valid_rate(self) -> float | None:
        decided = self.deductions_valid + self.deductions_invalid
        return None if decided == 0 else self.deductions_valid / decided


@dataclass(frozen=True, slots=True)
class _Row:
    reason: str
    status: str
    open: bool
    currency: str
    amount_minor: int
    created_at: datetime
    resolved_at: datetime | None
    outcome: str | None
    rule: str | None


def _rows(uow: UnitOfWork, company_id: int) -> tuple[list[_Row], list[_Row]]:
    closed_cases = [s.value for s in CLOSED_CASE]
    cases = [
        _Row(r, s, s not in closed_cases, c, a, at, done, o, None)
        for r, s, c, a, at, done, o in uow.session.execute(
            select(
                DisputeCase.reason,
                DisputeCase.status,
                DisputeCase.currency,
                DisputeCase.amount_minor,
                DisputeCase.created_at,
                DisputeCase.resolved_at,
                DisputeCase.outcome,
            ).where(DisputeCase.company_id == company_id)
        )
    ]
    open_deductions = [s.value for s in OPEN_DEDUCTION]
    deductions = [
        _Row(r, s, s in open_deductions, c, a, at, done, o, rule)
        for r, s, c, a, at, done, o, rule in uow.session.execute(
            select(
                Deduction.reason,
                Deduction.status,
                Deduction.currency,
                Deduction.amount_minor,
                Deduction.created_at,
                Deduction.resolved_at,
                Deduction.outcome,
                Deduction.rule,
            ).where(Deduction.company_id == company_id)
        )
    ]
    return cases, deductions


def dispute_metrics(uow: UnitOfWork, actor: Actor) -> DisputeMetrics:
    """The dashboard figures, as of today (the unit of work's clock)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        today = uow.clock.today()
        cases, deductions = _rows(uow, actor.company_id)
    everything = cases + deductions
    buckets: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    at_risk: dict[str, int] = defaultdict(int)
    for row in (r for r in everything if r.open):
        bucket = buckets[(row.reason, age_bucket(row.created_at.date(), today), row.currency)]
        bucket[0] += 1
        bucket[1] += row.amount_minor
        at_risk[row.currency] += row.amount_minor
    order = {name: index for index, (name, _) in enumerate(AGE_BUCKETS)}
    open_buckets = [
        OpenBucket(reason, age, currency, count, amount)
        for (reason, age, currency), (count, amount) in sorted(
            buckets.items(), key=lambda kv: (kv[0][0], order[kv[0][1]], kv[0][2])
        )
    ]
    closed = [r for r in everything if not r.open and r.resolved_at is not None]
    cycle = None
    if closed:
        seconds = sum(
            (r.resolved_at - r.created_at).total_seconds() for r in closed if r.resolved_at
        )
        cycle = round(seconds / len(closed) / 86_400, 2)
    valid = sum(1 for d in deductions if _deduction_valid(d))
    invalid = sum(1 for d in deductions if d.outcome in RECOVERING_OUTCOMES)
    recovered: dict[str, int] = defaultdict(int)
    for row in everything:
        if row.outcome in RECOVERING_OUTCOMES:
            recovered[row.currency] += row.amount_minor
    return DisputeMetrics(
        today, open_buckets, cycle, len(closed), dict(at_risk), valid, invalid, dict(recovered)
    )


def _deduction_valid(row: _Row) -> bool:
    """Valid: settled in the customer's favour, or accepted by a rule or a reviewer."""
    if row.outcome is not None:
        return Outcome(row.outcome) in VALID_OUTCOMES
    return row.status == DeductionStatus.VALID.value or row.rule in {
        DeductionCheck.DISCOUNT.value,
        DeductionCheck.AGREEMENT.value,
    }
