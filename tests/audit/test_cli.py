"""`o2c audit verify|seal|export` as an operator and an auditor use them."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

from sqlalchemy import func, select

from o2c.app.audit_trail import verify_all
from o2c.app.catalogue import SEAL, JobServices
from o2c.app.worker import Worker
from o2c.db.engine import session_factory
from o2c.jobs.service import enqueue
from o2c.kernel.config import Settings
from o2c.ledger.tables import JournalLine
from o2c.security.tables import AuditRecord
from tests.app.client import o2c
from tests.audit.tampering import tamper
from tests.builders import a_customer, an_invoice


def test_verify_passes_then_names_an_edited_journal_line(database, engine, uow, actor):
    customer = a_customer(uow, actor)
    an_invoice(uow, actor, customer)
    intact = o2c(database, "audit", "verify")
    assert intact.exit_code == 0, intact.stderr
    assert "intact" in intact.stdout
    with uow:
        line = uow.session.scalar(select(func.max(JournalLine.id)))
    tamper(engine, f"UPDATE journal_line SET amount_minor = amount_minor + 1 WHERE id = {line}")
    broken = o2c(database, "audit", "verify")
    assert broken.exit_code == 1
    assert f"journal_line {line}" in broken.stderr.splitlines()[0]


def test_verify_without_sealing_reports_records_left_unsealed(database, uow, actor):
    an_invoice(uow, actor, a_customer(uow, actor))  # written at the frozen clock, long ago
    result = o2c(database, "audit", "verify", "--no-seal")
    assert result.exit_code == 1
    assert "not sealed" in result.stderr


def test_export_writes_records_with_their_chain_hashes(database, uow, actor, tmp_path):
    an_invoice(uow, actor, a_customer(uow, actor))
    assert o2c(database, "audit", "seal").exit_code == 0
    out_csv, out_jsonl = tmp_path / "trail.csv", tmp_path / "trail.jsonl"
    for out in (out_csv, out_jsonl):
        result = o2c(
            database,
            "audit",
            "export",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-02",
            "--out",
            str(out),
        )
        assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(out_csv.open()))
    lines = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    assert rows
    assert len(rows) == len(lines)
    assert [r["hash"] for r in rows] == [r["hash"] for r in lines]
    assert all(len(r["hash"]) == 64 for r in lines)
    assert [r["seq"] for r in lines] == list(range(1, len(lines) + 1))


def test_export_refuses_an_unknown_format(database, actor, tmp_path):
    result = o2c(
        database,
        "audit",
        "export",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-02",
        "--out",
        str(tmp_path / "x.xml"),
    )
    assert result.exit_code == 1
    assert "csv or jsonl" in result.stderr


def test_the_worker_job_seals_the_chains(database, engine, clock, uow, actor):
    an_invoice(uow, actor, a_customer(uow, actor))
    services = JobServices(session_factory(engine), clock, Settings(database_url=database))
    enqueue(services.new_uow(), actor.company_id, SEAL, "now")
    [outcome] = Worker(services).run_until_idle()
    assert outcome.status == "succeeded", outcome.error
    result = verify_all(uow, [actor.company_id], timedelta(0))
    assert result.findings == []
    assert result.links["journal_line"] == 2


def test_what_a_command_wrote_is_sealed_when_it_returns(database, engine, uow, actor):
    added = o2c(database, "webhook", "add", "https://example.test/h", "--topic", "*")
    assert added.exit_code == 0, added.stderr
    with uow:
        record = uow.session.scalar(select(func.max(AuditRecord.id)))
    tamper(engine, f"UPDATE audit_record SET data = '{{}}' WHERE id = {record}")
    broken = o2c(database, "audit", "verify", "--no-seal", "--sealed-within", "100000000")
    assert broken.exit_code == 1
    assert f"audit_record {record}" in broken.stderr.splitlines()[0]
