"""`/disputes`: cases and deductions, their workflow, outcomes, configuration and metrics.

Paths that work on either kind take `{kind}` = `cases` or `deductions`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.disputes import cases, outcomes, policy, service
from o2c.disputes.metrics import dispute_metrics
from o2c.disputes.model import CaseStatus, DeductionStatus, Outcome, RequestStatus, Subject
from o2c.disputes.schemas import (
    AgreementIO,
    AssignIn,
    CaseIn,
    CaseRead,
    CommentIn,
    CommentRead,
    CreditIn,
    DeductionIn,
    DeductionRead,
    MetricsRead,
    MoveIn,
    NoteIn,
    OutcomeRead,
    ReasonIO,
    RebillIn,
    RejectIn,
    RequestRead,
    SettingsIO,
    SummaryRead,
    TrailRead,
)

router = APIRouter(prefix="/disputes", tags=["disputes and deductions"])

Kind = Literal["cases", "deductions"]
SUBJECT: dict[str, Subject] = {"cases": Subject.CASE, "deductions": Subject.DEDUCTION}
RAW = {
    "requestBody": {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    }
}


@router.post("/cases", status_code=status.HTTP_201_CREATED, summary="Raise a dispute")
def post_case(
    uow: UowDep, actor: ActorDep, body: CaseIn, key: IdempotencyKeyDep = None
) -> CaseRead:
    def create() -> int:
        return cases.raise_case(uow, actor, body.command()).id

    case_id = run_once(uow, actor.company_id, "disputes.case", key, body, create)
    return CaseRead.of(cases.get_case(uow, actor, case_id).case)


@router.get("/cases", summary="Dispute cases, most urgent first")
def get_cases(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    customer_id: int | None = None,
    owner: str | None = None,
    reason: str | None = None,
    overdue: bool = False,
) -> Page[CaseRead]:
    filters = cases.CaseFilter(
        case_status, customer_id, owner, reason, overdue, page.limit, page.offset
    )
    rows, total = cases.list_cases(uow, actor, filters)
    return Page[CaseRead].of([CaseRead.of(c) for c in rows], total, page)


@router.get("/cases/{case_id}")
def get_case(uow: UowDep, actor: ActorDep, case_id: int) -> CaseRead:
    details = cases.get_case(uow, actor, case_id)
    return CaseRead.of(details.case, details)


@router.post("/cases/{case_id}/move", summary="Move a case along the workflow")
def post_move(uow: UowDep, actor: ActorDep, case_id: int, body: MoveIn) -> CaseRead:
    cases.move_case(uow, actor, case_id, body.status, body.note)
    return get_case(uow, actor, case_id)


@router.post("/deductions", status_code=status.HTTP_201_CREATED, summary="Open a deduction by hand")
def post_deduction(
    uow: UowDep, actor: ActorDep, body: DeductionIn, key: IdempotencyKeyDep = None
) -> DeductionRead:
    def create() -> int:
        return service.open_deduction(uow, actor, body.command()).id

    deduction_id = run_once(uow, actor.company_id, "disputes.deduction", key, body, create)
    return DeductionRead.of(service.get_deduction(uow, actor, deduction_id))


@router.get("/deductions", summary="Deductions, newest first")
def get_deductions(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    deduction_status: Annotated[DeductionStatus | None, Query(alias="status")] = None,
    customer_id: int | None = None,
    owner: str | None = None,
) -> Page[DeductionRead]:
    filters = service.DeductionFilter(deduction_status, customer_id, owner, page.limit, page.offset)
    rows, total = service.list_deductions(uow, actor, filters)
    return Page[DeductionRead].of([DeductionRead.of(d) for d in rows], total, page)


@router.get("/deductions/{deduction_id}")
def get_deduction(uow: UowDep, actor: ActorDep, deduction_id: int) -> DeductionRead:
    return DeductionRead.of(service.get_deduction(uow, actor, deduction_id))


@router.post("/deductions/{deduction_id}/accept", summary="Accept a deduction as valid")
def post_accept(uow: UowDep, actor: ActorDep, deduction_id: int, body: NoteIn) -> DeductionRead:
    return DeductionRead.of(service.accept_deduction(uow, actor, deduction_id, body.note))


@router.post("/{kind}/{subject_id}/assign", status_code=status.HTTP_204_NO_CONTENT)
def post_assign(uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: AssignIn) -> None:
    cases.assign(uow, actor, SUBJECT[kind], subject_id, body.owner, body.team, body.priority)


@router.post("/{kind}/{subject_id}/comments", status_code=status.HTTP_201_CREATED)
def post_comment(
    uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: CommentIn
) -> CommentRead:
    c = cases.add_comment(uow, actor, SUBJECT[kind], subject_id, body.body, body.to_customer)
    return CommentRead(id=c.id, author=c.author, body=c.body, to_customer=c.to_customer, at=c.at)


@router.post(
    "/{kind}/{subject_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=RAW,
    summary="Attach a file (the raw bytes as the body, its type as Content-Type)",
)
async def post_attachment(
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    kind: Kind,
    subject_id: int,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    content_type: Annotated[str, Header()] = "application/octet-stream",
) -> TrailRead:
    data = await request.body()
    cases.add_attachment(uow, actor, SUBJECT[kind], subject_id, filename, content_type, data)
    return TrailRead.of(cases.trail_of(uow, actor, SUBJECT[kind], subject_id))


@router.get("/attachments/{attachment_id}", response_class=Response)
def get_attachment(uow: UowDep, actor: ActorDep, attachment_id: int) -> Response:
    attachment = cases.get_attachment(uow, actor, attachment_id)
    return Response(
        attachment.data,
        media_type=attachment.content_type,
        headers={"Content-Disposition": f'attachment; filename="{attachment.filename}"'},
    )


@router.get("/{kind}/{subject_id}/history", summary="Events, comments and files, oldest first")
def get_history(uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int) -> TrailRead:
    return TrailRead.of(cases.trail_of(uow, actor, SUBJECT[kind], subject_id))


@router.post("/{kind}/{subject_id}/credit-note", summary="Settle by a credit note")
def post_credit(
    uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: CreditIn
) -> OutcomeRead:
    note_id = outcomes.credit(uow, actor, SUBJECT[kind], subject_id, body.request())
    return OutcomeRead(outcome=Outcome.CREDIT_NOTE, document_id=note_id)


@router.post("/{kind}/{subject_id}/write-off", summary="Write off (or ask for approval)")
def post_write_off(
    uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: NoteIn
) -> OutcomeRead:
    result = outcomes.write_off(uow, actor, SUBJECT[kind], subject_id, body.note)
    return OutcomeRead(
        outcome=Outcome.WRITE_OFF,
        request_id=result.request_id,
        application_ids=result.application_ids,
    )


@router.post("/{kind}/{subject_id}/rebill", summary="Credit in full and bill the corrected invoice")
def post_rebill(
    uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: RebillIn
) -> OutcomeRead:
    lines = [line.line() for line in body.lines]
    invoice_id = outcomes.rebill(uow, actor, SUBJECT[kind], subject_id, lines, body.invoice_id)
    return OutcomeRead(outcome=Outcome.REBILL, document_id=invoice_id)


@router.post("/{kind}/{subject_id}/reject", summary="Reject: owed again, the customer told why")
def post_reject(
    uow: UowDep, actor: ActorDep, kind: Kind, subject_id: int, body: RejectIn
) -> OutcomeRead:
    outcomes.reject(uow, actor, SUBJECT[kind], subject_id, body.note_to_customer)
    return OutcomeRead(outcome=Outcome.REJECTION)


@router.post("/deductions/{deduction_id}/chargeback", summary="Bill an invalid deduction again")
def post_chargeback(uow: UowDep, actor: ActorDep, deduction_id: int, body: NoteIn) -> OutcomeRead:
    invoice_id = outcomes.chargeback(uow, actor, deduction_id, body.note)
    return OutcomeRead(outcome=Outcome.CHARGEBACK, document_id=invoice_id)


@router.get("/write-off-requests", summary="Write-offs waiting for (or given) approval")
def get_requests(
    uow: UowDep,
    actor: ActorDep,
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = RequestStatus.PENDING,
) -> list[RequestRead]:
    return [RequestRead.of(r) for r in outcomes.list_requests(uow, actor, request_status)]


@router.post("/write-off-requests/{request_id}/approve", summary="Approve (not the requester)")
def post_approve(uow: UowDep, actor: ActorDep, request_id: int) -> OutcomeRead:
    result = outcomes.approve_write_off(uow, actor, request_id)
    return OutcomeRead(
        outcome=Outcome.WRITE_OFF, request_id=request_id, application_ids=result.application_ids
    )


@router.post("/write-off-requests/{request_id}/decline", status_code=status.HTTP_204_NO_CONTENT)
def post_decline(uow: UowDep, actor: ActorDep, request_id: int, body: NoteIn) -> None:
    outcomes.decline_write_off(uow, actor, request_id, body.note)


@router.get("/reasons", summary="Reason codes with SLA, routing and X12 codes")
def get_reasons(uow: UowDep, actor: ActorDep) -> list[ReasonIO]:
    return [ReasonIO.of(r) for r in policy.list_reasons(uow, actor)]


@router.put("/reasons/{code}")
def put_reason(uow: UowDep, actor: ActorDep, code: str, body: ReasonIO) -> ReasonIO:
    return ReasonIO.of(policy.set_reason(uow, actor, body.model_copy(update={"code": code}).spec()))


@router.get("/settings")
def get_settings(uow: UowDep, actor: ActorDep) -> SettingsIO:
    return SettingsIO.of(policy.get_settings(uow, actor))


@router.put("/settings", summary="Tolerance, discount grace days, write-off approval limit")
def put_settings(uow: UowDep, actor: ActorDep, body: SettingsIO) -> SettingsIO:
    return SettingsIO.of(policy.set_settings(uow, actor, body.settings()))


@router.get("/agreements", summary="Promotion and allowance agreements")
def get_agreements(
    uow: UowDep, actor: ActorDep, customer_id: int | None = None
) -> list[AgreementIO]:
    return [AgreementIO.of(a) for a in policy.list_agreements(uow, actor, customer_id)]


@router.post("/agreements", status_code=status.HTTP_201_CREATED)
def post_agreement(uow: UowDep, actor: ActorDep, body: AgreementIO) -> AgreementIO:
    command = policy.AgreementCreate(
        body.customer_id,
        body.name,
        body.currency,
        body.valid_from,
        body.valid_to,
        body.amount_minor,
        body.percent,
    )
    return AgreementIO.of(policy.add_agreement(uow, actor, command))


@router.get("/metrics", summary="Open by reason and age, cycle time, at risk, valid rate")
def get_metrics(uow: UowDep, actor: ActorDep) -> MetricsRead:
    return MetricsRead.of(dispute_metrics(uow, actor))


@router.get("/customers/{customer_id}", summary="A customer's cases and deductions, newest first")
def get_customer_disputes(uow: UowDep, actor: ActorDep, customer_id: int) -> list[SummaryRead]:
    return [SummaryRead.of(s) for s in service.customer_disputes(uow, actor, customer_id)]
