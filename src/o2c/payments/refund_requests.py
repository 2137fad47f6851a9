"""Four-eyes refunds: a refund above the company's limit waits for a second person.

`service.refund` posts a refund at or below the limit at once; above it, it stores a
`RefundRequest` instead (`request_refund`). Someone else holding `REFUND_APPROVE` approves
it, which posts the refund through the same checks and posting as a direct refund, or
rejects it, which moves no money. The requester can never decide their own request
(`require_different`), as with write-offs. The limit is in the company's base currency and
defaults to the write-off approval limit's default (500.00 in a two-decimal currency).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from o2c.db.idempotency import previous_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import to_base
from o2c.payments.model import PaymentMethod
from o2c.payments.refunds import CheckedRefund, checked_refund, normal_account, post_refund
from o2c.payments.tables import RefundRequest, RefundSettings
from o2c.security.model import Actor, Permission, require_different
from o2c.security.service import audit, get_company

DEFAULT_APPROVAL_ABOVE_MINOR = 50_000
REQUEST_SCOPE = "refund.request"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def approval_limit(uow: UnitOfWork, company_id: int) -> int:
    """Refunds worth more than this (base currency, minor units) need a second person."""
    stored = uow.session.scalar(
        select(RefundSettings.approval_above_minor).where(RefundSettings.company_id == company_id)
    )
    return DEFAULT_APPROVAL_ABOVE_MINOR if stored is None else int(stored)


def needs_approval(uow: UnitOfWork, actor: Actor, amount: Money, rate: Decimal) -> bool:
    base_currency = get_company(uow, actor.company_id).base_currency
    base = to_base(amount.minor, amount.currency, base_currency, rate)
    return base > approval_limit(uow, actor.company_id)


def request_refund(
    uow: UnitOfWork,
    actor: Actor,
    checked: CheckedRefund,
    amount: Money,
    method: PaymentMethod,
    on: date,
    reference: str | None,
    to_account: str | None,
) -> RefundRequest:
    """Store a checked refund as a pending request (inside the caller's unit of work)."""
    request = RefundRequest(
        company_id=actor.company_id,
        customer_id=checked.credit.customer_id,
        credit_item_id=checked.credit.id,
        method=str(method),
        currency=amount.currency,
        amount_minor=amount.minor,
        refund_on=on,
        reference=reference,
        to_account=normal_account(to_account),
        status=RequestStatus.PENDING.value,
        requested_by=actor.name,
        requested_at=uow.clock.now(),
    )
    uow.session.add(request)
    uow.session.flush()
    audit(
        uow,
        actor,
        "refund.request",
        "refund_request",
        request.id,
        {"credit_item_id": request.credit_item_id, "amount": request.amount_minor},
    )
    uow.publish(
        actor.company_id,
        "refund.requested",
        {
            "id": request.id,
            "customer_id": request.customer_id,
            "currency": request.currency,
            "amount_minor": request.amount_minor,
        },
    )
    return request


def replayed_request(
    uow: UnitOfWork, actor: Actor, idempotency_key: str, digest: str
) -> RefundRequest | None:
    """The request an earlier run with this key stored, if it stored one."""
    previous = previous_result(
        uow.session, actor.company_id, REQUEST_SCOPE, idempotency_key, digest
    )
    if previous is None:
        return None
    return owned(uow.session, RefundRequest, actor.company_id, previous, "refund request")


def _decidable(uow: UnitOfWork, approver: Actor, request_id: int) -> RefundRequest:
    approver.require(Permission.REFUND_APPROVE)
    request = owned(
        uow.session, RefundRequest, approver.company_id, request_id, "refund request", lock=True
    )
    require_different(request.requested_by, approver, f"refund request {request_id}")
    return request


def approve_refund_request(uow: UnitOfWork, approver: Actor, request_id: int) -> RefundRequest:
    """Post the requested refund as the approver; a retried approval posts nothing twice.

    The credit is checked again: what was open when it was requested may since have been
    applied or refunded, and then the approval is refused and the request stays pending.
    """
    with uow:
        request = _decidable(uow, approver, request_id)
        if request.status == RequestStatus.APPROVED:
            return request
        if request.status != RequestStatus.PENDING:
            raise InvalidTransition(f"refund request {request_id} is already {request.status}")
        amount = Money.from_minor(request.amount_minor, request.currency)
        method, on = PaymentMethod(request.method), request.refund_on
        checked = checked_refund(uow, approver, request.credit_item_id, amount, method, on)
        record = post_refund(
            uow,
            approver,
            checked.credit,
            checked.role,
            amount,
            method,
            on,
            checked.rate,
            request.reference,
            request.to_account,
        )
        _decide(uow, approver, request, RequestStatus.APPROVED)
        request.refund_id = record.id
        audit(
            uow,
            approver,
            "refund.approve",
            "refund_request",
            request.id,
            {"refund_id": record.id, "requested_by": request.requested_by},
        )
        uow.commit()
        return request


def reject_refund_request(
    uow: UnitOfWork, approver: Actor, request_id: int, note: str = ""
) -> RefundRequest:
    """Refuse a refund request; the credit stays open. A retried rejection changes nothing."""
    with uow:
        request = _decidable(uow, approver, request_id)
        if request.status == RequestStatus.REJECTED:
            return request
        if request.status != RequestStatus.PENDING:
            raise InvalidTransition(f"refund request {request_id} is already {request.status}")
        _decide(uow, approver, request, RequestStatus.REJECTED)
        request.note = note[:500]
        audit(
            uow,
            approver,
            "refund.reject",
            "refund_request",
            request.id,
            {"requested_by": request.requested_by, "note": request.note},
        )
        uow.commit()
        return request


def _decide(
    uow: UnitOfWork, approver: Actor, request: RefundRequest, status: RequestStatus
) -> None:
    request.status = status.value
    request.decided_by, request.decided_at = approver.name, uow.clock.now()


def get_refund_request(uow: UnitOfWork, actor: Actor, request_id: int) -> RefundRequest:
    actor.require(Permission.LEDGER_READ)
    with uow:
        request = owned(uow.session, RefundRequest, actor.company_id, request_id, "refund request")
        actor.require_customer_scope(request.customer_id, "refund request", request_id)
        return request


def list_refund_requests(
    uow: UnitOfWork, actor: Actor, status: RequestStatus | None = RequestStatus.PENDING
) -> list[RefundRequest]:
    """Refund requests, oldest first: by default those still waiting for a decision."""
    actor.require(Permission.LEDGER_READ)
    conditions = [RefundRequest.company_id == actor.company_id]
    if status is not None:
        conditions.append(RefundRequest.status == status.value)
    customer_id = actor.customer_filter(None)
    if customer_id is not None:
        conditions.append(RefundRequest.customer_id == customer_id)
    with uow:
        query = select(RefundRequest).where(*conditions).order_by(RefundRequest.id)
        return list(uow.session.scalars(query))


def get_refund_limit(uow: UnitOfWork, actor: Actor) -> int:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return approval_limit(uow, actor.company_id)


def set_refund_limit(uow: UnitOfWork, actor: Actor, approval_above_minor: int) -> int:
    """Change the company's refund approval limit (base currency, minor units)."""
    actor.require(Permission.COMPANY_ADMIN)
    if approval_above_minor < 0:
        raise ValidationFailed([FieldError("approval_above_minor", "must not be negative")])
    with uow:
        row = uow.session.scalar(
            select(RefundSettings)
            .where(RefundSettings.company_id == actor.company_id)
            .with_for_update()
        )
        if row is None:
            row = RefundSettings(company_id=actor.company_id)
            uow.session.add(row)
        row.approval_above_minor = approval_above_minor
        row.updated_at, row.updated_by = uow.clock.now(), actor.name
        audit(
            uow,
            actor,
            "refund_settings.set",
            "refund_settings",
            actor.company_id,
            {"approval_above_minor": approval_above_minor},
        )
        uow.commit()
        return approval_above_minor
