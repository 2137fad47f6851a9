"""Stored credit scores: written by the scoring run (analytics), read by the rules and people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from o2c.credit.rules import RiskClass
from o2c.credit.scoring import Score
from o2c.credit.tables import CreditScore
from o2c.db.bulk import insert_ids
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound
from o2c.security.model import Actor, Permission

CHUNK = 5000


@dataclass(frozen=True)
class ScoredCustomer:
    customer_id: int
    score: Score
    broken_promises: int
    """Promises broken within the policy's window: the broken-promises rule reads it."""


def record_scores(
    uow: UnitOfWork, actor: Actor, scored: Sequence[ScoredCustomer], as_of: date
) -> int:
    """Replace the customers' scores with these (one set-based write); returns how many.

    Scores are derived figures, recomputed daily and on every payment, so they are not
    audited one by one; decisions taken on them (holds, limits) are.
    """
    actor.require(Permission.CREDIT_HOLD)
    with uow:
        ids = sorted({s.customer_id for s in scored})
        for start in range(0, len(ids), CHUNK):
            uow.session.execute(
                delete(CreditScore).where(
                    CreditScore.company_id == actor.company_id,
                    CreditScore.customer_id.in_(ids[start : start + CHUNK]),
                )
            )
        now = uow.clock.now()
        rows = [
            {
                "company_id": actor.company_id,
                "customer_id": s.customer_id,
                "points": s.score.points,
                "risk_class": s.score.risk_class.value,
                "broken_promises": s.broken_promises,
                "factors": {"factors": [f.as_dict() for f in s.score.factors]},
                "as_of": as_of,
                "scored_at": now,
            }
            for s in scored
        ]
        insert_ids(uow.session, CreditScore, rows)
        uow.commit()
        return len(rows)


def score_row(uow: UnitOfWork, company_id: int, customer_id: int) -> CreditScore | None:
    return uow.session.scalar(
        select(CreditScore).where(
            CreditScore.company_id == company_id, CreditScore.customer_id == customer_id
        )
    )


def scores_by_customer(uow: UnitOfWork, company_id: int) -> dict[int, CreditScore]:
    rows = uow.session.scalars(select(CreditScore).where(CreditScore.company_id == company_id))
    return {row.customer_id: row for row in rows}


def risk_of(row: CreditScore | None) -> RiskClass | None:
    return None if row is None else RiskClass(row.risk_class)


def get_score(uow: UnitOfWork, actor: Actor, customer_id: int) -> CreditScore:
    """The customer's latest score with its factors; NotFound before its first scoring."""
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id, "credit score of customer", customer_id)
    with uow:
        row = score_row(uow, actor.company_id, customer_id)
        if row is None:
            raise NotFound("credit score of customer", customer_id)
        return row
