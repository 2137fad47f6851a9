"""One order-to-cash cycle, timed stage by stage, beside the Tryton peer harness.

    python -m bench.cycle --database sqlite:////work/var/cycle.db \\
        --customers 500 --orders 2000 --lines-per-order 3
    python -m bench.cycle --database postgresql://postgres@127.0.0.1/o2c_cycle \\
        --customers 5000 --orders 20000 --lines-per-order 3

The same cycle as `shared/peers/tryton/bench.py` (see its README), through o2c's services:

  1_sale_orders      create_order, confirm_order (credit check, stock reserved) and
                     create_shipment (the pick list; Tryton's queued sale.process makes it)
  2_shipments        ship: stock out of the reservation, the order counts it shipped
  3_post_invoices    the billing run (`o2c invoice bill-shipments`): each shipment's invoice
                     drafted at the order's prices, order and shipment marked invoiced, and
                     the batch posted set-based (numbers, journal entries, open items)
  4_bank_statements  CSV bank files like the harness's (`INV <number>`, full and 50 %
                     payments, transfers naming two invoices) imported with
                     `import_statement`, matched and posted by the cash-application run
                     (`match`); what it leaves in the exception queue a clerk settles with
                     `match_manually`, as Tryton's harness splits combined transfers by hand
  5_aged_balance     ledger aging as of today + 45 days
  6_dunning_create   the collections dunning run as of today + 45 days

Each batch of `--batch` documents is one transaction (the services' units of work nest), as
the harness runs one Tryton button per batch. Master data (company, chart, a 10 % tax,
terms due on receipt / net 15 / 30 / 60 round-robin, customers with a credit limit no order
reaches (`CREDIT_LIMIT`), products, stock, the dunning strategy) is set up untimed. The
database is emptied first (a SQLite file deleted, a PostgreSQL database dropped and created).
Prints one JSON line per stage with the harness's keys: stage, count, unit, seconds,
per_second, and `cpu_seconds`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from bench.ledger import fresh_database
from bench.stages import report, timed
from sqlalchemy import func, select

from o2c.app.installation import install_company
from o2c.app.schema import metadata
from o2c.billing.service import invoice_shipments, shipments_to_bill
from o2c.billing.tables import Invoice
from o2c.cashapp.model import LineStatus
from o2c.cashapp.service import import_statement, match, match_manually
from o2c.cashapp.tables import BankLineRow
from o2c.catalog.model import ProductCreate
from o2c.catalog.payment_terms import create_payment_terms
from o2c.catalog.service import create_product, set_tax_rate
from o2c.collections.running import run_dunning
from o2c.collections.service import install_default_strategy
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.formats.csvbank import ColumnMapping
from o2c.inventory.service import MoveCommand, create_warehouse, receive_stock
from o2c.kernel.clock import FrozenClock
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.reports import aging, open_items_on
from o2c.ledger.tables import OpenItem
from o2c.orders.service import OrderCreate, OrderLineCreate, confirm_order, create_order
from o2c.parties.importing import import_customers
from o2c.parties.tables import Customer
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company
from o2c.shipping.service import create_shipment, ship

T = TypeVar("T")
R = TypeVar("R")
CURRENCY = "USD"
TERMS = ("NET0", "NET15", "NET30", "NET60")
TAX = "sales10"
# A credit limit no order reaches, so the check runs and passes, as the harness sets 1e9.
# (customer.credit_limit_minor is a 32-bit INTEGER column: 1e9 dollars does not fit.)
CREDIT_LIMIT = "10000000"
BANK_ACCOUNT = "US-BENCH-0001"
BANK_CSV = ColumnMapping(
    date="date",
    amount="amount",
    reference="number",
    name="party",
    text=("description",),
    default_currency=CURRENCY,
    statement_account=BANK_ACCOUNT,
    delimiter=",",
)
INVOICE_IN_TEXT = re.compile(r"INV (\S+)")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cpu_since(start: float) -> float:
    """CPU seconds of this process since `start` (`time.process_time()`): on a shared machine
    the wall clock also counts other processes' turns; on SQLite this is all the work."""
    return round(time.process_time() - start, 3)


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def in_batches(uow: UnitOfWork, items: Sequence[T], size: int, work: Callable[[T], R]) -> list[R]:
    """`work` over `items`, one transaction per batch: the services' units of work nest, so
    only this block commits, as one Tryton button click commits its selection."""
    results: list[R] = []
    for batch in chunks(items, size):
        with uow:
            results += [work(item) for item in batch]
            uow.commit()
    return results


