"""Cash-application KPIs: how much incoming cash the matching engine settles on its own.

Read from the bank lines cash application stores and the decisions behind them:
- a line counts when it is incoming cash (a credit that is not a bank reversal) booked in the
  window, and has been decided (its status is neither `new` nor `ignored`);
- it is auto-matched when its status is one the engine reaches on its own (applied,
  deduction, on account) and no person ever recorded a decision on it;
- it is touchless when, in addition, it was applied to invoices completely: nothing went
  on account and no deduction was opened for someone to work.
The figures reflect decisions as they stand now: a line booked in the window and decided
by a person afterwards counts as touched when the report is re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, exists, func, select

from o2c.cashapp.model import LineStatus
from o2c.cashapp.tables import BankLineRow, MatchDecisionRow
from o2c.db.uow import UnitOfWork

AUTOMATIC = (LineStatus.APPLIED.value, LineStatus.DEDUCTION.value, LineStatus.ON_ACCOUNT.value)
UNDECIDED = (LineStatus.NEW.value, LineStatus.IGNORED.value)


@dataclass(frozen=True)
class CashApplicationFigures:
    decided_lines: int
    auto_matched_lines: int
    touchless_lines: int

    @property
    def auto_match_rate(self) -> Decimal | None:
        return _percent(self.auto_matched_lines, self.decided_lines)

    @property
    def touchless_rate(self) -> Decimal | None:
        return _percent(self.touchless_lines, self.decided_lines)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    exact = Decimal(part) * 100 / Decimal(whole)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cash_application_figures(
    uow: UnitOfWork, company_id: int, as_of: date, period: int
) -> CashApplicationFigures:
    """Counts of the incoming lines booked in the `period` days up to `as_of` (one query)."""
    touched = exists().where(
        MatchDecisionRow.line_id == BankLineRow.id, MatchDecisionRow.automatic.is_(False)
    )
    untouched_auto = BankLineRow.status.in_(AUTOMATIC) & ~touched
    booked = func.coalesce(BankLineRow.booking_date, BankLineRow.value_date)
    query = select(
        func.count(),
        func.coalesce(func.sum(case((untouched_auto, 1), else_=0)), 0),
        func.coalesce(
            func.sum(
                case(
                    (untouched_auto & (BankLineRow.status == LineStatus.APPLIED.value), 1),
                    else_=0,
                )
            ),
            0,
        ),
    ).where(
        BankLineRow.company_id == company_id,
        BankLineRow.amount_minor > 0,
        BankLineRow.is_reversal.is_(False),
        BankLineRow.status.not_in(UNDECIDED),
        booked > as_of - timedelta(days=period),
        booked <= as_of,
    )
    with uow:
        decided, auto, touchless = uow.session.execute(query).one()
    return CashApplicationFigures(int(decided), int(auto), int(touchless))
