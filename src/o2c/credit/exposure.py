"""Credit exposure: what a customer (or its group) owes and has on order, in the limit's currency.

Exposure = open items (invoices less credits and unapplied cash) + confirmed orders not yet
shipped or invoiced + goods shipped but not yet invoiced. Credit sits below orders, so the
order figures come in as `OrderValue`s that orders computes; open items are read from the
ledger. Amounts in other currencies are converted with the stored rate in force on the
day (`ledger.service.rate_on`, through the base currency); a missing rate is an error, never
a silent zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from o2c.credit.model import NoExchangeRate
from o2c.credit.rules import Utilisation
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.service import rate_on
from o2c.ledger.tables import OpenItem
from o2c.parties.tables import Customer

CHUNK = 5000  # ids per IN (...), below SQLite's bound-parameter limit


@dataclass(frozen=True)
class OrderValue:
    """What one open order adds to exposure, in the order's currency, before invoicing."""

    customer_id: int
    currency: str
    unshipped_minor: int
    shipped_minor: int


@dataclass(frozen=True)
class CustomerLimit:
    id: int
    code: str
    parent_id: int | None
    currency: str
    limit_minor: int | None

    @property
    def limit(self) -> Money | None:
        return (
            None if self.limit_minor is None else Money.from_minor(self.limit_minor, self.currency)
        )


@dataclass
class Amounts:
    """Minor units per currency, by kind of exposure (of one customer or summed over a group)."""

    open_items: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ordered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Amounts) -> None:
        for mine, theirs in (
            (self.open_items, other.open_items),
            (self.ordered, other.ordered),
            (self.shipped, other.shipped),
        ):
            for currency, minor in theirs.items():
                mine[currency] += minor


@dataclass(frozen=True)
class Exposure:
    """Exposure of one customer or group in `currency` (its limit's), on `as_of`."""

    customer_ids: tuple[int, ...]
    currency: str
    open_items: Money
    ordered: Money
    shipped: Money
    limit: Money | None
    as_of: date

    @property
    def total(self) -> Money:
        return self.open_items + self.ordered + self.shipped

    @property
    def available(self) -> Money | None:
        return None if self.limit is None else self.limit - self.total

    @property
    def utilisation(self) -> Utilisation:
        return Utilisation(self.total, self.limit)

    def plus(self, extra: Money) -> Exposure:
        """The exposure once an order worth `extra` (this currency) is confirmed too."""
        return Exposure(
            self.customer_ids,
            self.currency,
            self.open_items,
            self.ordered + extra,
            self.shipped,
            self.limit,
            self.as_of,
        )


class Converter:
    """Converts amounts at the rates in force on one day, asking the ledger once per currency."""

    def __init__(self, uow: UnitOfWork, company_id: int, day: date) -> None:
        self._uow, self._company_id, self.day = uow, company_id, day
        self._rates: dict[str, Decimal] = {}

    def rate(self, currency: str) -> Decimal:
        """Units of base currency for one unit of `currency`."""
        if currency not in self._rates:
            try:
                self._rates[currency] = rate_on(self._uow, self._company_id, currency, self.day)
            except ValidationFailed:
                raise NoExchangeRate(currency, self.day.isoformat()) from None
        return self._rates[currency]

    def total(self, amounts: Mapping[str, int], currency: str) -> Money:
        """Σ of minor amounts per currency, in `currency`, rounded once at the end."""
        exact = Decimal(0)
        for source, minor in amounts.items():
            if minor == 0:
                continue
            major = Money.from_minor(minor, source).amount
            exact += (
                major if source == currency else major * self.rate(source) / self.rate(currency)
            )
        return Money(exact, currency)


def customer_limit(uow: UnitOfWork, company_id: int, customer_id: int) -> CustomerLimit:
    row = uow.session.get(Customer, customer_id)
    if row is None or row.company_id != company_id:
        raise NotFound("customer", customer_id)
    return _limit_of(row)


def _limit_of(row: Customer) -> CustomerLimit:
    return CustomerLimit(row.id, row.code, row.parent_id, row.currency, row.credit_limit_minor)


def group_of(
    uow: UnitOfWork, company_id: int, customer_id: int
) -> tuple[CustomerLimit, list[CustomerLimit]]:
    """The group's head (the top parent) and every member under it, head first.

    A customer without parent and children is a group of one.
    """
    head = customer_limit(uow, company_id, customer_id)
    seen = {head.id}
    while head.parent_id is not None and head.parent_id not in seen:
        head = customer_limit(uow, company_id, head.parent_id)
        seen.add(head.id)
    members, frontier = [head], [head.id]
    while frontier:
        children = [
            _limit_of(row)
            for row in uow.session.scalars(
                select(Customer)
                .where(Customer.company_id == company_id, Customer.parent_id.in_(frontier))
                .order_by(Customer.id)
            )
            if row.id not in {m.id for m in members}
        ]
        members += children
        frontier = [c.id for c in children]
    return head, members


def amounts_by_customer(
    uow: UnitOfWork,
    company_id: int,
    customer_ids: Collection[int] | None,
    orders: Iterable[OrderValue],
) -> dict[int, Amounts]:
    """Open item balances (from the ledger) and open order values, per customer and currency."""
    found: dict[int, Amounts] = defaultdict(Amounts)
    query = (
        select(OpenItem.customer_id, OpenItem.currency, func.sum(OpenItem.open_minor))
        .where(OpenItem.company_id == company_id, OpenItem.closed_on.is_(None))
        .group_by(OpenItem.customer_id, OpenItem.currency)
    )
    if customer_ids is None:
        batches = [query]
    else:
        wanted = sorted(set(customer_ids))
        batches = [
            query.where(OpenItem.customer_id.in_(wanted[start : start + CHUNK]))
            for start in range(0, len(wanted), CHUNK)
        ]
    for batch in batches:
        for customer_id, currency, minor in uow.session.execute(batch):
            found[customer_id].open_items[currency] += int(minor)
    for order in orders:
        amounts = found[order.customer_id]
        amounts.ordered[order.currency] += order.unshipped_minor
        amounts.shipped[order.currency] += order.shipped_minor
    return found


def measure(
    converter: Converter,
    members: Sequence[int],
    amounts: Mapping[int, Amounts],
    currency: str,
    limit: Money | None,
) -> Exposure:
    """The exposure of `members` together, in `currency`."""
    summed = Amounts()
    for customer_id in members:
        if customer_id in amounts:
            summed.add(amounts[customer_id])
    return Exposure(
        tuple(members),
        currency,
        converter.total(summed.open_items, currency),
        converter.total(summed.ordered, currency),
        converter.total(summed.shipped, currency),
        limit,
        converter.day,
    )


def limited_customers(uow: UnitOfWork, company_id: int) -> list[CustomerLimit]:
    """Every active customer with a credit limit (what reviews and utilisation look at)."""
    rows = uow.session.scalars(
        select(Customer)
        .where(
            Customer.company_id == company_id,
            Customer.credit_limit_minor.is_not(None),
            Customer.active.is_(True),
        )
        .order_by(Customer.id)
    )
    return [_limit_of(row) for row in rows]