@dataclass
class World:
    uow: UnitOfWork
    clock: FrozenClock
    actor: Actor
    today: date
    warehouse_id: int
    customer_ids: list[int]
    product_ids: list[int]


def setup(uow: UnitOfWork, clock: FrozenClock, args: argparse.Namespace) -> World:
    """Master data, untimed, through the services and the customer import."""
    install_company(uow, "BENCH", "O2C Bench Inc", CURRENCY)
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    set_tax_rate(uow, actor, TAX, "Sales tax 10%", Decimal(10))
    create_payment_terms(uow, actor, ["NET0"])
    rng = random.Random(args.seed)
    products = []
    for i in range(args.products):
        price = money(Decimal(str(rng.uniform(5, 200))))
        command = ProductCreate(
            f"P{i:04d}", f"Product {i:04d}", Money(price, CURRENCY), tax_category=TAX
        )
        products.append(create_product(uow, actor, command).id)
    warehouse = create_warehouse(uow, actor, "STO", "Storage").id
    quantity = Decimal(args.orders * args.lines_per_order * 5 + 100)
    for product in products:
        receive_stock(uow, actor, MoveCommand(product, warehouse, quantity))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_id", "name", "currency", "credit_limit", "payment_terms"])
    for i in range(args.customers):
        name = f"Customer {i:06d}"
        writer.writerow([f"C{i:06d}", name, CURRENCY, CREDIT_LIMIT, TERMS[i % len(TERMS)]])
    result = import_customers(uow, actor, out.getvalue())
    install_default_strategy(uow, actor.company_id)
    customers = [result.ids[f"C{i:06d}"] for i in range(args.customers)]
    return World(uow, clock, actor, clock.today(), warehouse, customers, products)


def stage_orders(world: World, args: argparse.Namespace) -> list[int]:
    """Orders created, confirmed (credit check, reservation) and their shipments planned."""
    cpu = time.process_time()
    rng = random.Random(args.seed)
    plan = [
        OrderCreate(
            world.customer_ids[i % len(world.customer_ids)],
            [
                OrderLineCreate(rng.choice(world.product_ids), Decimal(rng.randint(1, 5)))
                for _ in range(args.lines_per_order)
            ],
            warehouse_id=world.warehouse_id,
        )
        for i in range(args.orders)
    ]

    def place(command: OrderCreate) -> int:
        order = create_order(world.uow, world.actor, command)
        confirm_order(world.uow, world.actor, order.id)
        return create_shipment(world.uow, world.actor, order.id).id

    shipments, seconds = timed(lambda: in_batches(world.uow, plan, args.batch, place))
    lines = args.orders * args.lines_per_order
    report(
        "1_sale_orders",
        args.orders,
        seconds,
        cpu_seconds=cpu_since(cpu),
        unit="orders",
        order_lines=lines,
        lines_per_second=round(lines / seconds, 2),
    )
    return shipments


def stage_shipments(world: World, args: argparse.Namespace, shipment_ids: list[int]) -> None:
    cpu = time.process_time()

    def send(shipment_id: int) -> int:
        return len(ship(world.uow, world.actor, shipment_id).lines)

    moves, seconds = timed(lambda: in_batches(world.uow, shipment_ids, args.batch, send))
    report(
        "2_shipments",
        len(shipment_ids),
        seconds,
        cpu_seconds=cpu_since(cpu),
        unit="shipments",
        moves=sum(moves),
    )


def stage_invoices(world: World, args: argparse.Namespace) -> None:
    """The billing run as `o2c invoice bill-shipments` runs it, `--batch` shipments a go."""
    cpu = time.process_time()

    def run() -> int:
        billed = 0
        while batch := shipments_to_bill(world.uow, world.actor, args.batch):
            billed += len(invoice_shipments(world.uow, world.actor, batch))
        return billed

    invoices, seconds = timed(run)
    report(
        "3_post_invoices",
        invoices,
        seconds,
        cpu_seconds=cpu_since(cpu),
        unit="invoices",
        posted=invoices,
    )


@dataclass(frozen=True)
class Posted:
    number: str
    customer_id: int
    name: str
    total: Decimal


