"""Order confirmation under concurrent clients: throughput, and stock that stays right.

    python -m bench.confirm --database postgresql://postgres@127.0.0.1/o2c_confirm \\
        --clients 4 --orders 2000

N draft orders (3 lines over `--products` stocked products, so clients keep meeting on the
same stock rows) are created untimed; then `--clients` processes, each with its own engine
and unit of work, confirm them through `confirm_order` (credit check, stock reserved, one
transaction per order, as API calls would), order i going to client i mod clients. Stock
covers about `--cover` of the demand, so the last orders are backordered in part and the
clients race for the last units. Afterwards the bench checks that no stock level went
negative (on hand minus reserved) and that each level's reservation equals the sum of the
confirmed lines' reserved quantities, and exits non-zero if not. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from bench.cycle import CREDIT_LIMIT, CURRENCY, in_batches
from bench.ledger import fresh_database
from bench.stages import report
from sqlalchemy import func, select

from o2c.app.installation import install_company
from o2c.app.schema import metadata
from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.inventory.service import MoveCommand, create_warehouse, receive_stock
from o2c.inventory.tables import StockLevel
from o2c.kernel.money import Money
from o2c.orders.service import OrderCreate, OrderLineCreate, confirm_order, create_order
from o2c.orders.tables import SalesOrder, SalesOrderLine
from o2c.parties.importing import import_customers
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company

LINES = 3


def prepare(url: str, args: argparse.Namespace) -> tuple[Actor, list[int]]:
    """Company, products with limited stock, customers and the draft orders (untimed)."""
    fresh_database(url)
    engine = make_engine(url)
    metadata().create_all(engine)  # the schema the code defines, whatever migrations exist
    uow = UnitOfWork(session_factory(engine))
    install_company(uow, "BENCH", "O2C Bench Inc", CURRENCY)
    with uow:
        actor = system_actor(find_company(uow, "BENCH").id, "bench")
    rng = random.Random(args.seed)
    products = [
        create_product(
            uow, actor, ProductCreate(f"P{i:04d}", f"Product {i:04d}", Money("10.00", CURRENCY))
        ).id
        for i in range(args.products)
    ]
    warehouse = create_warehouse(uow, actor, "STO", "Storage").id
    plan = [
        [(rng.choice(products), Decimal(rng.randint(1, 5))) for _ in range(LINES)]
        for _ in range(args.orders)
    ]
    demand: dict[int, Decimal] = defaultdict(Decimal)
    for lines in plan:
        for product, quantity in lines:
            demand[product] += quantity
    cover = Decimal(str(args.cover))
    for product in products:
        stocked = (demand[product] * cover).to_integral_value()
        if stocked > 0:
            receive_stock(uow, actor, MoveCommand(product, warehouse, stocked))
    rows = ["customer_id,name,currency,credit_limit"]
    rows += [f"C{i:06d},Customer {i:06d},{CURRENCY},{CREDIT_LIMIT}" for i in range(args.customers)]
    customers = list(import_customers(uow, actor, "\n".join(rows) + "\n").ids.values())
    commands = [
        OrderCreate(
            customers[i % len(customers)],
            [OrderLineCreate(product, quantity) for product, quantity in lines],
            warehouse_id=warehouse,
        )
        for i, lines in enumerate(plan)
    ]
    orders = in_batches(uow, commands, 100, lambda c: create_order(uow, actor, c).id)
    engine.dispose()
    return actor, orders


def client(url: str, actor: Actor, order_ids: list[int], start: Any, failures: Any) -> None:
    """One client: its own engine, one transaction per confirmation."""
    engine = make_engine(url)
    uow = UnitOfWork(session_factory(engine))
    failed = []
    start.wait()
    for order_id in order_ids:
        try:
            confirm_order(uow, actor, order_id)
        except Exception as exc:  # counted and shown: a failed confirmation is a finding
            failed.append(f"{order_id}: {type(exc).__name__}: {exc}")
    engine.dispose()
    failures.put(failed)


def check(url: str, actor: Actor) -> dict[str, Any]:
    """Stock never negative; each level's reservation = Σ reserved on confirmed lines."""
    engine = make_engine(url)
    with UnitOfWork(session_factory(engine)) as uow:
        levels = uow.session.execute(
            select(
                StockLevel.product_id,
                StockLevel.warehouse_id,
                StockLevel.on_hand,
                StockLevel.reserved,
            ).where(StockLevel.company_id == actor.company_id)
        ).all()
        held = {
            (p, w): q
            for p, w, q in uow.session.execute(
                select(
                    SalesOrderLine.product_id,
                    SalesOrder.warehouse_id,
                    func.sum(SalesOrderLine.quantity_reserved),
                )
                .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
                .where(SalesOrder.company_id == actor.company_id)
                .group_by(SalesOrderLine.product_id, SalesOrder.warehouse_id)
            )
        }
        statuses = dict(
            uow.session.execute(
                select(SalesOrder.status, func.count())
                .where(SalesOrder.company_id == actor.company_id)
                .group_by(SalesOrder.status)
            ).all()
        )
        short = uow.session.scalar(
            select(func.count()).where(SalesOrderLine.quantity_reserved < SalesOrderLine.quantity)
        )
    engine.dispose()
    negative = [(p, w) for p, w, on_hand, reserved in levels if on_hand - reserved < 0]
    mismatched = [
        (p, w) for p, w, _, reserved in levels if Decimal(held.get((p, w)) or 0) != reserved
    ]
    return {
        "negative_levels": len(negative),
        "reservation_mismatches": len(mismatched),
        "orders_by_status": statuses,
        "lines_backordered": short,
        "ok": not negative and not mismatched,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--cover", type=float, default=0.9, help="stock / demand per product")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    print(json.dumps({"python": sys.version.split()[0], "args": vars(args)}), flush=True)
    actor, orders = prepare(args.database, args)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(args.clients + 1)
    failures = context.Queue()
    workers = [
        context.Process(
            target=client,
            args=(args.database, actor, orders[k :: args.clients], start, failures),
        )
        for k in range(args.clients)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    failed = [line for _ in workers for line in failures.get()]
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join()
    result = check(args.database, actor)
    report(
        "confirm_concurrent",
        len(orders) - len(failed),
        seconds,
        unit="orders",
        clients=args.clients,
        failures=len(failed),
        first_failures=failed[:3],
        **result,
    )
    if failed or not result["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
