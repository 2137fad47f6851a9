"""Autopay and instalment plans set up by the customer: a card kept at the processor, and an
invoice (or the whole open balance) split into dated instalments, charged when due if a
card is chosen."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, PortalActor
from o2c.db.deps import UowDep
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.payments.gateway import MethodDetails, MethodKind
from o2c.payments.gateway_api import ProviderDep
from o2c.payments.plans import PlanCreate, create_payment_plan, instalments, list_payment_plans
from o2c.payments.stored_methods import customer_methods, store_card
from o2c.security.model import Actor
from o2c.web.flash import flash
from o2c.web.portal.page import customer_of, field_errors, money, on_behalf, own_invoice, page
from o2c.web.portal.reading import customer_invoices
from o2c.web.rendering import redirect

router = APIRouter()
MAX_INSTALMENTS = 12


def _plans_page(
    request: Request,
    uow: UowDep,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    customer_id = customer_of(actor)
    plans, _ = list_payment_plans(uow, actor, customer_id=customer_id)
    context = {
        "title": "Autopay and instalment plans",
        "plans": [(p, instalments(uow, actor, p.id)) for p in plans],
        "methods": customer_methods(uow, actor, customer_id),
        "rows": [r for r in customer_invoices(uow, actor, customer_id) if r.open_minor > 0],
        "values": values,
        "errors": errors,
        "money": money,
        "max_instalments": MAX_INSTALMENTS,
    }
    return page(request, uow, actor, "plans.html", context, status_code)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request, uow: UowDep, actor: PortalActor, invoice: int | None = None
) -> HTMLResponse:
    values = {"invoice": str(invoice or ""), "instalments": "3", "first_due": ""}
    return _plans_page(request, uow, actor, values, {})


@router.post("/plans/card", dependencies=[CsrfChecked], response_model=None)
def add_card(
    request: Request,
    uow: UowDep,
    actor: PortalActor,
    gateway: ProviderDep,
    number: Annotated[str, Form(max_length=40)],
    holder: Annotated[str, Form(max_length=100)] = "",
    expiry: Annotated[str, Form(max_length=7)] = "",
) -> HTMLResponse | RedirectResponse:
    details = MethodDetails(MethodKind.CARD, number, holder, expiry)
    try:
        method = store_card(uow, on_behalf(actor), gateway, customer_of(actor), details)
    except ValidationFailed as error:
        return _plans_page(request, uow, actor, {}, field_errors(error), 422)
    response = redirect("/portal/plans")
    flash(response, f"{method.label} saved for autopay.")
    return response


@router.post("/plans", dependencies=[CsrfChecked], response_model=None)
def create_plan(
    request: Request,
    uow: UowDep,
    actor: PortalActor,
    instalments_count: Annotated[str, Form(alias="instalments", max_length=3)],
    first_due: Annotated[str, Form(max_length=10)],
    invoice: Annotated[str, Form(max_length=20)] = "",
    method: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse | RedirectResponse:
    values = {"invoice": invoice, "instalments": instalments_count, "first_due": first_due}
    values["method"] = method
    customer_id = customer_of(actor)
    try:
        invoice_id = own_invoice(uow, actor, int(invoice)).id if invoice.isdigit() else None
        rows = [r for r in customer_invoices(uow, actor, customer_id) if r.open_minor > 0]
        chosen = [r for r in rows if invoice_id is None or r.invoice.id == invoice_id]
        errors = []
        if not chosen:
            errors.append(FieldError("invoice", "nothing is open to plan"))
        count = int(instalments_count) if instalments_count.isdigit() else 0
        if not 2 <= count <= MAX_INSTALMENTS:
            errors.append(FieldError("instalments", f"2 to {MAX_INSTALMENTS} instalments"))
        try:
            due = date.fromisoformat(first_due)
        except ValueError:
            errors.append(FieldError("first_due", "a date (YYYY-MM-DD)"))
        if errors:
            raise ValidationFailed(errors)
        plan = create_payment_plan(
            uow,
            on_behalf(actor),
            PlanCreate(
                customer_id,
                chosen[0].invoice.currency,
                count,
                due,
                invoice_id,
                payment_method_id=int(method) if method.isdigit() else None,
            ),
        )
    except ValidationFailed as error:
        return _plans_page(request, uow, actor, values, field_errors(error), 422)
    response = redirect("/portal/plans")
    autopay = " and charged to your card when due" if plan.payment_method_id else ""
    flash(response, f"Your plan of {count} instalments is set up{autopay}.")
    return response
