"""Builders for collections tests: debtors with an AR contact, invoices by days late."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from o2c.collections.running import RunReport, run_dunning
from o2c.collections.service import install_default_strategy, load_strategy
from o2c.collections.tables import CollectionAction
from o2c.db.uow import UnitOfWork
from o2c.ledger.service import PostedDocument
from o2c.parties.tables import Contact, Customer
from o2c.security.model import Actor
from tests.builders import a_customer, an_invoice

TODAY = date(2026, 3, 2)


def a_debtor(
    uow: UnitOfWork,
    actor: Actor,
    code: str = "C1",
    email: str | None = "ar@c1.example",
    attributes: dict[str, Any] | None = None,
    currency: str = "EUR",
) -> int:
    """A customer whose AR contact has `email` (none: the customer takes letters)."""
    customer_id = a_customer(uow, actor, code, currency)
    with uow:
        customer = uow.session.get(Customer, customer_id)
        assert customer is not None
        customer.attributes = attributes or {}
        customer.language = "en"
        if email:
            uow.session.add(
                Contact(
                    company_id=actor.company_id,
                    customer_id=customer_id,
                    name=f"AR of {code}",
                    email=email,
                    role="ar",
                )
            )
        uow.commit()
    return customer_id


def overdue(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    late: int,
    amount: str = "100.00",
    currency: str = "EUR",
    number: str | None = None,
) -> PostedDocument:
    """An invoice `late` days past due on TODAY (negative: due in that many days)."""
    due = TODAY - timedelta(days=late)
    return an_invoice(
        uow,
        actor,
        customer_id,
        amount,
        currency,
        on=due - timedelta(days=30),
        days=30,
        number=number,
    )


def step(
    name: str, trigger: dict[str, object], action: dict[str, object], level: int = 0
) -> dict[str, object]:
    return {"name": name, "level": level, "trigger": trigger, "action": action}


def with_steps(
    uow: UnitOfWork, actor: Actor, *steps: dict[str, object], stop_when: list[str] | None = None
) -> None:
    segment: dict[str, object] = {"name": "all", "steps": list(steps)}
    if stop_when is not None:
        segment["stop_when"] = stop_when
    load_strategy(uow, actor, {"name": "test", "segments": [segment]})


def with_default(uow: UnitOfWork, actor: Actor) -> None:
    install_default_strategy(uow, actor.company_id)


def run(uow: UnitOfWork, actor: Actor, day: date = TODAY) -> RunReport:
    return run_dunning(uow, actor, day)


def actions(uow: UnitOfWork, actor: Actor, day: date | None = None) -> list[CollectionAction]:
    with uow:
        query = select(CollectionAction).where(CollectionAction.company_id == actor.company_id)
        if day is not None:
            query = query.where(CollectionAction.as_of == day)
        return list(uow.session.scalars(query.order_by(CollectionAction.id)))


def summary(
    uow: UnitOfWork, actor: Actor, day: date | None = None
) -> list[tuple[str, str, str, str]]:
    """(step, kind, invoice numbers, status) of each action."""
    return [(a.step, a.kind, a.invoice_numbers, a.status) for a in actions(uow, actor, day)]
