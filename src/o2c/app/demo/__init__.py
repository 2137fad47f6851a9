"""The demo company: two years of a technical wholesaler's order-to-cash, loaded in one go.

`load_demo` fills an empty company (creating DEMO if `o2c init` has not) with products, price
lists, warehouses and stock, customers with addresses, contacts and IBANs, and a history of
orders, shipments, invoices, credit notes, payments, write-offs and a refund, all through the
domain services with a frozen clock moved day by day. The same seed gives the same company.
The whole load is one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from rich.progress import Progress
from sqlalchemy import Engine

from o2c.app.demo.agenda import Counts, World
from o2c.app.demo.behaviour import Profile
from o2c.app.demo.catalog import install_catalog, restock
from o2c.app.demo.customers import CAST, DemoCustomer, create_customers
from o2c.app.demo.history import run_history
from o2c.app.demo.letterhead import install_letterhead
from o2c.app.demo.logins import install_demo_logins
from o2c.app.identity import company_id_for
from o2c.app.installation import install_company
from o2c.collections.service import install_default_strategy
from o2c.credit.policy import set_policy
from o2c.credit.rules import CreditPolicy
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.kernel.errors import Conflict
from o2c.kernel.money import Money
from o2c.ledger.reports import aging
from o2c.parties.service import list_customers
from o2c.security.model import system_actor

HISTORY_DAYS = 730
OPENING_STOCK = 40
EXCEPTIONS = {"short_pays": 2, "overpayments": 1}
SLOW_PAYERS = {Profile.LATE, Profile.VERY_LATE, Profile.STOPPED}


@dataclass(frozen=True)
class DemoSummary:
    company_code: str
    counts: Counts
    open_ar: dict[str, int] = field(default_factory=dict)  # minor units per currency

    def line(self) -> str:
        """One line for the terminal: what was loaded and what is open."""
        c = self.counts
        ar = ", ".join(
            f"{Money.from_minor(minor, cur).amount:,} {cur}"
            for cur, minor in sorted(self.open_ar.items())
        )
        return (
            f"demo loaded into {self.company_code}: {c.customers} customers, {c.products} "
            f"products, {c.orders} orders, {c.invoices} invoices, {c.credit_notes} credit notes, "
            f"{c.payments} payments; open AR {ar or '0'}"
        )


def load_demo(
    engine: Engine,
    *,
    today: date,
    seed: int = 42,
    scale: float = 1.0,
    progress: Progress | None = None,
    history_days: int = HISTORY_DAYS,
) -> DemoSummary:
    """Load the demo company's master data and two years of history up to `today`.

    `scale` shrinks the catalog, the crowd of customers and how often they order (tests use
    0.1) and `history_days` the history (browser tests load a few months); the cast of
    customers with special roles is always there. Refuses a company that
    already has customers, so the demo is never loaded twice.
    """
    clock = FrozenClock()
    start = today - timedelta(days=history_days)
    clock.set_date(start - timedelta(days=7))
    uow = UnitOfWork(session_factory(engine), clock)
    installed = install_company(uow, "DEMO", "Demo Company", "EUR")
    actor = system_actor(company_id_for(uow, installed.company_code), "demo loader")
    install_default_strategy(uow, actor.company_id)
    install_letterhead(uow, actor)
    existing = list_customers(uow, actor, limit=1)[1]
    if existing:
        raise Conflict(
            f"company {installed.company_code} already has {existing} "
            f"customer{'' if existing == 1 else 's'}: "
            "the demo loads only into an empty company (delete the database to start again)"
        )
    rng = random.Random(seed)
    days = (today - start).days + 1
    task = progress.add_task("Loading the demo company", total=days + 1) if progress else None
    with uow:
        catalog = install_catalog(uow, actor, rng, scale)
        count = max(len(CAST), round(50 * scale))
        customers = create_customers(uow, actor, rng, count)
        install_demo_logins(uow, actor, min(c.id for c in customers))
        world = World(
            uow, actor, clock, rng, catalog,
            {c.id: _scaled(c, scale) for c in customers}, start, today,
            special=dict(EXCEPTIONS),
        )  # fmt: skip
        world.counts.customers, world.counts.products = len(customers), len(catalog.products)
        for product in catalog.products:
            if product.stocked:
                restock(uow, actor, product, catalog.warehouses[0], OPENING_STOCK, clock.today())
                world.available[product.id, catalog.warehouses[0]] = Decimal(OPENING_STOCK)

        def step() -> None:
            if progress is not None and task is not None:
                progress.advance(task)

        step()
        # The history predates the credit rules: they hold orders from today on.
        set_policy(uow, actor, CreditPolicy.unchecked())
        run_history(world, start, step)
        set_policy(uow, actor, CreditPolicy())
        uow.commit()
    totals: dict[str, int] = defaultdict(int)
    for row in aging(uow, actor, today):
        totals[row.currency] += row.amount_minor
    return DemoSummary(installed.company_code, world.counts, dict(totals))


def _scaled(customer: DemoCustomer, scale: float) -> DemoCustomer:
    """Order less often at a smaller scale, but slow payers at least monthly, so every aging
    bucket still has invoices in it."""
    floor = 1.0 if customer.profile in SLOW_PAYERS else 0.0
    return replace(customer, orders_per_month=max(floor, customer.orders_per_month * scale))
