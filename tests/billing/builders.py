"""Builders for billing tests: tax rates, customers with terms, draft and posted invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from o2c.billing.model import InvoiceCreate, LineCreate
from o2c.billing.service import create_invoice, invoice_items, post_invoice
from o2c.billing.tables import Invoice
from o2c.catalog.service import create_payment_term, set_tax_rate
from o2c.db.uow import UnitOfWork
from o2c.ledger.tables import OpenItem
from o2c.parties.model import CustomerCreate
from o2c.parties.service import create_customer
from o2c.security.model import Actor


def tax_rates(uow: UnitOfWork, actor: Actor) -> None:
    """standard 19 %, reduced 7 %, and an exempt zero rate with its legal reason."""
    set_tax_rate(uow, actor, "standard", "Standard rate", Decimal("19"))
    set_tax_rate(uow, actor, "reduced", "Reduced rate", Decimal("7"))
    set_tax_rate(uow, actor, "exempt", "Exempt", Decimal("0"), "Intra-community supply")


def a_billed_customer(
    uow: UnitOfWork,
    actor: Actor,
    code: str = "C1",
    currency: str = "EUR",
    term: str | None = None,
) -> int:
    if term is not None:
        create_payment_term(uow, actor, term)
    customer = create_customer(
        uow,
        actor,
        CustomerCreate(code=code, name=f"Customer {code}", currency=currency, payment_term=term),
    )
    return customer.id


def line(
    description: str = "Widget",
    quantity: str = "1",
    price: str = "100.00",
    tax: str = "standard",
    discount_percent: str = "0",
) -> LineCreate:
    return LineCreate(
        description,
        Decimal(quantity),
        Decimal(price),
        tax_category=tax,
        discount_percent=Decimal(discount_percent),
    )


def a_draft(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    *lines: LineCreate,
    on: date = date(2026, 2, 10),
    **fields: Any,
) -> Invoice:
    command = InvoiceCreate(customer_id, list(lines) or [line()], issue_date=on, **fields)
    return create_invoice(uow, actor, command)


def a_posted_invoice(
    uow: UnitOfWork, actor: Actor, customer_id: int, *lines: LineCreate, **fields: Any
) -> Invoice:
    draft = a_draft(uow, actor, customer_id, *lines, **fields)
    return post_invoice(uow, actor, draft.id)


def item_of(uow: UnitOfWork, actor: Actor, invoice_id: int) -> OpenItem:
    """The open item a posted invoice or credit note left in the ledger."""
    with uow:
        return invoice_items(uow, actor.company_id, [invoice_id])[invoice_id]
