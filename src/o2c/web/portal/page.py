"""What every portal page shares: the layout, the signed-in customer, and the actor that
carries a customer's own requests into the domain services.

A portal user's actor may only read (`Role.CUSTOMER`), and only its own customer's data. The
few things a customer may change about its own account (pay, dispute, promise, order, write
to AR) go through `on_behalf`, an actor with the clerk's rights but still bound to the
customer, and only after the page has checked that every row named belongs to that customer;
audit records name the portal user.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2c.app.web_auth import csrf_token
from o2c.billing.service import get_invoice
from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties.service import get_customers
from o2c.security.model import Actor, Role
from o2c.web.rendering import NavItem, render

NAV = (
    NavItem("/portal/", "Overview"),
    NavItem("/portal/invoices", "Invoices"),
    NavItem("/portal/pay", "Pay"),
    NavItem("/portal/payments", "Payments"),
    NavItem("/portal/statement", "Statement"),
    NavItem("/portal/disputes", "Disputes"),
    NavItem("/portal/orders", "Orders"),
    NavItem("/portal/messages", "Contact us"),
)


def customer_of(actor: Actor) -> int:
    """The customer a portal actor speaks for (the session guarantees there is one)."""
    if actor.customer_id is None:
        raise NotFound("customer", "of this session")
    return actor.customer_id


def on_behalf(actor: Actor) -> Actor:
    """The actor for a change the customer makes to its own account (see the module doc)."""
    return Actor(
        f"{actor.name} (portal)",
        actor.company_id,
        frozenset({Role.AR_CLERK, Role.COLLECTOR}),
        actor.user_id,
        actor.customer_id,
    )


def own_invoice(uow: UnitOfWork, actor: Actor, invoice_id: int) -> Invoice:
    """A posted invoice of the signed-in customer; anyone else's is reported as missing."""
    invoice = get_invoice(uow, actor, invoice_id)
    if invoice.customer_id != actor.customer_id or invoice.status != "posted":
        raise NotFound("invoice", invoice_id)
    return invoice


def page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """Render a portal template inside the shared layout, for the signed-in customer."""
    customer_id = customer_of(actor)
    with uow:
        customer = get_customers(uow, actor.company_id, {customer_id})[customer_id]
    return render(
        request,
        f"portal/{template}",
        {
            "area_name": "Customer portal",
            "home_url": "/portal/",
            "nav": NAV,
            "user_name": f"{actor.name} · {customer.name}",
            "logout_url": "/portal/logout",
            "csrf": csrf_token(request),
            "customer": customer,
            **context,
        },
        status_code,
    )


def field_errors(error: ValidationFailed) -> dict[str, str]:
    """Errors by field name for `forms.field`; errors without a form field go under ""."""
    found: dict[str, str] = {}
    for problem in error.errors:
        found.setdefault(problem.field.split(".", 1)[0], problem.reason)
    return found


def parse_money(text: str, currency: str, field: str) -> Money:
    """An amount typed into a form (a comma decimal separator is accepted)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed([FieldError(field, "not an amount (e.g. 120.50)")])
    return Money(value, currency)


def money(minor: int, currency: str) -> Decimal:
    """Minor units as the Decimal amount templates format with `amount`."""
    return Money.from_minor(minor, currency).amount
