"""Post N invoices and N payments through the service layer, then age them; and time imports.

    python bench/ledger.py --database sqlite:///var/bench.db --invoices 100000
    python bench/ledger.py --database postgresql://postgres@127.0.0.1/o2c_bench --invoices 100000
    python bench/ledger.py --database sqlite:///var/bench.db --aging-items 1000000

Every figure goes through the real services (drafts, `post_invoices`, `payment_batch`,
`aging`, the CSV imports): nothing writes rows behind their back. The database is emptied
first (a SQLite file is deleted; a PostgreSQL database is dropped and created). Prints one
JSON line per stage: {"stage", "count", "seconds", "per_second"}.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from bench.stages import report, timed
from rich.progress import Progress

from o2c.app.installation import install_company
from o2c.app.schema import create_schema
from o2c.billing.importing import import_open_items
from o2c.billing.model import InvoiceCreate, LineCreate
from o2c.billing.service import create_invoice, invoice_items, post_invoices
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.kernel.money import Money
from o2c.ledger.reports import aging
from o2c.parties.importing import import_customers
from o2c.payments.model import Allocation, BatchPayment, PaymentCreate, PaymentMethod
from o2c.payments.service import payment_batch
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company

BATCH = 5_000
TODAY = date(2026, 11, 1)


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def chunks(n: int, size: int = BATCH) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def customers_csv(n: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_id", "name", "country", "currency", "payment_terms", "segment"])
    for i in range(n):
        writer.writerow([f"C{i:06d}", f"Customer {i} GmbH", "DE", "EUR", "NET30", i % 7])
    return out.getvalue()


def open_items_csv(n: int, customers: int, rng: random.Random) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "customer_id",
            "invoice_number",
            "issue_date",
            "due_date",
            "currency",
            "amount",
            "open_amount",
            "po_number",
        ]
    )
    for i in range(n):
        issue = TODAY - timedelta(days=rng.randint(0, 400))
        amount = Decimal(rng.randint(1_000, 500_000)) / 100
        paid = amount if rng.random() < 0.8 else (amount / 2).quantize(Decimal("0.01"))
        writer.writerow(
            [
                f"C{rng.randrange(customers):06d}",
                f"OLD-{i:07d}",
                issue,
                issue + timedelta(days=30),
                "EUR",
                amount,
                paid,
                f"PO{i}",
            ]
        )
    return out.getvalue()


def run_imports(uow: UnitOfWork, actor: Actor, customers: int, items: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    customer_text, item_text = customers_csv(customers), open_items_csv(items, customers, rng)
    _, c_seconds = timed(lambda: import_customers(uow, actor, customer_text))
    _, i_seconds = timed(lambda: import_open_items(uow, actor, item_text))
    return [
        report("import_customers", customers, c_seconds),
        report("import_open_items", items, i_seconds),
        report("imports_total", customers + items, c_seconds + i_seconds),
    ]


def post_and_pay(uow: UnitOfWork, actor: Actor, n: int, customers: int) -> list[dict[str, Any]]:
    """Drafts (3 lines, two tax rates), bulk posting, payments applied, then aging."""
    rng = random.Random(11)
    customer_ids = list(range(1, customers + 1))
    draft_ids: list[int] = []
    draft_seconds = post_seconds = pay_seconds = 0.0
    with Progress(transient=True) as progress:
        task = progress.add_task("invoices", total=3 * n)
        for block in chunks(n):

            def drafts(block: range = block) -> list[int]:
                return [
                    create_invoice(
                        uow,
                        actor,
                        InvoiceCreate(
                            customer_ids[i % customers],
                            [
                                LineCreate(
                                    "Widget",
                                    Decimal(rng.randint(1, 9)),
                                    Decimal("12.50"),
                                    tax_category="standard",
                                ),
                                LineCreate(
                                    "Gadget", Decimal(1), Decimal("99.99"), tax_category="reduced"
                                ),
                                LineCreate(
                                    "Service", Decimal(2), Decimal("45.00"), tax_category="standard"
                                ),
                            ],
                            issue_date=TODAY - timedelta(days=i % 180),
                        ),
                    ).id
                    for i in block
                ]

            ids, seconds = timed(drafts)
            draft_ids += ids
            draft_seconds += seconds
            progress.advance(task, len(block))
            posted, seconds = timed(lambda ids=ids: post_invoices(uow, actor, ids))
            post_seconds += seconds
            progress.advance(task, len(block))
            with uow:
                items = invoice_items(uow, actor.company_id, [p.invoice_id for p in posted])
            batch = [
                BatchPayment(
                    PaymentCreate(
                        items[p.invoice_id].customer_id,
                        Money.from_minor(items[p.invoice_id].amount_minor, "EUR"),
                        PaymentMethod.WIRE,
                        TODAY,
                        reference=p.number,
                    ),
                    [
                        Allocation(
                            p.invoice_id, Money.from_minor(items[p.invoice_id].amount_minor, "EUR")
                        )
                    ],
                )
                for k, p in enumerate(posted)
                if k % 3  # a third stays open for aging
            ]
            _, seconds = timed(lambda batch=batch: payment_batch(uow, actor, batch))
            pay_seconds += seconds
            progress.advance(task, len(block))
    paid = sum(1 for _ in range(n) if _ % BATCH % 3)
    return [
        report("create_drafts", n, draft_seconds),
        report("post_invoices", n, post_seconds),
        report("payments_recorded_and_applied", paid, pay_seconds),
    ]


def refresh_statistics(url: str) -> None:
    """After a bulk load PostgreSQL plans with stale statistics until autovacuum runs; run
    what it would run, so aging is timed as a live server would see it."""
    if url.startswith("postgresql"):
        with psycopg.connect(url, autocommit=True) as conn:
            for table in ("open_item", "settlement"):
                conn.execute(f"VACUUM ANALYZE {table}")


def time_aging(uow: UnitOfWork, actor: Actor, open_items: int) -> list[dict[str, Any]]:
    lines = []
    for label, as_of in (("aging_today", TODAY), ("aging_90_days_ago", TODAY - timedelta(90))):
        aging(uow, actor, as_of)  # warm the cache, as a server does
        rows, seconds = timed(lambda as_of=as_of: aging(uow, actor, as_of))
        lines.append(report(label, open_items, seconds, rows=len(rows)))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--invoices", type=int, default=0, help="N invoices and payments")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--import-items", type=int, default=100_000)
    parser.add_argument(
        "--aging-items",
        type=int,
        default=0,
        help="load this many open items by import, then time aging only",
    )
    args = parser.parse_args(argv)
    fresh_database(args.database)
    engine = make_engine(args.database)
    create_schema(engine)
    clock = FrozenClock()
    clock.set_date(TODAY)
    uow = UnitOfWork(session_factory(engine), clock)
    install_company(uow, "BENCH", "Bench GmbH", "EUR")
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    print(
        json.dumps(
            {"database": engine.dialect.name, "python": sys.version.split()[0], "args": vars(args)}
        ),
        flush=True,
    )
    if args.aging_items:
        run_imports(uow, actor, args.customers, args.aging_items)
        refresh_statistics(args.database)
        time_aging(uow, actor, args.aging_items)
        return
    run_imports(uow, actor, args.customers, args.import_items)
    if args.invoices:
        post_and_pay(uow, actor, args.invoices, args.customers)
        refresh_statistics(args.database)
        time_aging(uow, actor, args.import_items + args.invoices)


if __name__ == "__main__":
    main()
