"""`GET /api/v1/export/{entity}` and `o2c export ENTITY`: every row of the company, no other's."""

from __future__ import annotations

import csv
import io
import json

from o2c.integration import exports
from o2c.security.model import system_actor
from o2c.security.service import create_company
from tests.app.client import api_client, o2c
from tests.builders import a_customer, an_invoice


def two_companies(uow, actor):
    mine = a_customer(uow, actor, code="MINE")
    an_invoice(uow, actor, mine, amount="12.34")
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()
    a_customer(uow, system_actor(other.id), code="THEIRS")
    return mine


def test_the_api_streams_the_companys_rows_as_csv_and_json(engine, clock, uow, actor):
    mine = two_companies(uow, actor)
    client = api_client(engine, clock)
    as_csv = client.get("/api/v1/export/customers", params={"format": "csv"})
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(int(r["id"]), r["code"]) for r in rows] == [(mine, "MINE")]
    lines = client.get("/api/v1/export/journal_lines", params={"format": "json"}).json()
    assert sorted(line["amount_minor"] for line in lines) == [-1234, 1234]
    assert {line["currency"] for line in lines} == {"EUR"}


def test_an_unknown_entity_is_a_problem(engine, clock, actor):
    response = api_client(engine, clock).get("/api/v1/export/secrets")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "customers" in response.text


def test_exports_read_in_chunks_keep_every_row_once(uow, actor, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    for n in range(5):
        a_customer(uow, actor, code=f"C{n}")
    codes = [row["code"] for row in exports.export_rows(uow, actor, "customers")]
    assert codes == ["C0", "C1", "C2", "C3", "C4"]


def test_the_cli_writes_an_entity_to_a_file(database, uow, actor, tmp_path):
    two_companies(uow, actor)
    out = tmp_path / "items.json"
    result = o2c(database, "export", "open_items", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(out.read_text())
    assert (item["amount_minor"], item["currency"]) == (1234, "EUR")
    refused = o2c(database, "export", "nothing", "--out", str(out))
    assert refused.exit_code == 1
    assert "unknown entity" in refused.stderr
