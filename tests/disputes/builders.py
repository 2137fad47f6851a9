"""Builders for dispute tests: a billed customer, a posted invoice, a short pay, a deduction."""

from __future__ import annotations

from datetime import date

from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.disputes.model import DeductionCreate
from o2c.disputes.service import open_deduction
from o2c.disputes.tables import Deduction
from o2c.ledger.service import ApplyCommand, apply_items
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Role
from tests.billing.builders import a_billed_customer, a_posted_invoice, item_of, line, tax_rates
from tests.builders import a_payment


def set_up_billing(uow: UnitOfWork, actor: Actor, code: str = "C1", term: str | None = None) -> int:
    """Tax rates and one customer; returns the customer id."""
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor, code, term=term)


def a_widget_invoice(
    uow: UnitOfWork, actor: Actor, customer_id: int, quantity: str = "10", **fields: object
) -> Invoice:
    """`quantity` widgets at 10.00 + 19 % tax: 11.90 a widget."""
    return a_posted_invoice(
        uow, actor, customer_id, line("Widget", quantity, "10.00"), on=date(2026, 2, 10), **fields
    )


def short_paid(
    uow: UnitOfWork, actor: Actor, invoice: Invoice, paid: str, on: date = date(2026, 2, 20)
) -> OpenItem:
    """The customer pays `paid` of the invoice; the rest stays open on it."""
    item = item_of(uow, actor, invoice.id)
    payment = a_payment(uow, actor, invoice.customer_id, paid, on=on)
    amount = int(paid.replace(".", ""))
    apply_items(uow, actor, [ApplyCommand(item.id, payment.item_id, amount, on)])
    return item_of(uow, actor, invoice.id)


def a_deduction(
    uow: UnitOfWork, actor: Actor, item: OpenItem, amount_minor: int | None = None, **fields: object
) -> Deduction:
    command = DeductionCreate(
        customer_id=item.customer_id,
        item_id=item.id,
        amount_minor=item.open_minor if amount_minor is None else amount_minor,
        currency=item.currency,
        **fields,  # type: ignore[arg-type]
    )
    return open_deduction(uow, actor, command)


def person(actor: Actor, name: str, *roles: Role) -> Actor:
    """Another user of the same company."""
    return Actor(name, actor.company_id, frozenset(roles or {Role.ADMIN}))
