"""What every back-office page shares: the layout's context, form errors and money input."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import csrf_token
from o2c.kernel.errors import FieldError, O2CError, ValidationFailed
from o2c.kernel.money import Money
from o2c.security.model import Actor, Permission
from o2c.web.flash import FlashKind, flash
from o2c.web.rendering import NavItem, redirect, render

NAV = (
    NavItem("/app/", "Dashboard"),
    NavItem("/app/worklist", "Worklist"),
    NavItem("/app/cashapp", "Cash application"),
    NavItem("/app/disputes", "Disputes"),
    NavItem("/app/credit", "Credit holds"),
    NavItem("/app/orders", "Orders"),
    NavItem("/app/shipments", "Shipments"),
    NavItem("/app/customers", "Customers"),
    NavItem("/app/products", "Products"),
    NavItem("/app/strategy", "Strategy"),
)


def page(
    request: Request,
    actor: Actor,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """Render a back-office template inside the shared layout, for a signed-in actor."""
    return render(
        request,
        f"backoffice/{template}",
        {
            "area_name": "Back office",
            "home_url": "/app/",
            "nav": NAV,
            "user_name": actor.name,
            "logout_url": "/app/logout",
            "csrf": csrf_token(request),
            "actor": actor,
            "P": Permission,
            **context,
        },
        status_code,
    )


def done(url: str, message: str, kind: FlashKind = "success") -> RedirectResponse:
    """The redirect after a form post (PRG), carrying a flash message."""
    response = redirect(url)
    flash(response, message, kind)
    return response


def refused(url: str, error: O2CError) -> RedirectResponse:
    """A refused action: back to the page, with the reason as an error message."""
    return done(url, error.detail, "error")


def field_errors(error: ValidationFailed) -> dict[str, str]:
    """Errors by field name for `forms.field` (several on one field joined); errors without a
    field go under ""."""
    found: dict[str, list[str]] = {}
    for problem in error.errors:
        name = problem.field.split("[", 1)[0].split(".", 1)[0]
        found.setdefault(name, []).append(problem.reason)
    return {name: "; ".join(reasons) for name, reasons in found.items()}


def parse_amount(text: str, field: str) -> Decimal:
    """A decimal amount typed into a form (a comma decimal separator is accepted)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValidationFailed([FieldError(field, "not an amount")])
    return value


def money(minor: int, currency: str) -> Decimal:
    """Minor units as the Decimal amount templates format with `amount`."""
    return Money.from_minor(minor, currency).amount
