"""Cash application end to end through storage: import, match, export, timed per stage.

    python -m bench.cashapp.pipeline --database sqlite:////tmp/cashapp.db \\
        --lines 100000 --invoices 1000000 --customers 0 --seed 3

On a fresh database (the SQLite file deleted, or the PostgreSQL database dropped and created)
the generator's world is loaded through the real imports (customers with their IBANs, open
items as CSV text), its bank lines are written as one camt.053 file (a statement per
currency), and then `import_statement`, `match` and `export` run as the CLI runs them. Prints
one JSON line per stage (stage, count, seconds, cpu_seconds, per_second), the match summary,
and whether the ledger balances (journal lines summed per currency) afterwards.

`--snapshot` keeps the database as it is after the statement import, `--reuse` starts from
such a copy and runs only `match` and `export` (see README.md), `--export` writes the CSV.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from bench.cashapp.generator import Scenario, generate
from bench.cashapp.world import AS_OF
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from o2c.app.installation import install_company
from o2c.app.schema import create_schema
from o2c.billing.importing import import_open_items
from o2c.cashapp.service import EXPORT_HEADER, export, import_statement, match
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.formats.statement import BankLine
from o2c.kernel.clock import FrozenClock
from o2c.ledger.service import set_fx_rate
from o2c.parties.importing import import_customers
from o2c.security.model import Actor, system_actor
from o2c.security.service import list_companies

T = TypeVar("T")
RATES = {"GBP": Decimal("1.17"), "USD": Decimal("0.92")}
STATEMENT_ACCOUNTS = {"GBP": "GB29NWBK60161331926819", "USD": "0012345678"}


def fresh_engine(url: str) -> Engine:
    """An engine on an empty database: the SQLite file deleted, the PostgreSQL one recreated."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database:
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        assert parsed.database
        _recreate(parsed, parsed.database, template=None)
    engine = make_engine(url)
    create_schema(engine)
    return engine


