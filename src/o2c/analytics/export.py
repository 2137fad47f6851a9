"""Every analytics list as a sheet, and sheets as JSON, CSV and XLSX, for API, CLI and web alike.

A `Sheet` is a title, column names and rows of plain values. Money arrives as Decimal at the
currency's minor unit (never float); CSV writes it as its exact decimal text, XLSX as a
number cell with two decimals. Ratios (days, percent) are Decimal with two places; an
undefined ratio is an empty cell in CSV and XLSX and `null` in JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from o2c.analytics.cash_application import CashApplicationFigures
from o2c.analytics.follow_up import FollowUpFigures
from o2c.analytics.kpi import CONTRACT_WINDOW, KpiFigures
from o2c.kernel.money import Money

Cell = str | int | Decimal | date | None
MAX_TITLE = 31  # Excel's limit on sheet names


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(sheet: Sheet) -> str:
    """RFC 4180 CSV with a header row; `\\n` line ends, exact decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(sheet.columns)
    writer.writerows([_text(value) for value in row] for row in sheet.rows)
    return out.getvalue()


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One worksheet per sheet, bold header, frozen first row, decimals as numbers."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:MAX_TITLE])
        page.append(list(sheet.columns))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append(list(row))
            for cell in page[page.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        page.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_document(sheet: Sheet) -> list[dict[str, Any]]:
    """A sheet as JSON records: decimals as strings (exact), dates ISO, empty cells null."""
    return [
        {k: str(v) if isinstance(v, Decimal) else json_value(v) for k, v in record.items()}
        for record in sheet.records()
    ]


def money(minor: int, currency: str) -> Decimal:
    return Money.from_minor(minor, currency).amount


def kpi_columns(period: int) -> tuple[str, ...]:
    """The KPI names in the order every format lists them (the JSON contract's keys)."""
    windows = sorted({CONTRACT_WINDOW, period})
    names = ["ar_open", "ar_current", "ar_past_due", "unapplied_cash"]
    names += [f"net_invoiced_{n}" for n in windows]
    names += [f"dso_standard_{n}" for n in windows]
    names += ["dso_countback", "best_possible_dso", "average_days_delinquent"]
    names += [f"cei_{n}" for n in windows]
    names += ["percent_current"]
    return tuple(names)


def kpi_values(kpi: KpiFigures, base: str) -> dict[str, Cell]:
    """One group's KPIs by name: money as Decimal in base currency, ratios as Decimal."""
    values: dict[str, Cell] = {
        "ar_open": money(kpi.ar_open, base),
        "ar_current": money(kpi.ar_current, base),
        "ar_past_due": money(kpi.ar_past_due, base),
        "unapplied_cash": money(kpi.unapplied_cash, base),
    }
    values |= {f"net_invoiced_{n}": money(v, base) for n, v in sorted(kpi.net_invoiced.items())}
    values |= {f"dso_standard_{n}": v for n, v in sorted(kpi.dso_standard.items())}
    values |= {
        "dso_countback": kpi.dso_countback,
        "best_possible_dso": kpi.best_possible_dso,
        "average_days_delinquent": kpi.average_days_delinquent,
    }
    values |= {f"cei_{n}": v for n, v in sorted(kpi.cei.items())}
    values["percent_current"] = kpi.percent_current
    return values


def cash_application_values(cash: CashApplicationFigures) -> dict[str, Cell]:
    return {
        "cash_lines_decided": cash.decided_lines,
        "auto_match_rate": cash.auto_match_rate,
        "touchless_rate": cash.touchless_rate,
    }


def follow_up_values(follow_up: FollowUpFigures, base: str) -> dict[str, Cell]:
    at_risk = follow_up.disputes_at_risk_minor
    return {
        "promises_kept_rate": follow_up.promises_kept_rate,
        "dispute_cycle_days": follow_up.dispute_cycle_days,
        "disputes_at_risk": None if at_risk is None else money(at_risk, base),
        "deduction_valid_rate": follow_up.deduction_valid_rate,
    }


def json_value(value: Cell) -> Any:
    """Money as an exact decimal string; ratios as JSON numbers with two decimals."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_figures(values: dict[str, Cell], money_keys: set[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Decimal) and key not in money_keys:
            result[key] = float(value)  # two places: prints exactly as the Decimal does
        elif isinstance(value, Decimal):
            result[key] = str(value)
        else:
            result[key] = json_value(value)
    return result


MONEY_KEYS = {"ar_open", "ar_current", "ar_past_due", "unapplied_cash"}


def figures_json(kpi: KpiFigures, base: str) -> dict[str, Any]:
    values = kpi_values(kpi, base)
    money_keys = MONEY_KEYS | {k for k in values if k.startswith("net_invoiced_")}
    return json_figures(values, money_keys)
