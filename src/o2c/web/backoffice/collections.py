"""Collector pages: the worklist, and a customer's timeline with call, note and promise forms."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.collections.model import CallOutcome, PromiseCreate
from o2c.collections.promises import list_promises, record_promise
from o2c.collections.timeline import customer_timeline
from o2c.collections.worklist import add_note, log_call, worklist
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, O2CError, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.reports import open_items_on
from o2c.parties.service import get_customer
from o2c.security.model import Actor, Permission
from o2c.security.service import get_company
from o2c.web.backoffice.page import done, field_errors, money, page, parse_amount, refused

router = APIRouter()


@router.get("/worklist", response_class=HTMLResponse)
def worklist_page(
    request: Request, uow: UowDep, actor: StaffActor, mine: bool = False
) -> HTMLResponse:
    today = uow.clock.today()
    rows = worklist(uow, actor, today, collector=actor.name if mine else None)
    with uow:
        base = get_company(uow, actor.company_id).base_currency
    context = {
        "title": "Collector worklist",
        "rows": [(row, money(row.overdue_base_minor, base)) for row in rows],
        "base": base,
        "mine": mine,
        "today": today,
    }
    return page(request, actor, "worklist.html", context)


def _customer_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    customer = get_customer(uow, actor, customer_id)
    today = uow.clock.today()
    items = [
        i for i in open_items_on(uow, actor, today, customer_id) if i.kind == ItemKind.INVOICE.value
    ]
    context = {
        "title": f"{customer.code} {customer.name}",
        "customer": customer,
        "timeline": list(reversed(customer_timeline(uow, actor, customer_id))),
        "items": [(i, money(i.open_minor, i.currency)) for i in items],
        "promises": [
            (p, numbers, money(p.amount_minor, p.currency))
            for p, numbers in list_promises(uow, actor, customer_id)
        ],
        "outcomes": [(o.value, o.value.replace("_", " ")) for o in CallOutcome],
        "form": form or {},
        "errors": errors or {},
        "today": today,
        "can_work": actor.can(Permission.COLLECTIONS_WORK),
    }
    return page(request, actor, "customer.html", context, status_code)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, uow: UowDep, actor: StaffActor, customer_id: int
) -> HTMLResponse:
    return _customer_page(request, uow, actor, customer_id)


@router.post("/customers/{customer_id}/calls", dependencies=[CsrfChecked], response_model=None)
def post_call(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    customer_id: int,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse | RedirectResponse:
    url = f"/app/customers/{customer_id}"
    try:
        chosen = CallOutcome(outcome)
    except ValueError:
        errors = {"outcome": "choose an outcome"}
        return _customer_page(request, uow, actor, customer_id, {"note": note}, errors, 422)
    try:
        log_call(uow, actor, customer_id, chosen, note.strip())
    except O2CError as error:
        return refused(url, error)
    return done(url, f"Call recorded: {chosen.value.replace('_', ' ')}.")


@router.post("/customers/{customer_id}/notes", dependencies=[CsrfChecked], response_model=None)
def post_note(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    customer_id: int,
    note: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        add_note(uow, actor, customer_id, note)
    except ValidationFailed as error:
        form = {"note": note}
        return _customer_page(request, uow, actor, customer_id, form, field_errors(error), 422)
    return done(f"/app/customers/{customer_id}", "Note added.")


@router.post("/customers/{customer_id}/promises", dependencies=[CsrfChecked], response_model=None)
def post_promise(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    customer_id: int,
    amount: Annotated[str, Form(max_length=40)] = "",
    pay_by: Annotated[str, Form(max_length=10)] = "",
    promise_note: Annotated[str, Form(max_length=500)] = "",
    invoices: Annotated[list[int] | None, Form()] = None,
) -> HTMLResponse | RedirectResponse:
    form = {"amount": amount, "pay_by": pay_by, "promise_note": promise_note}
    try:
        command = _promise(uow, actor, customer_id, amount, pay_by, promise_note, invoices or [])
        record_promise(uow, actor, command)
    except ValidationFailed as error:
        errors = field_errors(error)
        return _customer_page(request, uow, actor, customer_id, form, errors, 422)
    except O2CError as error:
        return refused(f"/app/customers/{customer_id}", error)
    return done(f"/app/customers/{customer_id}", f"Promise to pay {amount} by {pay_by} recorded.")


def _promise(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    amount: str,
    pay_by: str,
    note: str,
    invoices: list[int],
) -> PromiseCreate:
    """The promise typed into the form; the currency is that of the chosen invoices."""
    problems: list[FieldError] = []
    if not invoices:
        problems.append(FieldError("invoices", "choose at least one invoice"))
    try:
        day = date.fromisoformat(pay_by)
    except ValueError:
        problems.append(FieldError("pay_by", "a date like 2026-03-31"))
    try:
        value = parse_amount(amount, "amount")
    except ValidationFailed as error:
        problems += error.errors
    if problems:
        raise ValidationFailed(problems)
    items = {i.item_id: i for i in open_items_on(uow, actor, uow.clock.today(), customer_id)}
    currencies = {items[i].currency for i in invoices if i in items}
    if len(currencies) != 1:
        raise ValidationFailed([FieldError("invoices", "choose open invoices in one currency")])
    currency = currencies.pop()
    minor = Money(value, currency).minor
    return PromiseCreate(customer_id, tuple(invoices), minor, currency, day, note.strip())
