"""Load N open invoices and 2N payments through the ledger's bulk services, then time the KPIs.

    python -m bench.kpi --database postgresql://postgres@127.0.0.1/kpibench --invoices 1000000
    python -m bench.kpi --database sqlite:///var/kpibench.db --invoices 100000
    python -m bench.kpi --database postgresql://postgres@127.0.0.1/kpibench --keep  # time only

Every invoice and payment is posted with `ledger.service.post_documents` (entry, lines, open
item, audit) and every payment applied with `ledger.service.apply_items` (application entry,
settlements), in batches: nothing writes rows behind the services' back. Each invoice is
paid by two payments of 40% each within 90 days of issue, so every invoice stays open (20%)
and the subledger holds N open invoices and 2N closed payments over two years. The database
is emptied first unless --keep; a PostgreSQL database is dropped and created. Prints one
JSON line per stage: {"stage", "count", "seconds", "per_second"}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta

import psycopg
from bench.ledger import customers_csv, fresh_database, refresh_statistics
from bench.stages import report, timed
from rich.progress import Progress

from o2c.analytics.measures import GroupBy
from o2c.analytics.reports import kpi_report
from o2c.app.installation import install_company
from o2c.app.schema import create_schema
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.ledger.model import AccountRole, EntryDraft, ItemKind, LineDraft
from o2c.ledger.service import ApplyCommand, ItemDraft, apply_items, post_documents
from o2c.parties.importing import import_customers
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company

BATCH = 10_000
TODAY = date(2026, 11, 1)
HISTORY_DAYS = 730


def _invoice(customer: int, number: int, minor: int, issue: date) -> tuple[EntryDraft, ItemDraft]:
    name = f"INV-{number:08d}"
    entry = EntryDraft(
        issue,
        "invoice",
        number,
        name,
        [
            LineDraft(AccountRole.AR_CONTROL, minor, "EUR", minor, customer),
            LineDraft(AccountRole.REVENUE, -minor, "EUR", -minor, customer),
        ],
    )
    item = ItemDraft(
        customer, ItemKind.INVOICE, number, name, "EUR", minor, minor, issue, issue + timedelta(30)
    )
    return entry, item


def _payment(customer: int, number: int, minor: int, day: date) -> tuple[EntryDraft, ItemDraft]:
    name = f"PAY-{number:08d}"
    entry = EntryDraft(
        day,
        "payment",
        number,
        name,
        [
            LineDraft(AccountRole.CASH, minor, "EUR", minor, None),
            LineDraft(AccountRole.UNAPPLIED_CASH, -minor, "EUR", -minor, customer),
        ],
    )
    item = ItemDraft(
        customer,
        ItemKind.PAYMENT,
        number,
        name,
        "EUR",
        -minor,
        -minor,
        day,
        day,
        role=AccountRole.UNAPPLIED_CASH,
    )
    return entry, item


def load_batch(
    uow: UnitOfWork, actor: Actor, rng: random.Random, block: range, customers: int
) -> tuple[float, float]:
    """Post one batch of invoices and their two payments each, then apply the payments."""
    invoices, payments, plans = [], [], []
    for i in block:
        customer = 1 + i % customers
        minor = rng.randint(1_000, 500_000)
        issue = TODAY - timedelta(days=rng.randint(0, HISTORY_DAYS))
        invoices.append(_invoice(customer, i + 1, minor, issue))
        part = minor * 2 // 5
        for k in (1, 2):
            day = min(TODAY, issue + timedelta(days=rng.randint(5, 90)))
            payments.append(_payment(customer, 2 * i + k, part, day))
            plans.append((len(invoices) - 1, len(payments) - 1, part, day))
    posted, post_seconds = timed(lambda: post_documents(uow, actor, invoices + payments))
    items = [p.item_id for p in posted]
    commands = [
        ApplyCommand(items[inv], items[len(invoices) + pay], part, day)
        for inv, pay, part, day in plans
    ]
    _, apply_seconds = timed(lambda: apply_items(uow, actor, commands))
    return post_seconds, apply_seconds


def load(uow: UnitOfWork, actor: Actor, invoices: int, customers: int) -> None:
    rng = random.Random(17)
    post_seconds = apply_seconds = 0.0
    with Progress(transient=True) as progress:
        task = progress.add_task("invoices and payments", total=invoices)
        for start in range(0, invoices, BATCH):
            block = range(start, min(invoices, start + BATCH))
            posted, applied = load_batch(uow, actor, rng, block, customers)
            post_seconds += posted
            apply_seconds += applied
            progress.advance(task, len(block))
    report("post_invoices_and_payments", 3 * invoices, post_seconds)
    report("apply_payments", 2 * invoices, apply_seconds)


def analyze_journal(url: str) -> None:
    """As `bench.ledger.refresh_statistics` does for items and settlements: what autovacuum
    would run after the load, for the journal lines the KPIs read by date."""
    if url.startswith("postgresql"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE journal_line")


def time_kpis(uow: UnitOfWork, actor: Actor, items: int, repeat: int) -> None:
    cases = (
        ("kpi_today", TODAY, GroupBy.COMPANY),
        ("kpi_90_days_ago", TODAY - timedelta(days=90), GroupBy.COMPANY),
        ("kpi_one_year_ago", TODAY - timedelta(days=365), GroupBy.COMPANY),
        ("kpi_today_by_customer", TODAY, GroupBy.CUSTOMER),
    )
    for label, as_of, group_by in cases:
        kpi_report(uow, actor, as_of, 90, group_by)  # warm the cache, as a server does
        best = float("inf")
        for _ in range(repeat):
            result, seconds = timed(
                lambda as_of=as_of, group_by=group_by: kpi_report(uow, actor, as_of, 90, group_by)
            )
            best = min(best, seconds)
        report(
            label,
            items,
            best,
            dso_standard_90=str(result.company.dso_standard[90]),
            groups=len(result.groups),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--invoices", type=int, default=1_000_000, help="N invoices, 2N payments")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (best kept)")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    args = parser.parse_args(argv)
    if not args.keep:
        fresh_database(args.database)
    engine = make_engine(args.database)
    clock = FrozenClock()
    clock.set_date(TODAY)
    uow = UnitOfWork(session_factory(engine), clock)
    print(
        json.dumps(
            {"database": engine.dialect.name, "python": sys.version.split()[0], "args": vars(args)}
        ),
        flush=True,
    )
    if not args.keep:
        create_schema(engine)
        install_company(uow, "BENCH", "Bench GmbH", "EUR")
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    if not args.keep:
        _, seconds = timed(lambda: import_customers(uow, actor, customers_csv(args.customers)))
        report("import_customers", args.customers, seconds)
        load(uow, actor, args.invoices, args.customers)
        refresh_statistics(args.database)
        analyze_journal(args.database)
    time_kpis(uow, actor, 3 * args.invoices, args.repeat)


if __name__ == "__main__":
    main()
