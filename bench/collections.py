"""Time dunning runs: 100,000 customers with 1,000,000 open items, deciding and recording.

    python -m bench.collections --database sqlite:///var/dunbench.db
    python -m bench.collections --database sqlite:///var/dunbench.db --reuse
    python -m bench.collections --database postgresql://postgres@127.0.0.1/dunbench

What it measures (composing and sending mails is delivery's work, after the run, and is NOT
in any figure):

1. `cold_catch_up` as of TODAY - HISTORY_DAYS: the first run ever, over a ledger that was
   never dunned. Every overdue invoice gets the highest letter it qualifies for, calls,
   holds, escalations and agency hand-overs all at once: the worst case, reported as is.
2. `history_day` runs for the days up to yesterday: the company has been dunning all along.
3. `dunning_run` as of TODAY: the representative daily run, the figure the issue's budget
   is about. It reads every open item that could act today and records what crossed a
   threshold overnight (reminders before due, the next level, calls, holds).
4. `dunning_run_same_day_again`: idempotent, nothing new.
5. `dunning_run_next_day`: the following day.

The book is what a company that dunns looks like: invoices issued over the last 100 days
on 30-day terms (most open invoices are not yet due or a few weeks late), a tail of 3 %
issued up to 400 days ago; 80 % fully open, the rest half paid.

Loading takes minutes, so the loaded database is kept: a SQLite file is copied to
`<file>.loaded`, a PostgreSQL database to `<name>_loaded` (as a template). `--reuse` starts
from that copy and only rebuilds the collections tables (so a changed schema of this package
needs no reload). Prints one JSON line per stage.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from bench.ledger import TODAY, customers_csv, fresh_database, refresh_statistics
from bench.stages import report, timed
from sqlalchemy import Engine, text

from o2c.app.installation import install_company
from o2c.app.schema import create_schema
from o2c.billing.importing import import_open_items
from o2c.collections import tables as collection_tables
from o2c.collections.running import RunReport, run_dunning
from o2c.collections.service import install_default_strategy
from o2c.db.base import Base
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.parties.importing import import_customers
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company

HISTORY_DAYS = 3
LEGACY = ("dunning_item", "dunning_state")  # memory of steps done, per version
BUDGET_SECONDS = 30


def open_items_csv(n: int, customers: int, rng: random.Random) -> str:
    """A receivables book of a company that collects: mostly young invoices, a thin tail."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["customer_id", "invoice_number", "issue_date", "due_date", "currency", "amount",
         "open_amount", "po_number"]
    )  # fmt: skip
    for i in range(n):
        age = rng.randint(101, 400) if rng.random() < 0.03 else rng.randint(0, 100)
        issue = TODAY - timedelta(days=age)
        amount = Decimal(rng.randint(1_000, 500_000)) / 100
        open_ = amount if rng.random() < 0.8 else (amount / 2).quantize(Decimal("0.01"))
        writer.writerow(
            [f"C{rng.randrange(customers):06d}", f"INV-{i:07d}", issue,
             issue + timedelta(days=30), "EUR", amount, open_, f"PO{i}"]
        )  # fmt: skip
    return out.getvalue()


def _loaded_copy(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///") + ".loaded"
    return url.rsplit("/", 1)[1] + "_loaded"


def load(url: str, customers: int, items: int) -> None:
    """Build the bench database from scratch and keep a copy of it for `--reuse`."""
    fresh_database(url)
    engine = make_engine(url)
    create_schema(engine)
    clock = FrozenClock()
    clock.set_date(TODAY)
    uow = UnitOfWork(session_factory(engine), clock)
    install_company(uow, "BENCH", "Bench GmbH", "EUR")
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    rng = random.Random(7)
    customer_text, item_text = customers_csv(customers), open_items_csv(items, customers, rng)
    _, seconds = timed(lambda: import_customers(uow, actor, customer_text))
    report("import_customers", customers, seconds)
    _, seconds = timed(lambda: import_open_items(uow, actor, item_text))
    report("import_open_items", items, seconds)
    engine.dispose()
    copy = _loaded_copy(url)
    if url.startswith("sqlite:///"):
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        return
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')


def restore(url: str) -> None:
    """Start from the loaded copy: the imports without any collections state."""
    copy = _loaded_copy(url)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        shutil.copyfile(copy, path)
        return
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{copy}"')


def reset_collections(engine: Engine) -> None:
    """Rebuild this package's tables as the code defines them now (they hold no bench data).

    Tables of earlier versions of the package (`LEGACY`) go too: the loaded copy was built
    by whatever migrations were current then.
    """
    tables = [
        Base.metadata.tables[model.__tablename__]
        for model in vars(collection_tables).values()
        if isinstance(model, type) and issubclass(model, Base) and model is not Base
    ]
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        for name in LEGACY + tuple(t.name for t in tables):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))
    Base.metadata.create_all(engine, tables=tables)


def _timed_run(
    uow: UnitOfWork, clock: FrozenClock, actor: Actor, stage: str, day: date, items: int
) -> RunReport:
    clock.set_date(day)
    result, seconds = timed(lambda: run_dunning(uow, actor, day))
    extra: dict[str, Any] = {"as_of": day.isoformat(), "customers": result.customers}
    report(
        stage,
        items,
        seconds,
        **extra,
        actions=result.actions,
        by_kind=dict(Counter(result.by_kind)),
        budget_seconds=BUDGET_SECONDS,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--history-days", type=int, default=HISTORY_DAYS)
    parser.add_argument("--reuse", action="store_true", help="start from the loaded copy")
    parser.add_argument("--load-only", action="store_true", help="load, keep the copy, stop")
    args = parser.parse_args(argv)
    print(json.dumps({"python": sys.version.split()[0], "args": vars(args)}), flush=True)
    if args.reuse:
        restore(args.database)
    else:
        load(args.database, args.customers, args.items)
    if args.load_only:
        return
    engine = make_engine(args.database)
    reset_collections(engine)
    refresh_statistics(args.database)
    clock = FrozenClock()
    clock.set_date(TODAY)
    uow = UnitOfWork(session_factory(engine), clock)
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    install_default_strategy(uow, actor.company_id)
    first = TODAY - timedelta(days=args.history_days)
    _timed_run(uow, clock, actor, "cold_catch_up", first, args.items)
    for back in range(args.history_days - 1, 0, -1):
        _timed_run(uow, clock, actor, "history_day", TODAY - timedelta(days=back), args.items)
    _timed_run(uow, clock, actor, "dunning_run", TODAY, args.items)
    _timed_run(uow, clock, actor, "dunning_run_same_day_again", TODAY, args.items)
    _timed_run(uow, clock, actor, "dunning_run_next_day", TODAY + timedelta(days=1), args.items)


if __name__ == "__main__":
    main()
