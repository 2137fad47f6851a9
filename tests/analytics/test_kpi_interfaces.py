"""The KPI contract through the CLI (`o2c kpi`) and the API (GET /api/v1/kpi), every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.analytics.builders import AS_OF, worked_example
from tests.analytics.test_kpis import EXPECTED, contract
from tests.app.client import api_client, o2c

pytestmark = pytest.mark.storage


def test_cli_prints_the_contract_object_as_json(uow, actor, database):
    # given the worked example
    worked_example(uow, actor)
    # when `o2c kpi --as-of 2026-03-31 --format json` runs
    result = o2c(database, "kpi", "--as-of", AS_OF.isoformat(), "--format", "json")
    # then it prints one JSON object with the contract's keys and the hand-computed figures
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert contract(document) == EXPECTED
    assert document["as_of"] == "2026-03-31"


def test_cli_csv_has_a_row_per_group_with_the_contract_columns(uow, actor, database):
    worked_example(uow, actor)
    result = o2c(database, "kpi", "--as-of", "2026-03-31", "--format", "csv", "--by", "customer")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["group"] for row in rows] == ["company", "C1"]
    assert rows[1]["dso_standard_90"] == "62.47"
    assert rows[1]["ar_open"] == "5900.00"


def test_cli_period_adds_its_own_window_to_the_contract_one(uow, actor, database):
    worked_example(uow, actor)
    result = o2c(database, "kpi", "--as-of", "2026-03-31", "--period", "30", "--format", "json")
    document = json.loads(result.stdout)
    assert document["dso_standard_90"] == 62.47
    assert document["net_invoiced_30"] == "3500.00"  # D 4000 less the credit note 500
    assert document["dso_standard_30"] == 50.57  # 5900 / 3500 × 30
    assert document["best_possible_dso"] == 30.0  # 3500 / 3500 × 30


def test_cli_table_lists_every_kpi(uow, actor, database):
    worked_example(uow, actor)
    result = o2c(database, "kpi", "--as-of", "2026-03-31")
    assert result.exit_code == 0, result.output
    assert "dso_countback" in result.stdout
    assert "63.13" in result.stdout


def test_cli_writes_xlsx_to_a_file(uow, actor, database, tmp_path):
    worked_example(uow, actor)
    target = tmp_path / "kpi.xlsx"
    result = o2c(
        database, "kpi", "--as-of", "2026-03-31", "--format", "xlsx", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["group"] == "company"
    assert float(values["dso_standard_90"]) == 62.47


def test_cli_xlsx_without_a_file_is_a_usage_error(uow, actor, database):
    result = o2c(database, "kpi", "--as-of", "2026-03-31", "--format", "xlsx")
    assert result.exit_code == 2


def test_cli_trend_prints_a_row_per_month_end(uow, actor, database):
    worked_example(uow, actor)
    result = o2c(
        database, "kpi", "trend", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["as_of"] for row in rows] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert rows[-1]["cei_90"] == "60.00"


def test_api_returns_the_contract_object(uow, actor, engine, clock):
    worked_example(uow, actor)
    client = api_client(engine, clock)
    response = client.get("/api/v1/kpi", params={"as_of": "2026-03-31"})
    assert response.status_code == 200, response.text
    assert contract(response.json()) == EXPECTED


def test_api_exports_csv_and_xlsx(uow, actor, engine, clock):
    worked_example(uow, actor)
    client = api_client(engine, clock)
    as_csv = client.get("/api/v1/kpi", params={"as_of": "2026-03-31", "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "62.47" in as_csv.text
    as_xlsx = client.get(
        "/api/v1/kpi/trend",
        params={"from": "2026-01-01", "to": "2026-03-31", "format": "xlsx"},
    )
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet.max_row == 4  # header and three month ends


def test_api_refuses_a_period_beyond_a_year(uow, actor, engine, clock):
    client = api_client(engine, clock)
    response = client.get("/api/v1/kpi", params={"period": 400})
    assert response.status_code == 422
