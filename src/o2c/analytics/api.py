"""The analytics HTTP interface: KPIs as of any date and their trend, payment predictions, the
training job and cash forecasts; every list as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from o2c.analytics.export import Sheet, sheet_document, to_csv, to_xlsx
from o2c.analytics.forecast import MAX_HORIZON, Step, cash_forecast
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
from o2c.analytics.reports import MAX_PERIOD, Every, kpi_report, kpi_trend
from o2c.analytics.schemas import TrainedModelRead
from o2c.analytics.service import predict_open_invoices, run_forecast, train_payment_model
from o2c.db.deps import ActorDep, UowDep
from o2c.parties.service import customer_codes
from o2c.security.service import get_company

router = APIRouter(tags=["analytics"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_FORMATS: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX: {}}}}
AsOf = Annotated[date | None, Query(description="Report date; today when omitted")]
Period = Annotated[int, Query(ge=1, le=MAX_PERIOD, description="Window of DSO, CEI, in days")]
OutputFormat = Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")]


def sheet_response(sheet: Sheet, output: str, name: str) -> Response:
    """A sheet as a CSV or XLSX download."""
    if output == "csv":
        return Response(to_csv(sheet), media_type="text/csv")
    return Response(
        to_xlsx([sheet]),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get(
    "/kpi",
    responses=FILE_FORMATS,
    summary="Receivables KPIs as of a date (the `o2c kpi` contract object)",
)
def get_kpis(
    uow: UowDep,
    actor: ActorDep,
    as_of: AsOf = None,
    period: Period = 90,
    by: Annotated[
        GroupBy, Query(description="Also per customer, currency, segment or collector")
    ] = (GroupBy.COMPANY),
    output: OutputFormat = "json",
) -> Any:
    """`ar_open`, `dso_standard_90`, `dso_countback`, `best_possible_dso`,
    `average_days_delinquent`, `cei_90`, `percent_current` and more (docs/KPIS.md)."""
    report = kpi_report(uow, actor, as_of or uow.clock.today(), period, by)
    if output == "json":
        return kpi_document(report)
    return sheet_response(kpi_sheet(report), output, f"kpi-{report.as_of}")


@router.get(
    "/kpi/trend", responses=FILE_FORMATS, summary="The company's KPIs over a range of dates"
)
def get_trend(
    uow: UowDep,
    actor: ActorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    every: Every = Every.MONTH,
    period: Period = 90,
    output: OutputFormat = "json",
) -> Any:
    reports = kpi_trend(uow, actor, start, end, every, period)
    if output == "json":
        return [kpi_document(report) for report in reports]
    return sheet_response(trend_sheet(reports), output, f"kpi-trend-{start}-{end}")


@router.post(
    "/analytics/payment-models",
    status_code=201,
    summary="Train the payment-date model on the history up to a date (the training job)",
)
def post_payment_model(uow: UowDep, actor: ActorDep, as_of: AsOf = None) -> TrainedModelRead:
    trained = train_payment_model(uow, actor, as_of or uow.clock.today())
    return TrainedModelRead.of(trained)


@router.get(
    "/analytics/predictions",
    responses=FILE_FORMATS,
    summary="Each open invoice's predicted payment date with its 10%–90% interval",
)
def get_predictions(
    uow: UowDep, actor: ActorDep, as_of: AsOf = None, output: OutputFormat = "json"
) -> Any:
    day = as_of or uow.clock.today()
    predictions = predict_open_invoices(uow, actor, day)
    codes = customer_codes(uow, actor.company_id, (p.customer_id for p in predictions))
    with uow:
        base = get_company(uow, actor.company_id).base_currency
    sheet = predictions_sheet(predictions, codes, base)
    if output == "json":
        return predictions_document(sheet)
    return sheet_response(sheet, output, f"payment-predictions-{day}")


@router.post(
    "/analytics/forecast-runs",
    status_code=201,
    summary="Predict every open invoice with the newest model and keep it as a forecast run",
)
def post_forecast_run(uow: UowDep, actor: ActorDep, as_of: AsOf = None) -> dict[str, int]:
    return {"run_id": run_forecast(uow, actor, as_of or uow.clock.today())}


@router.get(
    "/analytics/forecast",
    responses=FILE_FORMATS,
    summary="Expected receipts by day or week with the interval, and the actual receipts",
)
def get_forecast(
    uow: UowDep,
    actor: ActorDep,
    run: Annotated[int | None, Query(description="Forecast run; the newest by default")] = None,
    every: Step = Step.WEEK,
    horizon: Annotated[int, Query(ge=1, le=MAX_HORIZON)] = 91,
    output: OutputFormat = "json",
) -> Any:
    forecast = cash_forecast(uow, actor, run, every, horizon)
    if output == "json":
        return forecast_document(forecast)
    return sheet_response(forecast_sheet(forecast), output, f"cash-forecast-{forecast.run_id}")


@router.get(
    "/analytics/cycle-times",
    responses=FILE_FORMATS,
    summary="Order → ship → invoice → cash cycle times per customer (invoices issued in a range)",
)
def get_cycle_times(
    uow: UowDep,
    actor: ActorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    output: OutputFormat = "json",
) -> Any:
    company, customers = cycle_times(uow, actor, start, end)
    sheet = cycle_times_sheet(company, customers)
    if output == "json":
        return sheet_document(sheet)
    return sheet_response(sheet, output, f"cycle-times-{start}-{end}")


@router.get(
    "/analytics/ocel",
    summary="OCEL 2.0 event log (JSON) of the invoices issued in a range, for process mining",
)
def get_ocel(
    uow: UowDep,
    actor: ActorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> dict[str, Any]:
    return ocel_log(uow, actor, start, end)
