"""Time a dunning run: 100,000 customers with 1,000,000 open items, deciding and recording.

    python -m bench.collections --database sqlite:///var/bench_collections.db
    python -m bench.collections --database postgresql://postgres@127.0.0.1/o2c_bench_coll

Loads customers and open items through the CSV import services (as `bench/ledger.py` does:
open items issued over 400 days, nearly all overdue and never dunned, so the first run is a
catch-up that acts on almost every customer), installs the default strategy, then times
`collections.running.run_dunning` as of one day
(read every open item in one query, decide in Python, bulk-insert actions, dunning items,
timeline entries, call tasks, credit holds), the same day again (idempotent: nothing new),
and the next day (the steady daily run).
Composing and sending mails is delivery's work, after the run, and is NOT in the figure.
Prints one JSON line per stage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import timedelta

from bench.ledger import TODAY, fresh_database, refresh_statistics, report, run_imports, timed

from o2c.app.installation import install_company
from o2c.app.schema import create_schema
from o2c.collections.running import run_dunning
from o2c.collections.service import install_default_strategy
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.security.model import system_actor
from o2c.security.service import find_company


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
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
    install_default_strategy(uow, actor.company_id)
    print(
        json.dumps(
            {"database": engine.dialect.name, "python": sys.version.split()[0], "args": vars(args)}
        ),
        flush=True,
    )
    run_imports(uow, actor, args.customers, args.items)
    refresh_statistics(args.database)
    first, seconds = timed(lambda: run_dunning(uow, actor, TODAY))
    report(
        "dunning_run",
        args.items,
        seconds,
        customers=first.customers,
        actions=first.actions,
        by_kind=dict(Counter(first.by_kind)),
        budget_seconds=30,
        note="deciding and recording only; composing and sending mails is delivery's work",
    )
    again, seconds = timed(lambda: run_dunning(uow, actor, TODAY))
    report("dunning_run_same_day_again", args.items, seconds, actions=again.actions)
    # The steady state: the next day's run decides over every open item again, but only the
    # invoices that crossed a threshold overnight get an action.
    tomorrow = TODAY + timedelta(days=1)
    clock.set_date(tomorrow)
    daily, seconds = timed(lambda: run_dunning(uow, actor, tomorrow))
    report(
        "dunning_run_next_day",
        args.items,
        seconds,
        customers=daily.customers,
        actions=daily.actions,
        budget_seconds=30,
    )


if __name__ == "__main__":
    main()
