"""The dashboard: AR total, aging, DSO trend, cash forecast, auto-match rate, disputes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from o2c.analytics.forecast import CashForecast, cash_forecast
from o2c.analytics.kpi import CONTRACT_WINDOW
from o2c.analytics.reports import Every, kpi_report, kpi_trend
from o2c.app.web_auth import StaffActor
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.disputes.metrics import DisputeMetrics, dispute_metrics
from o2c.kernel.errors import NotFound
from o2c.ledger.aging import DEFAULT_BUCKETS
from o2c.ledger.reports import aging
from o2c.security.model import Actor
from o2c.web.backoffice.page import money, page
from o2c.web.charts import Band, Series, line_chart, stacked_bar_chart

router = APIRouter()
TREND_DAYS = 180


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, uow: UowDep, actor: StaffActor) -> HTMLResponse:
    today = uow.clock.today()
    report = kpi_report(uow, actor, today, CONTRACT_WINDOW)
    base = report.base_currency
    figures = report.company
    trend = kpi_trend(uow, actor, today - timedelta(days=TREND_DAYS), today, Every.MONTH)
    try:
        forecast: CashForecast | None = cash_forecast(uow, actor)
    except NotFound:
        forecast = None
    disputes = dispute_metrics(uow, actor)
    context = {
        "title": "Dashboard",
        "today": today,
        "base": base,
        "ar_open": money(figures.ar_open, base),
        "ar_past_due": money(figures.ar_past_due, base),
        "dso": figures.dso_standard.get(CONTRACT_WINDOW),
        "auto_match_rate": report.cash_application.auto_match_rate,
        "decided_lines": report.cash_application.decided_lines,
        "aging_chart": _aging_chart(uow, actor, today),
        "dso_chart": line_chart(
            f"DSO ({CONTRACT_WINDOW}-day), days",
            [r.as_of.strftime("%Y-%m") for r in trend],
            [Series("DSO", [r.company.dso_standard.get(CONTRACT_WINDOW) for r in trend])],
        ),
        "forecast": forecast,
        "forecast_chart": _forecast_chart(forecast) if forecast else None,
        "beyond": money(forecast.beyond_horizon_minor, base) if forecast else None,
        "disputes_chart": _disputes_chart(disputes),
        "disputes_open": sum(b.count for b in disputes.open_by_reason_and_age),
    }
    return page(request, actor, "dashboard.html", context)


def _aging_chart(uow: UnitOfWork, actor: Actor, today: date) -> Markup:
    """Open AR per aging bucket, one stacked segment per currency (amounts as invoiced)."""
    buckets = DEFAULT_BUCKETS.split(",")
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(buckets, 0))
    for row in aging(uow, actor, today):
        totals[row.currency][row.bucket] += row.amount_minor
    series = [
        Series(currency, [money(by_bucket[b], currency) for b in buckets])
        for currency, by_bucket in sorted(totals.items())
    ]
    return stacked_bar_chart("Aging: open amount by days past due", buckets, series)


def _forecast_chart(forecast: CashForecast) -> Markup:
    """Expected receipts per bucket, the 10–90% interval as a band, and what came in."""
    base = forecast.base_currency
    rows = forecast.buckets
    return line_chart(
        f"Cash forecast by week ({base})",
        [r.start.strftime("%m-%d") for r in rows],
        [
            Series("expected", [money(r.expected_minor, base) for r in rows]),
            Series(
                "actual",
                [None if r.actual_minor is None else money(r.actual_minor, base) for r in rows],
            ),
        ],
        band=Band(
            "10–90% interval",
            [money(min(r.early_minor, r.late_minor), base) for r in rows],
            [money(max(r.early_minor, r.late_minor), base) for r in rows],
        ),
    )


def _disputes_chart(metrics: DisputeMetrics) -> Markup:
    """Open disputes and deductions per reason, stacked by age."""
    reasons = sorted({b.reason for b in metrics.open_by_reason_and_age})
    ages = sorted({b.age for b in metrics.open_by_reason_and_age})
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for b in metrics.open_by_reason_and_age:
        counts[b.reason, b.age] += b.count
    series = [Series(age, [Decimal(counts[r, age]) for r in reasons]) for age in ages]
    return stacked_bar_chart("Open disputes by reason (count, by age)", reasons, series)
