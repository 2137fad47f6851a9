"""The worker with the real job catalogue: every kind runs its domain service, schedules fire,
statements dropped in a folder are imported and moved, and the CLI drives it all."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from o2c.app.catalogue import (
    AUTOPAY,
    BILLING,
    CREDIT_SCORES,
    DUNNING,
    FRAUD,
    HANDLERS,
    MAIL,
    MATCHING,
    NOTICES,
    SEAL,
    STATEMENTS,
    TRAINING,
    WEBHOOKS,
    JobServices,
)
from o2c.app.worker import Worker
from o2c.cashapp.tables import BankLineRow
from o2c.collections.service import install_default_strategies
from o2c.db.engine import session_factory
from o2c.jobs.service import JobFilter, enqueue, list_jobs
from o2c.jobs.tables import JobSchedule
from o2c.kernel.config import Settings
from o2c.payments.gateway import LoopbackGateway
from tests.app.client import o2c

FILES = Path(__file__).parents[1] / "cashapp" / "files"


def _worker(engine, clock, drop_dir: Path | None = None) -> Worker:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        statement_drop_dir=str(drop_dir) if drop_dir else None,
    )
    services = JobServices(
        session_factory(engine), clock, settings, gateway=LoopbackGateway(), settle_seconds=0
    )
    return Worker(services, name="test-worker", poll_seconds=0)


def _jobs(uow, actor, kind=None):
    rows, _ = list_jobs(uow, actor, JobFilter(kind=kind, limit=500))
    return rows


def test_every_kind_runs_its_service_for_a_company(engine, uow, actor, clock, tmp_path):
    # given an installed company with a collections strategy and a drop folder
    install_default_strategies(uow)
    (tmp_path / "ACME").mkdir()
    worker = _worker(engine, clock, tmp_path)
    for kind in HANDLERS:
        enqueue(uow, actor.company_id, kind, "2026-03-02", {"as_of": "2026-03-02"})

    # when the worker runs until nothing is due
    outcomes = worker.run_until_idle()

    # then each kind ran its service once and succeeded with a summary of what it did
    assert {o.job.kind: o.status for o in outcomes} == dict.fromkeys(HANDLERS, "succeeded")
    results = {job.kind: job.result for job in _jobs(uow, actor)}
    assert results[DUNNING] == {"as_of": "2026-03-02", "actions": 0, "mails_queued": 0}
    assert results[BILLING] == {"invoices": 0, "invoice_ids": []}
    assert results[AUTOPAY] == {"charged": 0, "declined": 0}
    assert results[MAIL]["sent"] == 0
    assert "O2C_SMTP_HOST" in results[MAIL]["waiting"]
    assert results[MATCHING] == {"lines": 0, "by_status": {}, "payments": 0}
    assert results[TRAINING]["trained"] is False
    assert results[STATEMENTS]["imported"] == []


def test_dunning_without_a_strategy_fails_and_says_why(engine, uow, actor, clock):
    enqueue(uow, actor.company_id, DUNNING, "2026-03-02", {"as_of": "2026-03-02"})
    [outcome] = _worker(engine, clock).run_until_idle()
    assert outcome.status == "failed"
    assert "strategy" in (outcome.error or "")


def test_the_worker_installs_schedules_and_runs_each_period_once(engine, uow, actor, clock):
    # given a worker started on a fresh company at 09:00
    worker = _worker(engine, clock)
    install_default_strategies(uow)
    assert worker.run_until_idle() == []
    with uow:
        kinds = set(uow.session.scalars(select(JobSchedule.kind)))
    assert {DUNNING, BILLING, MAIL, TRAINING, AUTOPAY} <= kinds

    # when the next morning comes and the worker ticks twice
    clock.advance(hours=21)
    first = worker.run_until_idle()
    second = worker.run_until_idle()

    # then each nightly job ran once for the day (the frequent ones every few minutes)
    frequent = {MAIL, NOTICES, SEAL, WEBHOOKS}
    ran = sorted(o.job.kind for o in first if o.job.kind not in frequent)
    assert ran == sorted([BILLING, DUNNING, AUTOPAY, CREDIT_SCORES, FRAUD])
    assert [o.job.key for o in first if o.job.kind == DUNNING] == ["2026-03-03T05:00Z"]
    assert [o for o in second if o.job.kind not in frequent] == []


def test_statements_dropped_in_the_folder_are_imported_and_moved(
    engine, uow, actor, clock, tmp_path
):
    # given the company's folder with a bank statement, a broken file and one still arriving
    folder = tmp_path / "ACME"
    folder.mkdir()
    shutil.copy(FILES / "contract.camt053.xml", folder / "2026-03-02.xml")
    (folder / "broken.xml").write_text("<Document><BkToCstmrStmt>no statement")
    (folder / "arriving.xml.part").write_text("<Docu")
    worker = _worker(engine, clock, tmp_path)
    enqueue(uow, actor.company_id, STATEMENTS, "poll-1")

    # when the worker polls the folder (and a copy of the same file arrives later)
    outcomes = worker.run_until_idle()
    shutil.copy(FILES / "contract.camt053.xml", folder / "2026-03-02.xml")
    enqueue(uow, actor.company_id, STATEMENTS, "poll-2")
    again = worker.run_until_idle()

    # then the statement is stored once and moved to processed/, the broken file to failed/
    # with its problems beside it, the partial file stays, and matching ran on the new lines
    assert [o.job.kind for o in outcomes] == [STATEMENTS, MATCHING]
    with uow:
        lines = uow.session.scalar(select(func.count()).select_from(BankLineRow))
    assert lines
    assert lines > 0
    assert {p.name for p in (folder / "processed").iterdir()} == {
        "2026-03-02.xml",
        f"2026-03-02.{_short_hash(FILES / 'contract.camt053.xml')}.xml",
    }
    assert (folder / "failed" / "broken.xml").exists()
    assert (folder / "failed" / "broken.xml.errors.txt").read_text().strip()
    assert (folder / "arriving.xml.part").exists()
    statements = next(j for j in _jobs(uow, actor, STATEMENTS) if j.key == "poll-2")
    assert statements.result["already_imported"] == ["2026-03-02.xml"]
    assert [o.job.kind for o in again] == [STATEMENTS]


def _short_hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_a_file_still_being_written_waits_for_the_next_poll(tmp_path):
    from o2c.app.statement_drop import waiting_files

    fresh = tmp_path / "new.xml"
    fresh.write_text("x")
    old = tmp_path / "old.xml"
    old.write_text("x")
    past = fresh.stat().st_mtime - 60
    os.utime(old, (past, past))
    assert waiting_files(tmp_path, settle_seconds=5) == [old]


def test_a_stopped_worker_finishes_its_job_and_leaves(engine, uow, actor, clock):
    worker = _worker(engine, clock)
    calls = []

    def stop_while_running(job):
        calls.append(job.key)
        worker.stop()
        return

    worker.handlers = {"demo": stop_while_running}
    enqueue(uow, actor.company_id, "demo", "a")
    enqueue(uow, actor.company_id, "demo", "b")
    worker.run_forever()
    assert calls == ["a"]
    assert [j.status for j in _jobs(uow, actor) if j.key == "a"] == ["succeeded"]


def test_the_cli_queues_runs_and_lists_jobs(database):
    # given an installed database
    assert o2c(database, "init").exit_code == 0

    # when an operator queues a dunning run and runs the worker once
    queued = o2c(database, "jobs", "enqueue", DUNNING, "--as-of", "2026-03-02")
    twice = o2c(database, "jobs", "enqueue", DUNNING, "--as-of", "2026-03-02")
    ran = o2c(database, "worker", "--once")
    listed = o2c(database, "jobs", "list", "--json")
    unknown = o2c(database, "jobs", "enqueue", "nope")

    # then the job ran once and the list shows it done with its result
    assert queued.exit_code == 0
    assert "queued" in queued.stdout
    assert "already exists" in twice.stdout
    assert ran.exit_code == 0, ran.stderr
    assert "collections.dunning manual-2026-03-02: succeeded" in ran.stdout
    [job] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (job["kind"], job["status"], job["attempts"]) == (DUNNING, "succeeded", 1)
    assert unknown.exit_code == 1
    assert "unknown job kind" in unknown.stderr


def test_a_failed_job_is_retried_from_the_cli(database):
    assert o2c(database, "init").exit_code == 0
    enqueue_autopay = o2c(database, "jobs", "enqueue", AUTOPAY)
    assert enqueue_autopay.exit_code == 0
    failed = o2c(database, "jobs", "run-once")
    listed = [json.loads(x) for x in o2c(database, "jobs", "list", "--json").stdout.splitlines()]
    retried = o2c(database, "jobs", "retry", str(listed[0]["id"]))

    assert failed.exit_code == 1
    assert "failed" in failed.stdout
    assert listed[0]["status"] == "failed"
    assert "gateway" in listed[0]["last_error"]
    assert retried.exit_code == 0
    assert "queued again" in retried.stdout


def test_schedules_are_shown_and_changed_from_the_cli(database):
    assert o2c(database, "init").exit_code == 0
    changed = o2c(database, "jobs", "schedule", DUNNING, "30 6 * * 1-5")
    bad = o2c(database, "jobs", "schedule", DUNNING, "tomorrow")
    shown = o2c(database, "jobs", "schedules")
    assert changed.exit_code == 0
    assert "30 6 * * 1-5 (enabled)" in changed.stdout
    assert bad.exit_code == 1
    assert "cron" in bad.stderr
    assert DUNNING in shown.stdout


def test_the_lease_comes_from_the_settings(engine, clock):
    worker = _worker(engine, clock)
    assert worker.lease == timedelta(seconds=300)
