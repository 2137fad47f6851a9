"""Read models of collections: the day's actions as the contract prints them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from o2c.collections.tables import CollectionAction
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.security.model import Actor, Permission

ACTIONS_HEADER = (
    "customer_id",
    "action",
    "level",
    "channel",
    "invoice_numbers",
    "amount",
    "currency",
    "status",
)


def actions_of(
    uow: UnitOfWork, actor: Actor, as_of: date, customer_id: int | None = None
) -> list[CollectionAction]:
    """The actions recorded for a day, in the order they were decided."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        query = select(CollectionAction).where(
            CollectionAction.company_id == actor.company_id, CollectionAction.as_of == as_of
        )
        if customer_id is not None:
            query = query.where(CollectionAction.customer_id == customer_id)
        return list(uow.session.scalars(query.order_by(CollectionAction.id)))


def action_rows(uow: UnitOfWork, actor: Actor, as_of: date) -> list[tuple[object, ...]]:
    """One row per action of the day, as `o2c collections actions --format csv` prints it."""
    return [
        (
            a.customer_id,
            a.kind,
            a.level,
            a.channel,
            a.invoice_numbers,
            Money.from_minor(a.amount_minor, a.currency).amount,
            a.currency,
            a.status,
        )
        for a in actions_of(uow, actor, as_of)
    ]
