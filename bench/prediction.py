"""Evaluate payment-date prediction: MAE in days against the two baselines, time-based split.

    python -m bench.prediction                       # the IBM accounts-receivable sample
    python -m bench.prediction --demo var/demo.db    # a database the demo loader filled

Datasets live in ../shared/data/datasets/ (see each MANIFEST.md). Prints one JSON line per
data set with the evaluation (`analytics.prediction.Evaluation.as_dict`).
"""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date, datetime
from pathlib import Path

from o2c.analytics.features import InvoiceFacts
from o2c.analytics.prediction import Evaluation, evaluate, split_day
from o2c.analytics.service import invoice_history
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.security.model import system_actor
from o2c.security.service import find_company

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "datasets"
IBM = SHARED / "ibm_wa_accounts_receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"


def _us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()  # noqa: DTZ007 - a calendar date


def ibm_invoices(path: Path = IBM) -> list[InvoiceFacts]:
    """The IBM sample as invoice facts: every invoice is settled (SettledDate)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            InvoiceFacts(
                key=index,
                customer=row["customerID"],
                issued_on=_us_date(row["InvoiceDate"]),
                due_on=_us_date(row["DueDate"]),
                amount=float(row["InvoiceAmount"]),
                disputed=row["Disputed"] == "Yes",
                cleared_on=_us_date(row["SettledDate"]),
            )
            for index, row in enumerate(csv.DictReader(handle))
        ]


def evaluate_ibm(path: Path = IBM) -> Evaluation:
    """Train on what was settled by the day before the newest quarter of invoices."""
    invoices = ibm_invoices(path)
    evaluation, _ = evaluate(invoices, split_day(invoices))
    return evaluation


def evaluate_database(url: str, company: str, as_of: date) -> Evaluation:
    """The same evaluation on a company's ledger (the demo company, for instance)."""
    engine = make_engine(url)
    uow = UnitOfWork(session_factory(engine))
    with uow:
        actor = system_actor(find_company(uow, company).id, "bench")
    history = invoice_history(uow, actor, as_of)
    evaluation, _ = evaluate(history, split_day(history))
    engine.dispose()
    return evaluation


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", help="database URL of a demo company to evaluate too")
    parser.add_argument("--company", default="DEMO")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 3, 1))
    args = parser.parse_args(argv)
    if IBM.exists():
        print(json.dumps({"dataset": "ibm_wa_accounts_receivable"} | evaluate_ibm().as_dict()))
    if args.demo:
        result = evaluate_database(args.demo, args.company, args.as_of)
        print(json.dumps({"dataset": f"demo {args.company}"} | result.as_dict()))


if __name__ == "__main__":
    main()
