"""Dispute cases and deductions: lists, a subject's detail and trail, comments and outcomes.

Forms appear only for actors with `dispute.manage`; the services check again on every post.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.db.deps import UowDep
from o2c.disputes.cases import (
    CaseFilter,
    add_comment,
    get_case,
    list_cases,
    move_case,
    trail_of,
)
from o2c.disputes.model import (
    CASE_MOVES,
    CLOSED_CASE,
    OPEN_DEDUCTION,
    CaseStatus,
    CreditRequest,
    DeductionStatus,
    Subject,
)
from o2c.disputes.outcomes import chargeback, credit, reject, write_off
from o2c.disputes.service import DeductionFilter, accept_deduction, get_deduction, list_deductions
from o2c.kernel.errors import O2CError
from o2c.parties.service import get_customers
from o2c.security.model import Permission
from o2c.web.backoffice.page import done, money, page, refused

router = APIRouter()
PAGE_SIZE = 50


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(
    request: Request, uow: UowDep, actor: StaffActor, customer_id: int | None = None
) -> HTMLResponse:
    cases, case_total = list_cases(uow, actor, CaseFilter(customer_id=customer_id, limit=PAGE_SIZE))
    deductions, deduction_total = list_deductions(
        uow, actor, DeductionFilter(customer_id=customer_id, limit=PAGE_SIZE)
    )
    ids = {c.customer_id for c in cases} | {d.customer_id for d in deductions}
    customers = {
        cid: f"{c.code} {c.name}" for cid, c in get_customers(uow, actor.company_id, ids).items()
    }
    context = {
        "title": "Disputes and deductions",
        "cases": [(c, money(c.amount_minor, c.currency)) for c in cases],
        "case_total": case_total,
        "deductions": [(d, money(d.amount_minor, d.currency)) for d in deductions],
        "deduction_total": deduction_total,
        "customers": customers,
    }
    return page(request, actor, "disputes.html", context)


@router.get("/disputes/case/{subject_id}", response_class=HTMLResponse)
def case_page(request: Request, uow: UowDep, actor: StaffActor, subject_id: int) -> HTMLResponse:
    details = get_case(uow, actor, subject_id)
    case = details.case
    moves = sorted(CASE_MOVES[CaseStatus(case.status)], key=lambda s: s.value)
    context = {
        "title": f"Dispute {case.id}: {case.title}",
        "kind": Subject.CASE.value,
        "subject": case,
        "amount": money(case.amount_minor, case.currency),
        "lines": [(line, money(line.amount_minor, case.currency)) for line in details.lines],
        "trail": trail_of(uow, actor, Subject.CASE, case.id),
        "open": CaseStatus(case.status) not in CLOSED_CASE,
        "moves": [(m.value, m.value.replace("_", " ")) for m in moves],
        "can_manage": actor.can(Permission.DISPUTE_MANAGE),
    }
    return page(request, actor, "dispute.html", context)


@router.get("/disputes/deduction/{subject_id}", response_class=HTMLResponse)
def deduction_page(
    request: Request, uow: UowDep, actor: StaffActor, subject_id: int
) -> HTMLResponse:
    deduction = get_deduction(uow, actor, subject_id)
    context = {
        "title": f"Deduction {deduction.id}",
        "kind": Subject.DEDUCTION.value,
        "subject": deduction,
        "amount": money(deduction.amount_minor, deduction.currency),
        "lines": [],
        "trail": trail_of(uow, actor, Subject.DEDUCTION, deduction.id),
        "open": DeductionStatus(deduction.status) in OPEN_DEDUCTION,
        "moves": [],
        "can_manage": actor.can(Permission.DISPUTE_MANAGE),
    }
    return page(request, actor, "dispute.html", context)


def _url(kind: Subject, subject_id: int) -> str:
    return f"/app/disputes/{kind.value}/{subject_id}"


@router.post("/disputes/{kind}/{subject_id}/comments", dependencies=[CsrfChecked])
def post_comment(
    uow: UowDep,
    actor: StaffActor,
    kind: Subject,
    subject_id: int,
    body: Annotated[str, Form(max_length=5000)] = "",
    to_customer: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    try:
        add_comment(uow, actor, kind, subject_id, body, to_customer)
    except O2CError as error:
        return refused(_url(kind, subject_id), error)
    return done(_url(kind, subject_id), "Comment added.")


@router.post("/disputes/case/{subject_id}/move", dependencies=[CsrfChecked])
def post_move(
    uow: UowDep,
    actor: StaffActor,
    subject_id: int,
    target: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    url = _url(Subject.CASE, subject_id)
    try:
        move_case(uow, actor, subject_id, CaseStatus(target), note)
    except ValueError:
        return done(url, f"{target} is not a status", "error")
    except O2CError as error:
        return refused(url, error)
    return done(url, f"Case moved to {target.replace('_', ' ')}.")


@router.post("/disputes/{kind}/{subject_id}/outcome", dependencies=[CsrfChecked])
def post_outcome(
    uow: UowDep,
    actor: StaffActor,
    kind: Subject,
    subject_id: int,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Settle the subject: credit note, write-off, rejection; for deductions also accept or
    charge back."""
    url = _url(kind, subject_id)
    try:
        if outcome == "credit_note":
            credit(uow, actor, kind, subject_id, CreditRequest(note=note))
            message = "Settled by a credit note."
        elif outcome == "write_off":
            result = write_off(uow, actor, kind, subject_id, note)
            message = (
                "Written off."
                if result.request_id is None
                else "Above your limit: the write-off waits for approval."
            )
        elif outcome == "reject":
            reject(uow, actor, kind, subject_id, note)
            message = "Rejected; the customer is told why."
        elif outcome == "accept" and kind is Subject.DEDUCTION:
            accept_deduction(uow, actor, subject_id, note)
            message = "Deduction accepted as valid."
        elif outcome == "chargeback" and kind is Subject.DEDUCTION:
            chargeback(uow, actor, subject_id, note)
            message = "Deduction charged back."
        else:
            return done(url, f"{outcome} is not an outcome here", "error")
    except O2CError as error:
        return refused(url, error)
    return done(url, message)
