"""Cash application: the exception queue, and a bank line's suggestions, search and manual match."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.cashapp.matching_run import WAITING
from o2c.cashapp.service import accept_suggestion, get_line, match_manually, queue, split
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, O2CError, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.reports import OpenItemOn, open_items_on
from o2c.parties.service import get_customers
from o2c.security.model import Actor
from o2c.web.backoffice.page import done, field_errors, money, page, parse_amount, refused

router = APIRouter()
PAGE_SIZE = 50
SEARCH_LIMIT = 25
MANUAL_ROWS = 3


@dataclass(frozen=True)
class InvoiceHit:
    item: OpenItemOn
    customer: str
    open: Decimal


@dataclass(frozen=True)
class SuggestionView:
    index: int
    confidence: float
    reason: str
    parts: list[tuple[str, Decimal]]
    deduction: Decimal


@router.get("/cashapp", response_class=HTMLResponse)
def queue_page(request: Request, uow: UowDep, actor: StaffActor, offset: int = 0) -> HTMLResponse:
    views, total = queue(uow, actor, PAGE_SIZE, max(offset, 0))
    rows = [
        (
            view.line,
            money(view.line.amount_minor, view.line.currency),
            ((view.decision or {}).get("suggestions") or [None])[0],
        )
        for view in views
    ]
    context = {
        "title": "Cash application exceptions",
        "rows": rows,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    return page(request, actor, "cashapp_queue.html", context)


def _invoices(uow: UnitOfWork, actor: Actor) -> list[OpenItemOn]:
    today = uow.clock.today()
    return [i for i in open_items_on(uow, actor, today) if i.kind == ItemKind.INVOICE.value]


def _search(uow: UnitOfWork, actor: Actor, text: str) -> list[InvoiceHit]:
    """Open invoices whose number, customer code or customer name contains `text`."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    items = _invoices(uow, actor)
    customers = get_customers(uow, actor.company_id, {i.customer_id for i in items})
    hits = []
    for item in items:
        customer = customers.get(item.customer_id)
        label = f"{customer.code} {customer.name}" if customer else str(item.customer_id)
        if wanted in item.document_number.casefold() or wanted in label.casefold():
            hits.append(InvoiceHit(item, label, money(item.open_minor, item.currency)))
    return hits[:SEARCH_LIMIT]


def _line_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    line_id: int,
    q: str = "",
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = get_line(uow, actor, line_id)
    line = view.line
    numbers = {i.item_id: i.document_number for i in _invoices(uow, actor)}
    suggestions = [
        SuggestionView(
            index,
            float(s.get("confidence") or 0.0),
            str(s.get("reason", "")),
            [
                (numbers.get(int(a[0]), f"item {a[0]}"), money(int(a[1]), line.currency))
                for a in s.get("allocations", [])
            ],
            money(int(s.get("deduction_minor") or 0), line.currency),
        )
        for index, s in enumerate((view.decision or {}).get("suggestions") or [])
    ]
    form = form or {}
    context = {
        "title": f"Bank line {line.bank_ref or line.id}",
        "line": line,
        "amount": money(line.amount_minor, line.currency),
        "waiting": line.status in WAITING,
        "suggestions": suggestions,
        "q": q,
        "hits": _search(uow, actor, q),
        "rows": form.get("rows") or [("", "")] * MANUAL_ROWS,
        "split": form.get("split", False),
        "errors": errors or {},
    }
    return page(request, actor, "cashapp_line.html", context, status_code)


@router.get("/cashapp/lines/{line_id}", response_class=HTMLResponse)
def line_page(
    request: Request, uow: UowDep, actor: StaffActor, line_id: int, q: str = ""
) -> HTMLResponse:
    return _line_page(request, uow, actor, line_id, q)


@router.post("/cashapp/lines/{line_id}/accept", dependencies=[CsrfChecked])
def post_accept(
    uow: UowDep, actor: StaffActor, line_id: int, index: Annotated[int, Form(ge=0)] = 0
) -> RedirectResponse:
    try:
        accept_suggestion(uow, actor, line_id, index)
    except O2CError as error:
        return refused(f"/app/cashapp/lines/{line_id}", error)
    return done("/app/cashapp", f"Suggestion {index + 1} accepted; the line is settled.")


@router.post("/cashapp/lines/{line_id}/match", dependencies=[CsrfChecked], response_model=None)
def post_match(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    line_id: int,
    invoice: Annotated[list[str] | None, Form()] = None,
    amount: Annotated[list[str] | None, Form()] = None,
    split_line: Annotated[bool, Form(alias="split")] = False,
) -> HTMLResponse | RedirectResponse:
    rows = [(n.strip(), a.strip()) for n, a in zip(invoice or [], amount or [], strict=False)]
    filled = [(n, a) for n, a in rows if n or a]
    try:
        parts = _allocations(uow, actor, line_id, filled)
        (split if split_line else match_manually)(uow, actor, line_id, parts)
    except ValidationFailed as error:
        form = {"rows": rows + [("", "")] * max(0, MANUAL_ROWS - len(rows)), "split": split_line}
        errors = field_errors(error)
        return _line_page(request, uow, actor, line_id, "", form, errors, 422)
    except O2CError as error:
        return refused(f"/app/cashapp/lines/{line_id}", error)
    verb = "split" if split_line else "matched by hand"
    return done("/app/cashapp", f"Bank line {verb} over {len(parts)} invoice(s).")


def _allocations(
    uow: UnitOfWork, actor: Actor, line_id: int, rows: list[tuple[str, str]]
) -> list[tuple[int, int]]:
    """(invoice item id, minor units) for each filled row, naming the row of each problem."""
    currency = get_line(uow, actor, line_id).line.currency
    by_number = {i.document_number.casefold(): i for i in _invoices(uow, actor)}
    problems: list[FieldError] = []
    parts: list[tuple[int, int]] = []
    if not rows:
        problems.append(FieldError("allocations", "name at least one invoice and amount"))
    for number, text in rows:
        item = by_number.get(number.casefold())
        if item is None:
            problems.append(FieldError("allocations", f"{number or '(blank)'}: no open invoice"))
            continue
        try:
            value = parse_amount(text, "allocations")
        except ValidationFailed:
            problems.append(FieldError("allocations", f"{number}: not an amount"))
            continue
        parts.append((item.item_id, Money(value, currency).minor))
    if problems:
        raise ValidationFailed(problems)
    return parts
