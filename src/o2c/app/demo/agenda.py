"""What the demo's history keeps between days: the agenda of things due and the counts so far.

Each event is planned when its cause happens (an order plans its shipments, an invoice its
payments) and carried out on its day, so every document is dated and audited the day it
would have been in a real company.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from o2c.app.demo.catalog import Catalog
from o2c.app.demo.customers import DemoCustomer
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.security.model import Actor


@dataclass(frozen=True)
class ShipmentDue:
    order_id: int
    customer_id: int
    quantities: dict[int, Decimal] | None  # None: everything left on the order


@dataclass(frozen=True)
class PaymentDue:
    invoice_id: int
    item_id: int
    share: Decimal | None


@dataclass(frozen=True)
class CreditDue:
    invoice_id: int
    item_id: int


@dataclass(frozen=True)
class WriteOffDue:
    item_id: int


@dataclass(frozen=True)
class RefundDue:
    payment_id: int
    amount_minor: int
    currency: str


Event = ShipmentDue | PaymentDue | CreditDue | WriteOffDue | RefundDue


@dataclass
class Counts:
    customers: int = 0
    products: int = 0
    orders: int = 0
    shipments: int = 0
    invoices: int = 0
    credit_notes: int = 0
    payments: int = 0
    write_offs: int = 0
    refunds: int = 0


def business_day(day: date) -> date:
    """The day itself, or the Monday after when it falls on a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


@dataclass
class World:
    """Everything the history's steps share: the unit of work, the actor, the frozen clock, the
    seeded generator, the master data, and the agenda of events by day."""

    uow: UnitOfWork
    actor: Actor
    clock: FrozenClock
    rng: random.Random
    catalog: Catalog
    customers: dict[int, DemoCustomer]
    start: date
    today: date
    counts: Counts = field(default_factory=Counts)
    agenda: dict[date, list[Event]] = field(default_factory=lambda: defaultdict(list))
    available: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    special: dict[str, int] = field(default_factory=dict)  # exceptions still to stage

    def plan(self, day: date, event: Event) -> None:
        """Put `event` on the agenda of `day` (the next business day), if it is not after today."""
        due = business_day(day)
        if due <= self.today:
            self.agenda[due].append(event)
