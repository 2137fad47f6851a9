"""The payments HTTP interface: receive, apply, refund; every money move honours retries.

The write-off tolerance comes from the `payment_tolerance` dependency, which the composition
root overrides with `Settings.payment_tolerance_minor`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep
from o2c.payments.model import PaymentStatus
from o2c.payments.refund_requests_schemas import RefundRequestRead
from o2c.payments.schemas import (
    ApplicationCreate,
    ApplicationRead,
    PaymentCreate,
    PaymentRead,
    RefundCreate,
    RefundRead,
)
from o2c.payments.service import (
    DEFAULT_TOLERANCE_MINOR,
    apply_payment,
    get_payment,
    list_payments,
    record_and_apply,
    record_payment,
    refund,
    unapplied,
)
from o2c.payments.tables import RefundRequest

router = APIRouter(tags=["payments"])


def payment_tolerance() -> int:
    """Shortfalls up to this many minor units are written off when a payment settles."""
    return DEFAULT_TOLERANCE_MINOR


ToleranceDep = Annotated[int, Depends(payment_tolerance)]


@router.post("/payments", status_code=status.HTTP_201_CREATED, summary="Receive a payment")
def post_payment(
    uow: UowDep,
    actor: ActorDep,
    body: PaymentCreate,
    tolerance: ToleranceDep,
    key: IdempotencyKeyDep = None,
) -> PaymentRead:
    """Retried with the same Idempotency-Key, answers the first payment instead of a second."""
    command = body.command(key)
    if not body.allocations:
        payment = record_payment(uow, actor, command)
        return PaymentRead.of(payment, unapplied(uow, actor, payment.id))
    allocations = [a.allocation() for a in body.allocations]
    result = record_and_apply(uow, actor, command, allocations, tolerance)
    payment = get_payment(uow, actor, result.payment_id)
    read = PaymentRead.of(payment, unapplied(uow, actor, payment.id))
    read.application = ApplicationRead.of(result.application, payment.currency)
    return read


@router.get("/payments", summary="Payments, newest first")
def get_payments(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    status: PaymentStatus | None = None,
) -> Page[PaymentRead]:
    payments, total = list_payments(uow, actor, customer_id, status, page.limit, page.offset)
    return Page.of([PaymentRead.of(p) for p in payments], total, page)


@router.get("/payments/{payment_id}", summary="One payment with what is left to apply")
def get_one(uow: UowDep, actor: ActorDep, payment_id: int) -> PaymentRead:
    return PaymentRead.of(get_payment(uow, actor, payment_id), unapplied(uow, actor, payment_id))


@router.post(
    "/payments/{payment_id}/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Apply unapplied cash to invoices",
)
def post_application(
    uow: UowDep,
    actor: ActorDep,
    payment_id: int,
    body: ApplicationCreate,
    tolerance: ToleranceDep,
    key: IdempotencyKeyDep = None,
) -> ApplicationRead:
    allocations = [a.allocation() for a in body.allocations]
    result = apply_payment(
        uow, actor, payment_id, allocations, body.received_on, tolerance, idempotency_key=key
    )
    return ApplicationRead.of(result, get_payment(uow, actor, payment_id).currency)


@router.post(
    "/refunds",
    status_code=status.HTTP_201_CREATED,
    summary="Refund a credit",
    responses={
        status.HTTP_202_ACCEPTED: {
            "model": RefundRequestRead,
            "description": "Above the approval limit: a refund request, nothing posted yet",
        }
    },
)
def post_refund(
    uow: UowDep,
    actor: ActorDep,
    body: RefundCreate,
    response: Response,
    key: IdempotencyKeyDep = None,
) -> RefundRead | RefundRequestRead:
    """Above the company's approval limit, answers 202 with the request someone else approves."""
    result = refund(
        uow,
        actor,
        body.credit_item_id,
        body.amount.to_money(),
        body.method,
        body.on,
        body.reference,
        idempotency_key=key,
        to_account=body.to_account,
    )
    if isinstance(result, RefundRequest):
        response.status_code = status.HTTP_202_ACCEPTED
        return RefundRequestRead.of(result)
    return RefundRead.of(result)
