"""`o2c analytics train|predict|forecast` and the analytics API."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tests.analytics.builders import AS_OF, paid_history
from tests.app.client import api_client, o2c
from tests.builders import an_invoice

pytestmark = pytest.mark.storage


def test_cli_trains_predicts_and_forecasts(uow, actor, database):
    # given a paid history and an invoice still open
    customers = paid_history(uow, actor, {"A": 0, "B": 15}, invoices=25)
    an_invoice(uow, actor, customers["B"], "80.00", on=date(2026, 3, 20))
    # when the training job runs, then the predictions and a new forecast are printed
    trained = o2c(database, "analytics", "train", "--as-of", AS_OF.isoformat())
    assert trained.exit_code == 0, trained.output
    assert "payment model v1 trained on 50 cleared invoices" in trained.stdout
    predicted = o2c(
        database, "analytics", "predict", "--as-of", AS_OF.isoformat(), "--format", "csv"
    )
    assert predicted.exit_code == 0, predicted.output
    rows = list(csv.DictReader(io.StringIO(predicted.stdout)))
    [row] = [r for r in rows if r["open"] == "80.00"]
    assert row["customer"] == "B"
    assert row["earliest_on"] <= row["expected_on"] <= row["latest_on"]
    forecast = o2c(
        database,
        "analytics",
        "forecast",
        "--new",
        "--as-of",
        AS_OF.isoformat(),
        "--every",
        "week",
        "--format",
        "json",
    )
    assert forecast.exit_code == 0, forecast.output
    document = json.loads(forecast.stdout)
    expected = sum(float(b["expected"]) for b in document["buckets"])
    assert expected + float(document["beyond_horizon"]) == pytest.approx(80.0)


def test_cli_forecast_without_a_model_explains_what_to_run(uow, actor, database):
    result = o2c(database, "analytics", "forecast", "--new")
    assert result.exit_code == 1
    assert "o2c analytics train" in result.stderr


def test_api_trains_and_exports_predictions_as_xlsx(uow, actor, engine, clock):
    paid_history(uow, actor, {"A": 0, "B": 15}, invoices=25)
    client = api_client(engine, clock)
    trained = client.post("/api/v1/analytics/payment-models", params={"as_of": "2026-03-31"})
    assert trained.status_code == 201, trained.text
    assert trained.json()["version"] == 1
    run = client.post("/api/v1/analytics/forecast-runs", params={"as_of": "2026-03-31"})
    assert run.status_code == 201, run.text
    forecast = client.get("/api/v1/analytics/forecast", params={"every": "day", "horizon": 7})
    assert forecast.status_code == 200, forecast.text
    assert len(forecast.json()["buckets"]) == 7
    export = client.get("/api/v1/analytics/predictions", params={"format": "xlsx"})
    assert export.status_code == 200, export.text
    assert export.content[:2] == b"PK"  # a zip container: an XLSX workbook


def test_cli_and_api_export_cycle_times_and_the_ocel_log(uow, actor, database, engine, clock):
    # given no orders in the range: the reports are empty but well formed
    csv_text = o2c(
        database,
        "analytics",
        "process",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    )
    assert csv_text.exit_code == 0, csv_text.output
    assert csv_text.stdout.splitlines()[0].startswith("customer,cases,order_to_ship")
    log = o2c(database, "analytics", "ocel", "--from", "2026-01-01", "--to", "2026-03-31")
    assert json.loads(log.stdout)["objectTypes"][0]["name"] == "customer"
    client = api_client(engine, clock)
    march = {"from": "2026-01-01", "to": "2026-03-31"}
    response = client.get("/api/v1/analytics/ocel", params=march)
    assert response.status_code == 200
    assert response.json()["events"] == []
    times = client.get("/api/v1/analytics/cycle-times", params=march)
    assert times.json() == [
        {
            "customer": "company",
            "cases": 0,
            "order_to_ship": None,
            "ship_to_invoice": None,
            "invoice_to_cash": None,
            "order_to_cash": None,
            "slowest_stage": None,
        }
    ]
