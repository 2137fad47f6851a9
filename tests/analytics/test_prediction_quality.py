"""The payment-date model must beat both baselines (paid on the due date; paid with the
customer's average delay so far) on the public data set and on the demo company.

Numbers are recorded in docs/PERFORMANCE.md (`python -m bench.prediction`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from bench.prediction import IBM, evaluate_ibm

from o2c.analytics.prediction import evaluate, split_day
from o2c.analytics.service import invoice_history
from o2c.app.demo import load_demo
from o2c.app.schema import create_schema
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.security.model import system_actor
from o2c.security.service import find_company

DEMO_DAY = date(2026, 3, 1)


def test_model_beats_both_baselines_on_the_ibm_accounts_receivable_sample():
    if not IBM.exists():
        pytest.skip(f"public data set not found at {IBM} (../shared is absent)")
    # given the IBM sample, split in time (the newest quarter of invoices held out)
    # when the model is trained on the rest and scored on the held-out invoices
    evaluation = evaluate_ibm()
    # then its mean absolute error in days is below both baselines'
    assert evaluation.test_count > 500
    assert evaluation.beats_baselines(), evaluation.as_dict()


def test_model_beats_both_baselines_on_the_demo_company(tmp_path: Path):
    # given the demo company (a third of its usual crowd, two years of history)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    create_schema(engine)
    load_demo(engine, today=DEMO_DAY, seed=42, scale=0.3)
    uow = UnitOfWork(session_factory(engine))
    with uow:
        actor = system_actor(find_company(uow, "DEMO").id, "test")
    history = invoice_history(uow, actor, DEMO_DAY)
    engine.dispose()
    # when the model is evaluated on a time-based split of its ledger
    evaluation, _ = evaluate(history, split_day(history))
    # then it beats paying on the due date and the customer's average delay
    assert evaluation.test_count > 50
    assert evaluation.beats_baselines(), evaluation.as_dict()
