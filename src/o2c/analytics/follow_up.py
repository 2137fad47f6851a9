"""KPIs of the work after invoicing: promises to pay kept, disputes and deductions.

- `promises_kept_rate`: promises resolved in the window (their `resolved_on`) that were kept,
  over those kept or broken (cancelled ones count neither way). Dated, so replay-stable.
- `dispute_cycle_days`, `disputes_at_risk`, `deduction_valid_rate`: the disputes domain's
  own dashboard figures (`disputes.metrics.dispute_metrics`), which it computes as of today
  only; a report as of another day leaves them null rather than mislabel today's figures.
  The amount at risk is converted to base currency at the rate in force on the report day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from o2c.collections.model import PromiseStatus
from o2c.collections.tables import PromiseToPay
from o2c.db.uow import UnitOfWork
from o2c.disputes.metrics import dispute_metrics
from o2c.ledger.model import to_base
from o2c.ledger.service import rate_on
from o2c.security.model import Actor
from o2c.security.service import get_company

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class FollowUpFigures:
    promises_kept: int
    promises_broken: int
    dispute_cycle_days: Decimal | None
    disputes_at_risk_minor: int | None
    deduction_valid_rate: Decimal | None

    @property
    def promises_kept_rate(self) -> Decimal | None:
        resolved = self.promises_kept + self.promises_broken
        if resolved == 0:
            return None
        exact = Decimal(self.promises_kept) * 100 / Decimal(resolved)
        return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _promises(uow: UnitOfWork, company_id: int, as_of: date, period: int) -> dict[str, int]:
    rows = uow.session.execute(
        select(PromiseToPay.status, func.count())
        .where(
            PromiseToPay.company_id == company_id,
            PromiseToPay.resolved_on > as_of - timedelta(days=period),
            PromiseToPay.resolved_on <= as_of,
            PromiseToPay.status.in_((PromiseStatus.KEPT.value, PromiseStatus.BROKEN.value)),
        )
        .group_by(PromiseToPay.status)
    )
    return {status: int(count) for status, count in rows}


def follow_up_figures(uow: UnitOfWork, actor: Actor, as_of: date, period: int) -> FollowUpFigures:
    """Promises of the window; disputes as of today when the report is as of today."""
    with uow:
        promises = _promises(uow, actor.company_id, as_of, period)
        if as_of != uow.clock.today():
            cycle = at_risk = valid_rate = None
        else:
            metrics = dispute_metrics(uow, actor)
            base = get_company(uow, actor.company_id).base_currency
            at_risk = sum(
                to_base(minor, currency, base, rate_on(uow, actor.company_id, currency, as_of))
                for currency, minor in metrics.at_risk_minor.items()
            )
            cycle = _decimal(metrics.average_cycle_days)
            valid_rate = _decimal(None if metrics.valid_rate is None else metrics.valid_rate * 100)
    return FollowUpFigures(
        promises.get(PromiseStatus.KEPT.value, 0),
        promises.get(PromiseStatus.BROKEN.value, 0),
        cycle,
        at_risk,
        valid_rate,
    )


def _decimal(value: float | None) -> Decimal | None:
    """The disputes domain reports floats; KPIs are Decimal with two places."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
