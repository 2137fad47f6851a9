"""Paying invoices online: choose invoices and amounts, then card or bank at the processor.

The pay form names each chosen invoice (`pay`) and its amount (`amount_<invoice id>`); a key
generated with the form makes a double submit open one checkout, not two. The checkout page
takes the card or account and hands it to the processor; a card that needs 3-D Secure goes
to the processor's page first. The money is booked when the processor's webhook arrives.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, PortalActor
from o2c.db.deps import UowDep
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.payments.checkout import (
    CheckoutCreate,
    confirm_checkout,
    find_checkout,
    get_checkout,
    refresh_checkout,
    start_checkout,
)
from o2c.payments.gateway import IntentStatus, MethodDetails, MethodKind
from o2c.payments.gateway_api import ProviderDep
from o2c.payments.model import Allocation
from o2c.web.flash import flash
from o2c.web.portal.page import customer_of, field_errors, money, page, parse_money
from o2c.web.portal.reading import customer_invoices
from o2c.web.rendering import redirect

router = APIRouter()


def _pay_page(
    request: Request,
    uow: UowDep,
    actor: PortalActor,
    chosen: dict[int, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    rows = [r for r in customer_invoices(uow, actor, customer_of(actor)) if r.open_minor > 0]
    context = {
        "title": "Pay invoices",
        "rows": rows,
        "chosen": chosen,
        "errors": errors,
        "key": uuid.uuid4().hex,
        "today": uow.clock.today(),
    }
    return page(request, uow, actor, "pay.html", context, status_code)


@router.get("/pay", response_class=HTMLResponse)
def pay_form(
    request: Request, uow: UowDep, actor: PortalActor, invoice: int | None = None
) -> HTMLResponse:
    return _pay_page(request, uow, actor, {invoice: ""} if invoice else {}, {})


@router.post("/pay", dependencies=[CsrfChecked], response_model=None)
async def pay(
    request: Request, uow: UowDep, actor: PortalActor, gateway: ProviderDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    picked = [int(str(v)) for v in form.getlist("pay") if str(v).isdigit()]
    chosen = {i: str(form.get(f"amount_{i}", "")) for i in picked}
    rows = {r.invoice.id: r for r in customer_invoices(uow, actor, customer_of(actor))}
    try:
        if not chosen:
            raise ValidationFailed([FieldError("pay", "choose at least one invoice")])
        allocations = []
        for invoice_id, text in chosen.items():
            row = rows.get(invoice_id)
            currency = row.invoice.currency if row else "EUR"
            amount = parse_money(text, currency, f"amount_{invoice_id}")
            allocations.append(Allocation(invoice_id, amount))
        checkout = start_checkout(
            uow,
            actor,
            gateway,
            CheckoutCreate(
                customer_of(actor),
                allocations,
                str(form.get("key", ""))[:100] or uuid.uuid4().hex,
                f"{request.base_url}portal/checkout",
            ),
        )
    except ValidationFailed as error:
        errors = field_errors(error)
        errors.update(_allocation_errors(error, list(chosen)))
        return _pay_page(request, uow, actor, chosen, errors, 422)
    return redirect(f"/portal/checkout/{checkout.id}")


def _allocation_errors(error: ValidationFailed, chosen: list[int]) -> dict[str, str]:
    """`allocations[i].amount` belongs to the amount field of the i-th chosen invoice; any
    other problem of an allocation is shown above the table, naming the invoice."""
    found: dict[str, str] = {}
    for problem in error.errors:
        head, _, tail = problem.field.partition("].")
        if not head.startswith("allocations[") or not head[12:].isdigit():
            continue
        invoice_id = chosen[int(head[12:])]
        if tail == "amount":
            found.setdefault(f"amount_{invoice_id}", problem.reason)
        else:
            found.setdefault("pay", f"invoice {invoice_id}: {problem.reason}")
    return found


@router.get("/checkout")
def returned(
    uow: UowDep, actor: PortalActor, gateway: ProviderDep, payment_intent: str
) -> RedirectResponse:
    """Back from the processor's page: on to the checkout it was about."""
    checkout = find_checkout(uow, actor, gateway.name, payment_intent[:120])
    refresh_checkout(uow, actor, gateway, checkout.id)
    return redirect(f"/portal/checkout/{checkout.id}")


@router.get("/checkout/{checkout_id}", response_class=HTMLResponse)
def checkout_page(
    request: Request, uow: UowDep, actor: PortalActor, checkout_id: int
) -> HTMLResponse:
    checkout = get_checkout(uow, actor, checkout_id)
    rows = {r.invoice.id: r for r in customer_invoices(uow, actor, customer_of(actor))}
    context = {
        "title": "Payment",
        "checkout": checkout,
        "invoices": [
            (rows.get(int(a["invoice_id"])), a["amount_minor"]) for a in checkout.allocations
        ],
        "payable": IntentStatus(checkout.status)
        in (IntentStatus.REQUIRES_PAYMENT_METHOD, IntentStatus.FAILED),
        "money": money,
        "errors": {},
    }
    return page(request, uow, actor, "checkout.html", context)


@router.post("/checkout/{checkout_id}", dependencies=[CsrfChecked])
def confirm(
    uow: UowDep,
    actor: PortalActor,
    gateway: ProviderDep,
    checkout_id: int,
    method: Annotated[MethodKind, Form()],
    number: Annotated[str, Form(max_length=40)] = "",
    iban: Annotated[str, Form(max_length=40)] = "",
    holder: Annotated[str, Form(max_length=100)] = "",
    expiry: Annotated[str, Form(max_length=7)] = "",
    cvc: Annotated[str, Form(max_length=4)] = "",
) -> RedirectResponse:
    """Hand the card or account to the processor; on to 3-D Secure, or back with the answer."""
    account = number if method is MethodKind.CARD else iban
    details = MethodDetails(method, account, holder, expiry, cvc)
    _, intent = confirm_checkout(uow, actor, gateway, checkout_id, details)
    if intent.action_url:
        return redirect(intent.action_url)
    response = redirect(f"/portal/checkout/{checkout_id}")
    if intent.status is IntentStatus.SUCCEEDED:
        flash(response, "Thank you: your payment was received and applied.")
    elif intent.status is IntentStatus.PROCESSING:
        flash(response, "Your bank debit was accepted; it settles in a few days.", "info")
    else:
        reason = (intent.decline_code or "declined").replace("_", " ")
        flash(response, f"The payment was declined ({reason}). Try another card.", "error")
    return response
