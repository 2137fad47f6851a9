"""The customer's documents: overview, invoices (PDF and UBL), statement, payment history."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from o2c.app.web_auth import PortalActor
from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import render_document
from o2c.billing.service import invoice_details
from o2c.db.deps import UowDep
from o2c.disputes.service import customer_disputes
from o2c.ledger.reports import customer_statement
from o2c.payments.checkout import customer_checkouts
from o2c.payments.service import list_payments
from o2c.web.portal.page import customer_of, money, own_invoice, page
from o2c.web.portal.reading import balances, customer_invoices

router = APIRouter()
STATEMENT_DAYS = 90


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    customer_id = customer_of(actor)
    rows = customer_invoices(uow, actor, customer_id)
    today = uow.clock.today()
    open_rows = [r for r in rows if r.open_minor > 0]
    context = {
        "title": "Overview",
        "balances": balances(rows, today),
        "open_rows": open_rows[:10],
        "today": today,
        "disputes": customer_disputes(uow, actor, customer_id)[:5],
    }
    return page(request, uow, actor, "overview.html", context)


@router.get("/invoices", response_class=HTMLResponse)
def invoices(
    request: Request, uow: UowDep, actor: PortalActor, show: Literal["open", "paid", "all"] = "open"
) -> HTMLResponse:
    rows = customer_invoices(uow, actor, customer_of(actor))
    if show == "open":
        rows = [r for r in rows if r.open_minor > 0]
    elif show == "paid":
        rows = [r for r in rows if r.open_minor <= 0]
    context = {"title": "Invoices", "rows": rows, "show": show, "today": uow.clock.today()}
    return page(request, uow, actor, "invoices.html", context)


@router.get("/invoices/{invoice_id}", response_class=HTMLResponse)
def invoice(request: Request, uow: UowDep, actor: PortalActor, invoice_id: int) -> HTMLResponse:
    own_invoice(uow, actor, invoice_id)
    details = invoice_details(uow, actor, invoice_id)
    context = {
        "title": f"Invoice {details.invoice.number}",
        "details": details,
        "open": money(details.open_minor or 0, details.invoice.currency),
        "money": money,
    }
    return page(request, uow, actor, "invoice.html", context)


@router.get("/invoices/{invoice_id}/document.{fmt}")
def document(
    uow: UowDep, actor: PortalActor, invoice_id: int, fmt: Literal["pdf", "ubl"]
) -> Response:
    """The printed invoice (PDF) or its e-invoice (UBL 2.1 XML), as a download."""
    number = own_invoice(uow, actor, invoice_id).number or ""
    rendered = render_document(uow, actor, number, DocumentFormat(fmt))
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'attachment; filename="{rendered.filename}"'},
    )


@router.get("/statement", response_class=HTMLResponse)
def statement(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    end = uow.clock.today()
    start = end - timedelta(days=STATEMENT_DAYS)
    account = customer_statement(uow, actor, customer_of(actor), start, end)
    context = {"title": "Statement of account", "statement": account, "money": money}
    return page(request, uow, actor, "statement.html", context)


@router.get("/payments", response_class=HTMLResponse)
def payments(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    customer_id = customer_of(actor)
    received, _ = list_payments(uow, actor, customer_id=customer_id, limit=100)
    context = {
        "title": "Payments",
        "payments": received,
        "checkouts": customer_checkouts(uow, actor, customer_id)[:20],
        "money": money,
    }
    return page(request, uow, actor, "payments.html", context)
