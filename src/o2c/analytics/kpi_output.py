"""KPI reports in the shapes integrators read: the JSON contract, sheets for CSV and XLSX.

The JSON object of `o2c kpi --format json` (and GET /api/v1/kpi) is a contract: keys are
only ever added. Money is a decimal string in the base currency, ratios are numbers (days or
percent) with two decimals or null when undefined.
"""

from __future__ import annotations

from typing import Any

from o2c.analytics.export import (
    Cell,
    Sheet,
    cash_application_values,
    figures_json,
    follow_up_values,
    json_figures,
    kpi_columns,
    kpi_values,
)
from o2c.analytics.reports import KpiReport


def kpi_document(report: KpiReport) -> dict[str, Any]:
    """The contract object: the company's KPIs at top level, groups (if any) in `groups`."""
    document: dict[str, Any] = {
        "as_of": report.as_of.isoformat(),
        "period_days": report.period,
        "base_currency": report.base_currency,
    }
    document |= figures_json(report.company, report.base_currency)
    cash = cash_application_values(report.cash_application)
    document |= json_figures(cash, set())
    follow_up = follow_up_values(report.follow_up, report.base_currency)
    document |= json_figures(follow_up, {"disputes_at_risk"})
    if report.groups:
        document["group_by"] = report.group_by.value
        document["groups"] = [
            {"group": group.key} | figures_json(group.figures, report.base_currency)
            for group in report.groups
        ]
    return document


def kpi_sheet(report: KpiReport) -> Sheet:
    """One row for the company, then one per group; the columns of the JSON contract. The
    company-wide figures (cash application, promises, disputes) are empty on group rows."""
    company_wide = _company_wide(report)
    columns = ("as_of", "group", *kpi_columns(report.period), *company_wide)
    rows: list[tuple[Cell, ...]] = []
    entries = [("company", report.company)] + [(g.key, g.figures) for g in report.groups]
    for key, kpi in entries:
        values = kpi_values(kpi, report.base_currency)
        values |= company_wide if key == "company" and kpi is report.company else {}
        rows.append((report.as_of, key, *(values.get(c) for c in columns[2:])))
    return Sheet("KPIs", columns, rows)


def _company_wide(report: KpiReport) -> dict[str, Cell]:
    return cash_application_values(report.cash_application) | follow_up_values(
        report.follow_up, report.base_currency
    )


def trend_sheet(reports: list[KpiReport]) -> Sheet:
    """The company's KPIs as of each date of a trend, oldest first."""
    period = reports[0].period if reports else 90
    names = kpi_columns(period)
    extra = tuple(_company_wide(reports[0])) if reports else ()
    rows: list[tuple[Cell, ...]] = []
    for report in reports:
        values = kpi_values(report.company, report.base_currency) | _company_wide(report)
        rows.append((report.as_of, *(values[c] for c in names + extra)))
    return Sheet("KPI trend", ("as_of", *names, *extra), rows)
