"""Predictions, cash forecasts and cycle times as sheets (CSV, XLSX, tables) and JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from o2c.analytics.export import Cell, Sheet, json_value, money
from o2c.analytics.forecast import CashForecast
from o2c.analytics.process import STAGES, CycleTimes
from o2c.analytics.service import Prediction


def predictions_sheet(
    predictions: list[Prediction], codes: dict[int, str], base_currency: str
) -> Sheet:
    """One row per open invoice, soonest expected payment first."""
    columns = (
        "item_id",
        "customer",
        "currency",
        "open",
        "open_base",
        "due_on",
        "expected_on",
        "earliest_on",
        "latest_on",
    )
    rows: list[tuple[Cell, ...]] = [
        (
            p.item_id,
            codes.get(p.customer_id, str(p.customer_id)),
            p.currency,
            money(p.open_minor, p.currency),
            money(p.open_base_minor, base_currency),
            p.due_on,
            p.expected_on,
            p.earliest_on,
            p.latest_on,
        )
        for p in sorted(predictions, key=lambda p: (p.expected_on, p.item_id))
    ]
    return Sheet("Payment predictions", columns, rows)


def forecast_sheet(forecast: CashForecast) -> Sheet:
    """One row per day or week: expected receipts, the interval's two ends, and actuals."""
    base = forecast.base_currency
    columns = ("start", "end", "expected", "early", "late", "actual")
    rows: list[tuple[Cell, ...]] = [
        (
            b.start,
            b.end,
            money(b.expected_minor, base),
            money(b.early_minor, base),
            money(b.late_minor, base),
            None if b.actual_minor is None else money(b.actual_minor, base),
        )
        for b in forecast.buckets
    ]
    return Sheet("Cash forecast", columns, rows)


def forecast_document(forecast: CashForecast) -> dict[str, Any]:
    """JSON: amounts as decimal strings in base currency; `actual` null until a bucket begins."""
    sheet = forecast_sheet(forecast)
    return {
        "run_id": forecast.run_id,
        "as_of": forecast.as_of.isoformat(),
        "base_currency": forecast.base_currency,
        "beyond_horizon": str(money(forecast.beyond_horizon_minor, forecast.base_currency)),
        "buckets": [
            {k: None if v is None else str(json_value(v)) for k, v in record.items()}
            for record in sheet.records()
        ],
    }


def predictions_document(sheet: Sheet) -> list[dict[str, Any]]:
    return [
        {k: str(v) if k in ("open", "open_base") else json_value(v) for k, v in record.items()}
        for record in sheet.records()
    ]


def cycle_times_sheet(company: CycleTimes, customers: list[CycleTimes]) -> Sheet:
    """Mean days per stage, the company first, and where each loses the most time."""
    columns = ("customer", "cases", *STAGES, "slowest_stage")
    rows: list[tuple[Cell, ...]] = [
        (
            times.customer,
            times.cases,
            *(_days(times.mean_days[stage]) for stage in STAGES),
            times.slowest_stage,
        )
        for times in [company, *customers]
    ]
    return Sheet("Cycle times", columns, rows)


def _days(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
