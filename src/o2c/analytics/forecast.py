"""Cash forecast from a forecast run: expected receipts by day or week, with an interval, and
what actually came in for the same invoices once the days have passed.

Per bucket: `expected` sums the open amounts (base currency) of the invoices whose predicted
payment date falls in it; `early` and `late` do the same with the 10% and 90% dates, the two
ends of the interval (in the early scenario cash arrives sooner, so early buckets hold more).
`actual` is the cash from payments applied to those same invoices, by application date, for
buckets that have begun by today; invoices issued after the run are not in the forecast and
not in its actuals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from o2c.analytics.tables import ForecastRun, PaymentPrediction
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import Application, OpenItem, Settlement
from o2c.security.model import Actor, Permission
from o2c.security.service import get_company

MAX_HORIZON = 366


class Step(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class ForecastBucket:
    start: date
    end: date
    expected_minor: int
    early_minor: int
    late_minor: int
    actual_minor: int | None


@dataclass(frozen=True)
class CashForecast:
    run_id: int
    as_of: date
    base_currency: str
    buckets: list[ForecastBucket]
    beyond_horizon_minor: int


def buckets(as_of: date, horizon: int, step: Step) -> list[tuple[date, date]]:
    """Consecutive (first, last) days from the day after `as_of` over `horizon` days; weeks
    run Monday to Sunday (the first one may be short)."""
    first = as_of + timedelta(days=1)
    last_day = as_of + timedelta(days=horizon)
    result = []
    while first <= last_day:
        end = first if step is Step.DAY else first + timedelta(days=6 - first.weekday())
        result.append((first, min(end, last_day)))
        first = result[-1][1] + timedelta(days=1)
    return result


def _run(uow: UnitOfWork, company_id: int, run_id: int | None) -> ForecastRun:
    query = select(ForecastRun).where(ForecastRun.company_id == company_id)
    if run_id is not None:
        query = query.where(ForecastRun.id == run_id)
    run = uow.session.scalar(query.order_by(ForecastRun.id.desc()).limit(1))
    if run is None:
        raise NotFound("forecast run", run_id if run_id is not None else "latest")
    return run


def _by_day(uow: UnitOfWork, run_id: int, column: InstrumentedAttribute[date]) -> dict[date, int]:
    rows = uow.session.execute(
        select(column, func.sum(PaymentPrediction.open_base_minor))
        .where(PaymentPrediction.run_id == run_id)
        .group_by(column)
    )
    return {day: int(total) for day, total in rows}


def _actual_by_day(uow: UnitOfWork, run: ForecastRun) -> dict[date, int]:
    """Cash from payments applied to the run's invoices after its day (base currency)."""
    credit = aliased(OpenItem)
    rows = uow.session.execute(
        select(Settlement.settled_on, -func.sum(Settlement.base_minor))
        .join(PaymentPrediction, PaymentPrediction.item_id == Settlement.item_id)
        .join(Application, Application.id == Settlement.application_id)
        .join(credit, credit.id == Application.credit_item_id)
        .where(
            PaymentPrediction.run_id == run.id,
            Settlement.company_id == run.company_id,
            Settlement.settled_on > run.as_of,
            credit.kind == ItemKind.PAYMENT.value,
        )
        .group_by(Settlement.settled_on)
    )
    return {day: int(total) for day, total in rows}


def cash_forecast(
    uow: UnitOfWork,
    actor: Actor,
    run_id: int | None = None,
    step: Step = Step.WEEK,
    horizon: int = 91,
) -> CashForecast:
    """The forecast of a run (the newest by default) with actuals for buckets begun by today."""
    actor.require(Permission.LEDGER_READ)
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValidationFailed([FieldError("horizon", f"must be 1 to {MAX_HORIZON} days")])
    with uow:
        run = _run(uow, actor.company_id, run_id)
        base = get_company(uow, actor.company_id).base_currency
        expected = _by_day(uow, run.id, PaymentPrediction.expected_on)
        early = _by_day(uow, run.id, PaymentPrediction.earliest_on)
        late = _by_day(uow, run.id, PaymentPrediction.latest_on)
        actual = _actual_by_day(uow, run)
        today = uow.clock.today()
    sums: dict[str, dict[int, int]] = {name: defaultdict(int) for name in ("e", "lo", "hi", "a")}
    spans = buckets(run.as_of, horizon, step)

    def index(day: date) -> int:
        position = next((i for i, (s, e) in enumerate(spans) if s <= day <= e), None)
        return len(spans) if position is None else position

    for name, by_day in (("e", expected), ("lo", early), ("hi", late), ("a", actual)):
        for day, total in by_day.items():
            sums[name][index(day)] += total
    rows = [
        ForecastBucket(
            start,
            end,
            sums["e"][i],
            sums["lo"][i],
            sums["hi"][i],
            sums["a"][i] if start <= today else None,
        )
        for i, (start, end) in enumerate(spans)
    ]
    return CashForecast(run.id, run.as_of, base, rows, sums["e"][len(spans)])
