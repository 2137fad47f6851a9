"""The customer's word to AR: a promise to pay, and messages to the AR team."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, PortalActor
from o2c.collections.model import PromiseCreate
from o2c.collections.promises import list_promises, record_promise
from o2c.db.deps import UowDep
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.parties.messages import FROM_CUSTOMER, messages, send_message
from o2c.security.model import Actor
from o2c.web.flash import flash
from o2c.web.portal.page import customer_of, field_errors, money, on_behalf, page, parse_money
from o2c.web.portal.reading import customer_invoices
from o2c.web.rendering import redirect

router = APIRouter()


def _promise_page(
    request: Request,
    uow: UowDep,
    actor: Actor,
    values: dict[str, str],
    chosen: set[int],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    customer_id = customer_of(actor)
    rows = [r for r in customer_invoices(uow, actor, customer_id) if r.open_minor > 0]
    promises = list_promises(uow, actor, customer_id=customer_id)
    context = {
        "title": "Promise to pay",
        "rows": rows,
        "chosen": chosen,
        "values": values,
        "errors": errors,
        "promises": promises,
        "money": money,
    }
    return page(request, uow, actor, "promise.html", context, status_code)


@router.get("/promise", response_class=HTMLResponse)
def promise_form(
    request: Request, uow: UowDep, actor: PortalActor, invoice: int | None = None
) -> HTMLResponse:
    values = {"pay_by": uow.clock.today().isoformat()}
    return _promise_page(request, uow, actor, values, {invoice} if invoice else set(), {})


@router.post("/promise", dependencies=[CsrfChecked], response_model=None)
async def promise(
    request: Request, uow: UowDep, actor: PortalActor
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    chosen = {int(str(v)) for v in form.getlist("invoice") if str(v).isdigit()}
    values = {k: str(form.get(k, "")) for k in ("amount", "pay_by", "note")}
    rows = {r.invoice.id: r for r in customer_invoices(uow, actor, customer_of(actor))}
    try:
        picked = [rows[i] for i in sorted(chosen) if i in rows and rows[i].item_id]
        if not picked:
            raise ValidationFailed([FieldError("invoice", "choose at least one open invoice")])
        currency = picked[0].invoice.currency
        amount = parse_money(values["amount"], currency, "amount")
        try:
            pay_by = date.fromisoformat(values["pay_by"])
        except ValueError:
            raise ValidationFailed([FieldError("pay_by", "a date (YYYY-MM-DD)")]) from None
        record_promise(
            uow,
            on_behalf(actor),
            PromiseCreate(
                customer_of(actor),
                tuple(r.item_id for r in picked if r.item_id),
                amount.minor,
                currency,
                pay_by,
                values["note"][:500],
            ),
        )
    except ValidationFailed as error:
        return _promise_page(request, uow, actor, values, chosen, field_errors(error), 422)
    response = redirect("/portal/promise")
    flash(response, f"Thank you: we noted your promise to pay by {pay_by.isoformat()}.")
    return response


@router.get("/messages", response_class=HTMLResponse)
def thread(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    context = {
        "title": "Contact us",
        "thread": messages(uow, actor, customer_of(actor)),
        "mine": FROM_CUSTOMER,
    }
    return page(request, uow, actor, "messages.html", context)


@router.post("/messages", dependencies=[CsrfChecked])
def write(
    uow: UowDep, actor: PortalActor, body: Annotated[str, Form(max_length=2000)]
) -> RedirectResponse:
    response = redirect("/portal/messages")
    try:
        send_message(uow, actor, customer_of(actor), body)
    except ValidationFailed as error:
        flash(response, f"Message not sent: {error.errors[0].reason}", "error")
        return response
    flash(response, "Your message was sent to our accounts receivable team.")
    return response