def snapshot(url: str, target: str) -> None:
    """Keep a copy of the database as it is now (all connections closed): the SQLite file, or
    a PostgreSQL database created from it as a template."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        assert parsed.database
        shutil.copyfile(parsed.database, target)
        return
    _recreate(parsed, target, template=parsed.database)


def restore(url: str, source: str) -> Engine:
    """The database put back as `snapshot` kept it, so `match` can run again on the same data
    (migrated to the newest schema, in case migrations came since the snapshot)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        assert parsed.database
        for suffix in ("-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, parsed.database)
    else:
        assert parsed.database
        _recreate(parsed, parsed.database, template=source)
    engine = make_engine(url)
    create_schema(engine)
    return engine


def _recreate(parsed: Any, name: str, template: str | None) -> None:
    admin_url = parsed.set(drivername="postgresql+psycopg", database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        like = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{like}'))
    admin.dispose()


def customers_csv(scenario: Scenario, currencies: dict[int, str]) -> str:
    codes = {c.customer_id: c.code for c in scenario.customers}
    rows = ["customer_id,name,iban,parent_id,currency"]
    for c in scenario.customers:
        parent = codes[c.parent_id] if c.parent_id else ""
        name = c.name.replace('"', "")
        iban = next((a for a in c.ibans if a[:2].isalpha()), "")
        rows.append(f'{c.code},"{name}",{iban},{parent},{currencies.get(c.customer_id, "EUR")}')
    return "\n".join(rows) + "\n"


def open_items_csv(scenario: Scenario) -> str:
    codes = {c.customer_id: c.code for c in scenario.customers}
    rows = ["customer_id,invoice_number,issue_date,due_date,currency,amount,open_amount,po_number"]
    seen: set[str] = set()
    for i in scenario.invoices:
        if i.number in seen:  # the world reuses a number when one year's pool runs dry
            continue
        seen.add(i.number)
        issued = min(i.due_date - timedelta(days=30), AS_OF)
        amount = Decimal(i.open_minor).scaleb(-2)
        rows.append(
            f"{codes[i.customer_id]},{i.number},{issued},{i.due_date},{i.currency},"
            f"{amount},{amount},{i.po_number or ''}"
        )
    return "\n".join(rows) + "\n"


def _account(number: str) -> str:
    if number[:2].isalpha():
        return f"<Id><IBAN>{escape(number)}</IBAN></Id>"
    return f"<Id><Othr><Id>{escape(number)}</Id></Othr></Id>"


def _entry(line: BankLine) -> str:
    credit = line.amount > 0
    role = "Dbtr" if credit else "Cdtr"
    party = f"<Nm>{escape(line.counterparty_name)}</Nm>" if line.counterparty_name else ""
    account = (
        f"<{role}Acct>{_account(line.counterparty_account)}</{role}Acct>"
        if line.counterparty_account
        else ""
    )
    refs = "".join(
        f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>{escape(r.kind)}</Cd></CdOrPrtry></Tp>"
        f"<Ref>{escape(r.value)}</Ref></CdtrRefInf></Strd>"
        for r in line.structured_refs
    )
    text_ = f"<Ustrd>{escape(line.remittance_text[:140])}</Ustrd>" if line.remittance_text else ""
    booked = line.booking_date or AS_OF
    value = line.value_date or booked
    e2e = escape(line.end_to_end_id) or "NOTPROVIDED"
    return (
        f'<Ntry><Amt Ccy="{line.currency}">{abs(line.amount):.2f}</Amt>'
        f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{value}</Dt></ValDt>"
        f"<AcctSvcrRef>{escape(line.bank_ref)}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<Refs><AcctSvcrRef>{escape(line.bank_ref)}</AcctSvcrRef><EndToEndId>{e2e}</EndToEndId>"
        f"</Refs><RltdPties><{role}>{party}</{role}>{account}</RltdPties>"
        f"<RmtInf>{text_}{refs}</RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )


def camt053(lines: Iterable[BankLine], own: str) -> bytes:
    """One camt.053.001.02 message with a statement per currency."""
    by_currency: dict[str, list[BankLine]] = defaultdict(list)
    for line in lines:
        by_currency[line.currency].append(line)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-04-01T06:00:00</CreDtTm></GrpHdr>\n"
    ]
    for currency, members in sorted(by_currency.items()):
        account = STATEMENT_ACCOUNTS.get(currency, own)
        parts.append(
            f"<Stmt><Id>BENCH-{currency}</Id><CreDtTm>2026-04-01T06:00:00</CreDtTm>"
            f"<Acct>{_account(account)}<Ccy>{currency}</Ccy></Acct>\n"
        )
        parts.extend(_entry(line) for line in members)
        parts.append("</Stmt>\n")
    parts.append("</BkToCstmrStmt></Document>\n")
    return "".join(parts).encode()


def timed(stage: str, count: Callable[[T], int], work: Callable[[], T]) -> T:
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    seconds = time.perf_counter() - started
    n = count(result)
    per_second = round(n / seconds) if seconds else None
    # CPU seconds of this process beside the wall clock: on a shared machine the wall clock
    # also counts the time other processes held the cores.
    print(
        json.dumps(
            {
                "stage": stage,
                "count": n,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "per_second": per_second,
            }
        ),
        flush=True,
    )
    return result


def ledger_balances(engine: Engine) -> dict[str, int]:
    """Σ journal lines per currency (document and base amounts): all zero when balanced."""
    query = text(
        "SELECT currency, SUM(amount_minor), SUM(base_minor) FROM journal_line GROUP BY currency"
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return {f"{c}": int(a) for c, a, _ in rows} | {f"{c}/base": int(b) for c, _, b in rows}


def load(engine: Engine, clock: FrozenClock, scenario: Scenario) -> Actor:
    sessions = session_factory(engine)
    install_company(UnitOfWork(sessions, clock), "BENCH", "Bench GmbH", "EUR")
    with UnitOfWork(sessions, clock) as uow:
        company_id = list_companies(uow)[0].id
    actor = system_actor(company_id, "bench")
    for currency, rate in RATES.items():
        set_fx_rate(UnitOfWork(sessions, clock), actor, currency, date(2024, 1, 1), rate)
    currencies = {i.customer_id: i.currency for i in scenario.invoices}
    timed(
        "import_customers",
        lambda r: r.customers,
        lambda: import_customers(
            UnitOfWork(sessions, clock), actor, customers_csv(scenario, currencies)
        ),
    )
    timed(
        "import_open_items",
        lambda r: r.invoices + r.credit_notes,
        lambda: import_open_items(UnitOfWork(sessions, clock), actor, open_items_csv(scenario)),
    )
    return actor


def prepare(args: argparse.Namespace, clock: FrozenClock) -> tuple[Engine, Actor, int, int]:
    """A database with the world loaded and the statement imported, ready for `match`:
    built from the generator, or restored from `--reuse` (then nothing is generated)."""
    if args.reuse:
        engine = restore(args.database, args.reuse)
        with UnitOfWork(session_factory(engine), clock) as uow:
            actor = system_actor(list_companies(uow)[0].id, "bench")
        with engine.connect() as connection:
            lines = connection.execute(text("SELECT count(*) FROM bank_line")).scalar_one()
            items = connection.execute(
                text("SELECT count(*) FROM open_item WHERE kind = 'invoice'")
            ).scalar_one()
        return engine, actor, int(lines), int(items)
    started = time.perf_counter()
    scenario = generate(int(args.lines * 1.03) + 10, args.invoices, args.seed)
    credits = [c.line for c in scenario.cases if c.line.amount > 0][: args.lines]
    print(
        json.dumps(
            {
                "stage": "generate",
                "count": len(credits),
                "seconds": round(time.perf_counter() - started, 2),
            }
        ),
        flush=True,
    )
    engine = fresh_engine(args.database)
    actor = load(engine, clock, scenario)
    statement = camt053(credits, scenario.own_accounts[0])
    path = Path(args.statement)
    path.write_bytes(statement)
    imported = timed(
        "import_statement",
        lambda r: r.new_lines,
        lambda: import_statement(
            UnitOfWork(session_factory(engine), clock), actor, statement, str(path)
        ),
    )
    if args.snapshot:
        engine.dispose()
        snapshot(args.database, args.snapshot)
        engine = make_engine(args.database)
    return engine, actor, imported.new_lines, len(scenario.invoices)


def run(args: argparse.Namespace) -> dict[str, Any]:
    clock = FrozenClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    engine, actor, lines, open_items = prepare(args, clock)
    sessions = session_factory(engine)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    summary = timed("match", lambda r: r.lines, lambda: match(UnitOfWork(sessions, clock), actor))
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    rows = timed("export", len, lambda: export(UnitOfWork(sessions, clock), actor))
    if args.export:
        with Path(args.export).open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(EXPORT_HEADER)
            writer.writerows(rows)
    balances = ledger_balances(engine)
    engine.dispose()
    return {
        "lines": lines,
        "open_items": open_items,
        "by_status": summary.by_status,
        "payments": summary.payments,
        "export_rows": len(rows),
        "ledger_balances": all(v == 0 for v in balances.values()),
        "journal_sums": balances,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:////tmp/o2c-cashapp-bench.db")
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument(
        "--customers", type=int, default=0, help="0 only: the world draws about invoices/30"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="", help="write cProfile stats of `match` here")
    parser.add_argument("--statement", default="/tmp/o2c-cashapp-bench.camt053.xml")
    parser.add_argument(
        "--snapshot",
        default="",
        help="after importing the statement, keep a copy of the database here (SQLite: a file; "
        "PostgreSQL: a database name) for --reuse",
    )
    parser.add_argument(
        "--reuse",
        default="",
        help="start from a --snapshot copy instead of generating and importing: only match and "
        "export run (--lines, --invoices and --seed are then the snapshot's)",
    )
    parser.add_argument("--export", default="", help="write the export CSV here (to diff runs)")
    args = parser.parse_args(argv)
    if args.customers:
        parser.error("--customers: the generator's world sets them (about invoices/30); use 0")
    result = run(args)
    print(json.dumps(result), flush=True)
    return 0 if result["ledger_balances"] else 1


if __name__ == "__main__":
    sys.exit(main())
