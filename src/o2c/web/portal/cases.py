"""Disputes raised by the customer: on an invoice or one of its lines, with a comment and a
file, and followed afterwards (status, the replies meant for the customer, more comments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, PortalActor
from o2c.billing.service import invoice_details
from o2c.db.deps import UowDep
from o2c.disputes.cases import (
    CaseDetails,
    add_attachment,
    add_comment,
    get_case,
    raise_case,
    trail_of,
)
from o2c.disputes.model import CaseCreate, CaseLineCreate, CaseSource, Subject
from o2c.disputes.policy import list_reasons
from o2c.disputes.rules import check_attachment
from o2c.disputes.service import customer_disputes
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.security.model import Actor
from o2c.web.flash import flash
from o2c.web.portal.page import (
    customer_of,
    field_errors,
    money,
    on_behalf,
    own_invoice,
    page,
    parse_money,
)
from o2c.web.portal.reading import customer_invoices
from o2c.web.rendering import redirect

router = APIRouter()
PORTAL_SUFFIX = "(portal)"


def _own_case(uow: UowDep, actor: Actor, case_id: int) -> CaseDetails:
    details = get_case(uow, actor, case_id)
    if details.case.customer_id != actor.customer_id:
        raise NotFound("dispute", case_id)
    return details


@router.get("/disputes", response_class=HTMLResponse)
def disputes(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    found = customer_disputes(uow, actor, customer_of(actor))
    context = {"title": "Disputes", "disputes": found, "money": money}
    return page(request, uow, actor, "disputes.html", context)


def _new_page(
    request: Request,
    uow: UowDep,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    rows = [r for r in customer_invoices(uow, actor, customer_of(actor)) if r.open_minor > 0]
    lines = []
    if values.get("invoice", "").isdigit():
        invoice_id = int(values["invoice"])
        own_invoice(uow, actor, invoice_id)
        lines = invoice_details(uow, actor, invoice_id).lines
    context = {
        "title": "Raise a dispute",
        "rows": rows,
        "lines": lines,
        "reasons": list_reasons(uow, actor),
        "values": values,
        "errors": errors,
    }
    return page(request, uow, actor, "dispute_new.html", context, status_code)


@router.get("/disputes/new", response_class=HTMLResponse)
def new_dispute(
    request: Request, uow: UowDep, actor: PortalActor, invoice: int | None = None
) -> HTMLResponse:
    return _new_page(request, uow, actor, {"invoice": str(invoice or "")}, {})


@router.post("/disputes/new", dependencies=[CsrfChecked], response_model=None)
def raise_dispute(
    request: Request,
    uow: UowDep,
    actor: PortalActor,
    invoice: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=30)],
    amount: Annotated[str, Form(max_length=20)],
    comment: Annotated[str, Form(max_length=10_000)],
    line: Annotated[str, Form(max_length=20)] = "",
    attachment: UploadFile | None = None,
) -> HTMLResponse | RedirectResponse:
    values = {"invoice": str(invoice), "reason": reason, "amount": amount, "comment": comment}
    values["line"] = line
    try:
        row = own_invoice(uow, actor, invoice)
        data = attachment.file.read() if attachment and attachment.filename else b""
        file_type = (attachment.content_type if attachment else None) or "application/octet-stream"
        if data and attachment and attachment.filename:
            problems = check_attachment(attachment.filename, file_type, data)
            if problems:
                raise ValidationFailed([FieldError("attachment", p.reason) for p in problems])
        if not comment.strip():
            raise ValidationFailed([FieldError("comment", "tell us what is wrong")])
        item = customer_invoices(uow, actor, customer_of(actor))
        item_id = next((r.item_id for r in item if r.invoice.id == row.id), None)
        if item_id is None:
            raise NotFound("invoice", invoice)
        disputed = parse_money(amount, row.currency, "amount")
        agent = on_behalf(actor)
        case = raise_case(
            uow,
            agent,
            CaseCreate(
                customer_of(actor),
                reason,
                [CaseLineCreate(item_id, disputed.minor, int(line) if line.isdigit() else None)],
                description=comment,
                source=CaseSource.CUSTOMER,
            ),
        )
    except ValidationFailed as error:
        return _new_page(request, uow, actor, values, _case_errors(error), 422)
    if data and attachment and attachment.filename:
        add_attachment(uow, agent, Subject.CASE, case.id, attachment.filename, file_type, data)
    response = redirect(f"/portal/disputes/{case.id}")
    flash(response, f"Dispute #{case.id} raised: we will come back to you.")
    return response


def _case_errors(error: ValidationFailed) -> dict[str, str]:
    """Errors of the case's first line belong to the form's invoice, line and amount fields."""
    renamed = {"lines[0].amount": "amount", "lines[0].invoice_line_id": "line", "lines": "invoice"}
    found = field_errors(error)
    for problem in error.errors:
        if problem.field in renamed:
            found.setdefault(renamed[problem.field], problem.reason)
    return found


@router.get("/disputes/{case_id}", response_class=HTMLResponse)
def dispute(request: Request, uow: UowDep, actor: PortalActor, case_id: int) -> HTMLResponse:
    details = _own_case(uow, actor, case_id)
    trail = trail_of(uow, actor, Subject.CASE, case_id)
    context = {
        "title": f"Dispute #{case_id}",
        "details": details,
        "comments": [
            c for c in trail.comments if c.to_customer or c.author.endswith(PORTAL_SUFFIX)
        ],
        "attachments": [a for a in trail.attachments if a.uploaded_by.endswith(PORTAL_SUFFIX)],
        "money": money,
    }
    return page(request, uow, actor, "dispute.html", context)


@router.post("/disputes/{case_id}/comment", dependencies=[CsrfChecked])
def comment_on(
    uow: UowDep, actor: PortalActor, case_id: int, body: Annotated[str, Form(max_length=10_000)]
) -> RedirectResponse:
    _own_case(uow, actor, case_id)
    response = redirect(f"/portal/disputes/{case_id}")
    try:
        add_comment(uow, on_behalf(actor), Subject.CASE, case_id, body)
    except ValidationFailed as error:
        flash(response, error.errors[0].reason if error.errors else error.detail, "error")
        return response
    flash(response, "Your comment was added.")
    return response