def posted_invoices(world: World) -> list[Posted]:
    with world.uow:
        rows = world.uow.session.execute(
            select(Invoice.number, Invoice.customer_id, Customer.name, Invoice.total_minor)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.company_id == world.actor.company_id, Invoice.status == "posted")
            .order_by(Invoice.id)
        ).all()
    return [Posted(n, c, name, Decimal(t).scaleb(-2)) for n, c, name, t in rows]


def bank_files(world: World, args: argparse.Namespace) -> tuple[list[bytes], dict[str, int]]:
    """What the bank sends, as the harness draws it: CSV lines paying the posted invoices."""
    info = posted_invoices(world)
    rng = random.Random(args.seed + 1)
    rng.shuffle(info)
    n = len(info)
    n_unpaid, n_partial = int(n * args.unpaid_ratio), int(n * args.partial_ratio)
    paying = info[n_unpaid:]
    partial, rest = paying[:n_partial], paying[n_partial:]
    by_party: dict[int, list[Posted]] = defaultdict(list)
    for item in rest:
        by_party[item.customer_id].append(item)
    combined_target = int(n * args.combined_ratio)
    combined: list[tuple[Posted, Posted]] = []
    single: list[Posted] = []
    for items in by_party.values():
        while len(items) >= 2 and len(combined) * 2 < combined_target:
            combined.append((items.pop(), items.pop()))
        single.extend(items)
    rows = [(p.total, p.name, f"INV {p.number}") for p in single]
    fraction = Decimal(args.partial_fraction)
    rows += [(money(p.total * fraction), p.name, f"INV {p.number}") for p in partial]
    rows += [(a.total + b.total, a.name, f"INV {a.number} INV {b.number}") for a, b in combined]
    rng.shuffle(rows)
    files = []
    for k, batch in enumerate(chunks(rows, args.statement_lines)):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["number", "date", "amount", "party", "description"])
        for j, (amount, name, text) in enumerate(batch):
            writer.writerow([f"{k}-{j:05d}", world.today.isoformat(), str(amount), name, text])
        files.append(out.getvalue().encode())
    mix = {
        "invoices": n,
        "unpaid": n_unpaid,
        "partial": len(partial),
        "full_single": len(single),
        "combined_transfers": len(combined),
        "combined_invoices": 2 * len(combined),
        "bank_lines": len(rows),
        "statements": len(files),
    }
    return files, mix


def settle_by_hand(world: World) -> int:
    """The clerk's queue: each line the run left waiting is matched to the invoices its text
    names, each paid in full while the cash lasts (a partial payment stays partly open)."""
    uow, actor = world.uow, world.actor
    with uow:
        waiting = uow.session.execute(
            select(BankLineRow.id, BankLineRow.remittance_text, BankLineRow.amount_minor).where(
                BankLineRow.company_id == actor.company_id,
                BankLineRow.status.in_([LineStatus.SUGGESTED.value, LineStatus.UNMATCHED.value]),
            )
        ).all()
        numbers = sorted({n for _, text, _ in waiting for n in INVOICE_IN_TEXT.findall(text)})
        items = {
            number: (item_id, open_minor)
            for number, item_id, open_minor in uow.session.execute(
                select(OpenItem.document_number, OpenItem.id, OpenItem.open_minor).where(
                    OpenItem.company_id == actor.company_id,
                    OpenItem.kind == ItemKind.INVOICE.value,
                    OpenItem.document_number.in_(numbers),
                )
            )
        }
    plans = []
    for line_id, text, amount in waiting:
        allocations = []
        for number in INVOICE_IN_TEXT.findall(text):
            item_id, open_minor = items[number]
            take = min(open_minor, amount)
            if take > 0:
                allocations.append((item_id, take))
                amount -= take
        plans.append((line_id, allocations))

    def settle(plan: tuple[int, list[tuple[int, int]]]) -> None:
        match_manually(uow, actor, plan[0], plan[1])

    in_batches(uow, plans, 100, settle)
    return len(plans)


