"""`o2c kpi ...` and `o2c analytics ...`: the KPIs, their trend, and the prediction jobs.

`o2c kpi --as-of DATE --format json` prints the contract object (docs/KPIS.md); `--format
csv|table|xlsx` the same figures as a sheet (`xlsx` needs `--output FILE`).
"""

from __future__ import annotations

import enum
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from o2c.analytics.export import Sheet, sheet_document, to_csv, to_xlsx
from o2c.analytics.forecast import Step, cash_forecast
from o2c.analytics.kpi_output import kpi_document, kpi_sheet, trend_sheet
from o2c.analytics.measures import GroupBy
from o2c.analytics.prediction_output import (
    cycle_times_sheet,
    forecast_document,
    forecast_sheet,
    predictions_document,
    predictions_sheet,
)
from o2c.analytics.process import cycle_times, ocel_log
from o2c.analytics.reports import Every, kpi_report, kpi_trend
from o2c.analytics.service import predict_open_invoices, run_forecast, train_payment_model
from o2c.db.deps import context_of
from o2c.parties.service import customer_codes
from o2c.security.service import get_company


class Format(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
    TABLE = "table"
    XLSX = "xlsx"


def _day(text: str) -> date:
    return date.fromisoformat(text)


AsOf = Annotated[
    date | None,
    typer.Option("--as-of", parser=_day, metavar="DATE", help="Report date (default: today)"),
]
Period = Annotated[
    int, typer.Option("--period", min=1, max=366, help="Window of DSO, CEI and sales, in days")
]
FormatOption = Annotated[Format, typer.Option("--format")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (required for xlsx)")
]

MAX_TABLE_COLUMNS = 12

kpi_app = typer.Typer(
    help="Receivables KPIs as of any date: DSO, best possible DSO, ADD, CEI, % current.",
    invoke_without_command=True,
)


def emit(
    sheet: Sheet,
    output_format: Format,
    output: Path | None,
    document: object,
    transpose: bool = True,
) -> None:
    """Print (or write to `output`) a sheet in the asked format; JSON prints `document`."""
    if output_format is Format.XLSX:
        if output is None:
            raise typer.BadParameter("--format xlsx writes a file: give --output FILE")
        output.write_bytes(to_xlsx([sheet]))
        typer.echo(f"wrote {output}")
        return
    if output_format is Format.TABLE:
        Console().print(_table(sheet, transpose))
        return
    text = json.dumps(document, indent=2) + "\n" if output_format is Format.JSON else to_csv(sheet)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


def _table(sheet: Sheet, transpose: bool = True) -> Table:
    """KPIs down the side, one column per group or date: a dozen figures read better as rows.
    Long lists (more than a dozen groups) keep one row per group."""
    table = Table(title=sheet.title)
    label = 1 if sheet.columns[:2] == ("as_of", "group") else 0
    if not transpose or len(sheet.rows) > MAX_TABLE_COLUMNS:
        for name in sheet.columns:
            table.add_column(name, justify="left" if name in ("group", "as_of") else "right")
        for row in sheet.rows:
            table.add_row(*(_cell(value) for value in row))
        return table
    table.add_column(sheet.columns[label])
    for row in sheet.rows:
        table.add_column(_cell(row[label]), justify="right")
    for index, name in enumerate(sheet.columns):
        if index > label or (label and index == 0 and len({r[0] for r in sheet.rows}) > 1):
            table.add_row(name, *(_cell(row[index]) for row in sheet.rows))
    return table


def _cell(value: object) -> str:
    return "" if value is None else str(value)


@kpi_app.callback()
def kpi(
    ctx: typer.Context,
    as_of: AsOf = None,
    period: Period = 90,
    by: Annotated[
        GroupBy, typer.Option("--by", help="Also per customer, currency, segment or collector")
    ] = (GroupBy.COMPANY),
    output_format: FormatOption = Format.TABLE,
    output: Output = None,
) -> None:
    """The KPIs of the company (and per group with --by) as of a date."""
    if ctx.invoked_subcommand is not None:
        return
    context = context_of(ctx.obj)
    uow = context.uow()
    report = kpi_report(uow, context.actor(), as_of or uow.clock.today(), period, by)
    emit(kpi_sheet(report), output_format, output, kpi_document(report))


@kpi_app.command("trend")
def trend(
    ctx: typer.Context,
    start: Annotated[date, typer.Option("--from", parser=_day, metavar="DATE")],
    end: Annotated[date, typer.Option("--to", parser=_day, metavar="DATE")],
    every: Annotated[Every, typer.Option("--every")] = Every.MONTH,
    period: Period = 90,
    output_format: FormatOption = Format.TABLE,
    output: Output = None,
) -> None:
    """The company's KPIs at each day, week end or month end of a range (DSO and aging trend)."""
    context = context_of(ctx.obj)
    reports = kpi_trend(context.uow(), context.actor(), start, end, every, period)
    sheet = trend_sheet(reports)
    emit(sheet, output_format, output, [kpi_document(report) for report in reports])


analytics_app = typer.Typer(
    help="Payment-date prediction and cash forecast: train, predict, forecast.",
    no_args_is_help=True,
)


@analytics_app.command("train")
def train(ctx: typer.Context, as_of: AsOf = None) -> None:
    """Train the payment-date model on the history up to a date (a job: run it weekly)."""
    context = context_of(ctx.obj)
    uow = context.uow()
    trained = train_payment_model(uow, context.actor(), as_of or uow.clock.today())
    typer.echo(
        f"payment model v{trained.version} trained on {trained.training_count} cleared invoices"
    )
    typer.echo(json.dumps(trained.metrics))


@analytics_app.command("predict")
def predict(
    ctx: typer.Context,
    as_of: AsOf = None,
    output_format: FormatOption = Format.TABLE,
    output: Output = None,
) -> None:
    """Each open invoice's predicted payment date with its 10%–90% interval."""
    context = context_of(ctx.obj)
    uow = context.uow()
    actor = context.actor()
    predictions = predict_open_invoices(uow, actor, as_of or uow.clock.today())
    codes = customer_codes(uow, actor.company_id, (p.customer_id for p in predictions))
    with uow:
        base = get_company(uow, actor.company_id).base_currency
    sheet = predictions_sheet(predictions, codes, base)
    emit(sheet, output_format, output, predictions_document(sheet), transpose=False)


@analytics_app.command("forecast")
def forecast(
    ctx: typer.Context,
    as_of: AsOf = None,
    new: Annotated[bool, typer.Option("--new", help="Run a new forecast first")] = False,
    run: Annotated[int | None, typer.Option("--run", help="Forecast run id")] = None,
    every: Annotated[Step, typer.Option("--every")] = Step.WEEK,
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=366)] = 91,
    output_format: FormatOption = Format.TABLE,
    output: Output = None,
) -> None:
    """Expected receipts by day or week with the interval, and actuals once days have passed."""
    context = context_of(ctx.obj)
    uow = context.uow()
    actor = context.actor()
    if new:
        run = run_forecast(uow, actor, as_of or uow.clock.today())
    result = cash_forecast(uow, actor, run, every, horizon)
    emit(forecast_sheet(result), output_format, output, forecast_document(result), transpose=False)


@analytics_app.command("process")
def process(
    ctx: typer.Context,
    start: Annotated[date, typer.Option("--from", parser=_day, metavar="DATE")],
    end: Annotated[date, typer.Option("--to", parser=_day, metavar="DATE")],
    output_format: FormatOption = Format.TABLE,
    output: Output = None,
) -> None:
    """Order → ship → invoice → cash cycle times per customer, for invoices issued in a range."""
    context = context_of(ctx.obj)
    company, customers = cycle_times(context.uow(), context.actor(), start, end)
    sheet = cycle_times_sheet(company, customers)
    emit(sheet, output_format, output, sheet_document(sheet), transpose=False)


@analytics_app.command("ocel")
def ocel(
    ctx: typer.Context,
    start: Annotated[date, typer.Option("--from", parser=_day, metavar="DATE")],
    end: Annotated[date, typer.Option("--to", parser=_day, metavar="DATE")],
    output: Output = None,
) -> None:
    """An OCEL 2.0 event log (JSON) of the invoices issued in a range, for process mining."""
    context = context_of(ctx.obj)
    text = json.dumps(ocel_log(context.uow(), context.actor(), start, end), indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
