"""The credit check of one customer: gather the figures the rules need and evaluate them.

Orders calls this with the open order values of the customer's group (credit never reads
orders) and, at confirmation, the order being confirmed, which then counts as ordered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from o2c.credit.exposure import (
    Converter,
    CustomerLimit,
    Exposure,
    OrderValue,
    amounts_by_customer,
    measure,
)
from o2c.credit.policy import policy_of
from o2c.credit.rules import CreditFacts, RuleFailure, evaluate
from o2c.credit.scores import risk_of, score_row
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.ledger.model import DEBIT_KINDS
from o2c.ledger.tables import OpenItem


@dataclass(frozen=True)
class CustomerExposure:
    """A customer's exposure and, when it belongs to a group, the group's."""

    customer: Exposure
    group: Exposure | None


@dataclass(frozen=True)
class CreditCheck:
    exposure: CustomerExposure
    days_past_due: int
    failures: list[RuleFailure]


def customer_exposure(
    uow: UnitOfWork,
    company_id: int,
    customer_id: int,
    members: Sequence[CustomerLimit],
    orders: Sequence[OrderValue],
    as_of: date,
) -> CustomerExposure:
    """Exposure of `customer_id` and of its group `members` (head first), on `as_of`."""
    amounts = amounts_by_customer(uow, company_id, [m.id for m in members], orders)
    converter = Converter(uow, company_id, as_of)
    [customer] = [m for m in members if m.id == customer_id]
    own = measure(converter, [customer_id], amounts, customer.currency, customer.limit)
    if len(members) == 1:
        return CustomerExposure(own, None)
    head = members[0]
    group = measure(converter, [m.id for m in members], amounts, head.currency, head.limit)
    return CustomerExposure(own, group)


def check_customer(
    uow: UnitOfWork,
    company_id: int,
    customer_id: int,
    members: Sequence[CustomerLimit],
    orders: Sequence[OrderValue],
    as_of: date,
    adding: Money | None = None,
) -> CreditCheck:
    """Evaluate the company's rules for the customer, with `adding` (an order) on top."""
    exposure = customer_exposure(uow, company_id, customer_id, members, orders, as_of)
    if adding is not None:
        converter = Converter(uow, company_id, as_of)
        own, group = exposure.customer, exposure.group
        exposure = CustomerExposure(
            own.plus(converter.total({adding.currency: adding.minor}, own.currency)),
            None
            if group is None
            else group.plus(converter.total({adding.currency: adding.minor}, group.currency)),
        )
    days = days_past_due(uow, company_id, customer_id, as_of)
    score = score_row(uow, company_id, customer_id)
    facts = CreditFacts(
        customer=exposure.customer.utilisation,
        group=None if exposure.group is None else exposure.group.utilisation,
        days_past_due=days,
        risk_class=risk_of(score),
        broken_promises=0 if score is None else score.broken_promises,
    )
    return CreditCheck(exposure, days, evaluate(policy_of(uow, company_id), facts))


def days_past_due(uow: UnitOfWork, company_id: int, customer_id: int, as_of: date) -> int:
    """How many days the customer's oldest open invoice is past due on `as_of` (0 if none)."""
    oldest = uow.session.scalar(
        select(func.min(OpenItem.due_date)).where(
            OpenItem.company_id == company_id,
            OpenItem.customer_id == customer_id,
            OpenItem.closed_on.is_(None),
            OpenItem.kind.in_([k.value for k in DEBIT_KINDS]),
            OpenItem.open_minor > 0,
        )
    )
    return 0 if oldest is None else max(0, (as_of - oldest).days)