def stage_statements(world: World, args: argparse.Namespace) -> None:
    cpu = time.process_time()
    files, mix = bank_files(world, args)
    timings: dict[str, float] = defaultdict(float)
    runs: Counter[str] = Counter()
    start = time.perf_counter()
    for k, data in enumerate(files):
        _, seconds = timed(
            lambda data=data, k=k: import_statement(
                world.uow, world.actor, data, f"bank-{k:03d}.csv", BANK_CSV
            )
        )
        timings["import"] += seconds
        summary, seconds = timed(lambda: match(world.uow, world.actor))
        timings["match_and_post"] += seconds
        runs.update(summary.by_status)
    manual, seconds = timed(lambda: settle_by_hand(world))
    timings["manual_match"] += seconds
    total = time.perf_counter() - start
    with world.uow:
        statuses = dict(
            world.uow.session.execute(
                select(BankLineRow.status, func.count())
                .where(BankLineRow.company_id == world.actor.company_id)
                .group_by(BankLineRow.status)
            ).all()
        )
    report(
        "4_bank_statements",
        mix["bank_lines"],
        total,
        cpu_seconds=cpu_since(cpu),
        unit="bank_lines",
        invoices_settled=mix["partial"] + mix["full_single"] + mix["combined_invoices"],
        auto_matched_lines=sum(runs[s] for s in ("applied", "deduction", "on_account")),
        manually_matched_lines=manual,
        match_run_statuses=dict(runs),
        line_statuses=statuses,
        mix=mix,
        breakdown={k: round(v, 3) for k, v in timings.items()},
    )


def stage_aging(world: World, args: argparse.Namespace) -> None:
    cpu = time.process_time()
    as_of = world.today + timedelta(days=args.aging_offset)
    items = len(open_items_on(world.uow, world.actor, as_of))
    rows, seconds = timed(lambda: aging(world.uow, world.actor, as_of))
    buckets: dict[str, int] = defaultdict(int)
    for row in rows:
        buckets[row.bucket] += row.amount_minor
    report(
        "5_aged_balance",
        items,
        seconds,
        cpu_seconds=cpu_since(cpu),
        unit="open_receivable_lines",
        as_of=as_of.isoformat(),
        parties=len({r.customer_id for r in rows}),
        total_receivable=str(Decimal(sum(buckets.values())).scaleb(-2)),
        buckets={k: str(Decimal(v).scaleb(-2)) for k, v in buckets.items()},
    )


def stage_dunning(world: World, args: argparse.Namespace) -> None:
    cpu = time.process_time()
    as_of = world.today + timedelta(days=args.aging_offset)
    world.clock.set_date(as_of)
    result, seconds = timed(lambda: run_dunning(world.uow, world.actor, as_of))
    report(
        "6_dunning_create",
        result.actions,
        seconds,
        cpu_seconds=cpu_since(cpu),
        unit="dunning_actions",
        as_of=as_of.isoformat(),
        customers=result.customers,
        by_kind=dict(result.by_kind),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--lines-per-order", type=int, default=3)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100, help="documents per transaction")
    parser.add_argument("--statement-lines", type=int, default=500)
    parser.add_argument("--unpaid-ratio", type=float, default=0.30)
    parser.add_argument("--partial-ratio", type=float, default=0.10)
    parser.add_argument("--partial-fraction", default="0.5")
    parser.add_argument("--combined-ratio", type=float, default=0.20)
    parser.add_argument("--aging-offset", type=int, default=45)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    fresh_database(args.database)
    engine = make_engine(args.database)
    metadata().create_all(engine)  # the schema the code defines, whatever migrations exist
    clock = FrozenClock()
    clock.set_date(datetime.now(UTC).date())  # today, as the harness's documents
    uow = UnitOfWork(session_factory(engine), clock)
    info: dict[str, Any] = {"database": engine.dialect.name, "python": sys.version.split()[0]}
    print(json.dumps({**info, "args": vars(args)}), flush=True)
    world, seconds = timed(lambda: setup(uow, clock, args))
    report("0_setup_master_data", args.customers + args.products, seconds, unit="parties+products")
    start, cpu = time.perf_counter(), time.process_time()
    shipments = stage_orders(world, args)
    stage_shipments(world, args, shipments)
    stage_invoices(world, args)
    stage_statements(world, args)
    stage_aging(world, args)
    stage_dunning(world, args)
    report(
        "total_o2c",
        args.orders,
        time.perf_counter() - start,
        cpu_seconds=cpu_since(cpu),
        unit="orders",
    )
    engine.dispose()


if __name__ == "__main__":
    main()
