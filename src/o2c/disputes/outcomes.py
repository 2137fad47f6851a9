"""Outcomes that settle a case or deduction, each posting through the domain that owns it.

- credit note: billing credits the invoice (in part or in full) and applies the note to it;
- write-off: the ledger writes the open amount off, after a second person's approval when
  it is above the company's limit (the approver is never the requester);
- re-bill: a full credit note, a corrected invoice, and the note's rest applied to it;
- rejection: nothing posts; the amount goes back to collections and the customer is told why;
- chargeback (deductions): the deducted amount is billed again as its own invoice and cleared
  from the original one, so it is collected as a new document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from o2c.billing import service as billing
from o2c.billing.model import CreditLine, InvoiceCreate, LineCreate
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.disputes import history
from o2c.disputes.cases import note_on
from o2c.disputes.model import (
    CaseStatus,
    CreditRequest,
    DeductionStatus,
    Outcome,
    RequestStatus,
    Subject,
    check_segregation,
    require_open_case,
    require_open_deduction,
)
from o2c.disputes.policy import settings_of
from o2c.disputes.service import rule_actor
from o2c.disputes.tables import Deduction, DisputeCase, DisputeLine, WriteOffRequest
from o2c.kernel.errors import FieldError, InvalidTransition, ValidationFailed
from o2c.ledger.model import to_base
from o2c.ledger.service import ApplyCommand, apply_items, rate_on
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company


@dataclass
class Target:
    """A case or deduction being settled, row-locked, with its disputed amount per open item."""

    subject: Subject
    row: DisputeCase | Deduction
    parts: list[tuple[int, int]]

    @property
    def amount(self) -> int:
        return sum(amount for _, amount in self.parts)


def _target(uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int) -> Target:
    if subject is Subject.CASE:
        case = owned(uow.session, DisputeCase, actor.company_id, subject_id, "dispute", lock=True)
        require_open_case(case.status, case.id)
        lines = uow.session.scalars(
            select(DisputeLine).where(DisputeLine.case_id == case.id).order_by(DisputeLine.id)
        ).all()
        return Target(subject, case, [(line.item_id, line.amount_minor) for line in lines])
    deduction = owned(uow.session, Deduction, actor.company_id, subject_id, "deduction", lock=True)
    require_open_deduction(deduction.status, deduction.id)
    return Target(subject, deduction, [(deduction.item_id, deduction.amount_minor)])


def _no_pending_request(uow: UnitOfWork, target: Target) -> None:
    pending = uow.session.scalar(
        select(WriteOffRequest.id).where(
            WriteOffRequest.company_id == target.row.company_id,
            WriteOffRequest.subject == target.subject.value,
            WriteOffRequest.subject_id == target.row.id,
            WriteOffRequest.status == RequestStatus.PENDING.value,
        )
    )
    if pending is not None:
        raise InvalidTransition(f"write-off request {pending} is waiting for approval")


def _open_target(uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int) -> Target:
    target = _target(uow, actor, subject, subject_id)
    _no_pending_request(uow, target)
    return target


def _close(
    uow: UnitOfWork,
    actor: Actor,
    target: Target,
    outcome: Outcome,
    settled: int,
    document_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Record the outcome on the case or deduction, its event, audit record and announcement."""
    row = target.row
    rejected = outcome is Outcome.REJECTION
    if target.subject is Subject.CASE:
        after = (CaseStatus.REJECTED if rejected else CaseStatus.RESOLVED).value
    else:
        after = (DeductionStatus.REJECTED if rejected else DeductionStatus.RESOLVED).value
    details = {"outcome": outcome.value, "settled_minor": settled, "document_id": document_id}
    details |= data or {}
    history.record(uow, actor, target.subject, [row.id], outcome.value, row.status, after, details)
    row.status, row.outcome, row.settled_minor = after, outcome.value, settled
    row.document_id, row.resolved_at, row.resolved_by = document_id, uow.clock.now(), actor.name
    audit(
        uow, actor, f"{target.subject.value}.{outcome.value}", target.subject.value, row.id, details
    )
    uow.publish(
        actor.company_id,
        f"{'dispute' if target.subject is Subject.CASE else 'deduction'}.{after}",
        {"id": row.id, "customer_id": row.customer_id, "amount_minor": row.amount_minor} | details,
    )


def _items(uow: UnitOfWork, target: Target) -> dict[int, OpenItem]:
    ids = [item_id for item_id, _ in target.parts]
    rows = uow.session.scalars(select(OpenItem).where(OpenItem.id.in_(ids))).all()
    return {row.id: row for row in rows}


def _invoice_of(uow: UnitOfWork, target: Target, invoice_id: int | None) -> tuple[int, int]:
    """The invoice (and its open item) an outcome acts on: the only one, or the one named."""
    by_invoice = {item.source_id: item.id for item in _items(uow, target).values()}
    if invoice_id is None:
        if len(by_invoice) != 1:
            raise ValidationFailed([FieldError("invoice_id", "name which of the invoices")])
        [(invoice_id, item_id)] = by_invoice.items()
        return invoice_id, item_id
    if invoice_id not in by_invoice:
        raise ValidationFailed([FieldError("invoice_id", "not an invoice of this dispute")])
    return invoice_id, by_invoice[invoice_id]


def credit(
    uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int, request: CreditRequest
) -> int:
    """Settle by a credit note (in full or for some lines); returns the credit note's id.

    Billing applies the note to what is still open on the invoice; if it credits less than
    was disputed, the rest is no longer disputed and goes back to collections.
    """
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        target = _open_target(uow, actor, subject, subject_id)
        invoice_id, _ = _invoice_of(uow, target, request.invoice_id)
        lines = None
        if request.lines is not None:
            lines = [CreditLine(p.invoice_line_id, p.quantity, p.unit_price) for p in request.lines]
        reason = f"{subject.value} {subject_id} ({target.row.reason})" + (
            f": {request.note}" if request.note else ""
        )
        note = billing.create_credit_note(uow, actor, invoice_id, lines, reason)
        settled = min(note.total_minor, target.amount)
        _close(uow, actor, target, Outcome.CREDIT_NOTE, settled, note.id, {"number": note.number})
        uow.commit()
        return note.id


@dataclass(frozen=True)
class WriteOffResult:
    """Either written off (`application_ids`) or waiting for approval (`request_id`)."""

    request_id: int | None
    application_ids: list[int]


def _write_off_parts(uow: UnitOfWork, target: Target) -> list[tuple[int, int]]:
    """Each item's disputed amount, capped at what is still open on it."""
    items = _items(uow, target)
    parts = [(i, min(amount, max(items[i].open_minor, 0))) for i, amount in target.parts]
    parts = [(i, amount) for i, amount in parts if amount > 0]
    if not parts:
        raise InvalidTransition("nothing of the disputed amount is still open to write off")
    return parts


def _post_write_off(
    uow: UnitOfWork, actor: Actor, target: Target, parts: Sequence[tuple[int, int]], memo: str
) -> list[int]:
    today = uow.clock.today()
    return apply_items(
        uow,
        actor,
        [ApplyCommand(i, None, 0, today, writeoff=amount, memo=memo) for i, amount in parts],
    )


def write_off(
    uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int, note: str = ""
) -> WriteOffResult:
    """Write off the disputed amount, or ask for approval when it is above the company's limit."""
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        target = _open_target(uow, actor, subject, subject_id)
        parts = _write_off_parts(uow, target)
        total = sum(amount for _, amount in parts)
        currency = target.row.currency
        base_currency = get_company(uow, actor.company_id).base_currency
        rate = rate_on(uow, actor.company_id, currency, uow.clock.today())
        if (
            to_base(total, currency, base_currency, rate)
            > settings_of(uow, actor.company_id).approval_above_minor
        ):
            request = WriteOffRequest(
                company_id=actor.company_id,
                subject=subject.value,
                subject_id=subject_id,
                currency=currency,
                amount_minor=total,
                status=RequestStatus.PENDING.value,
                note=note[:500],
                requested_by=actor.name,
                requested_at=uow.clock.now(),
            )
            uow.session.add(request)
            uow.session.flush()
            history.record(
                uow,
                actor,
                subject,
                [subject_id],
                "write_off_requested",
                None,
                None,
                {"request": request.id, "amount_minor": total},
            )
            uow.publish(
                actor.company_id,
                "write_off.requested",
                {"id": request.id, "subject": subject.value, "subject_id": subject_id},
            )
            uow.commit()
            return WriteOffResult(request.id, [])
        ids = _post_write_off(
            uow, actor, target, parts, f"{subject.value} {subject_id} written off"
        )
        _close(uow, actor, target, Outcome.WRITE_OFF, total, data={"note": note})
        uow.commit()
        return WriteOffResult(None, ids)


def _pending(uow: UnitOfWork, actor: Actor, request_id: int) -> WriteOffRequest:
    request = owned(
        uow.session, WriteOffRequest, actor.company_id, request_id, "write-off request", lock=True
    )
    if request.status != RequestStatus.PENDING:
        raise InvalidTransition(f"write-off request {request_id} is already {request.status}")
    return request


def approve_write_off(uow: UnitOfWork, approver: Actor, request_id: int) -> WriteOffResult:
    """A second person approves a write-off and it posts; the requester can never approve it."""
    approver.require(Permission.WRITE_OFF_APPROVE)
    with uow:
        request = _pending(uow, approver, request_id)
        check_segregation(request.requested_by, approver.name)
        subject = Subject(request.subject)
        target = _target(uow, approver, subject, request.subject_id)
        parts = _write_off_parts(uow, target)
        memo = f"{subject.value} {request.subject_id} written off (request {request.id})"
        ids = _post_write_off(uow, approver, target, parts, memo)
        request.status = RequestStatus.APPROVED.value
        request.decided_by, request.decided_at = approver.name, uow.clock.now()
        total = sum(amount for _, amount in parts)
        data = {"request": request.id, "requested_by": request.requested_by}
        _close(uow, approver, target, Outcome.WRITE_OFF, total, data=data)
        uow.commit()
        return WriteOffResult(request.id, ids)


def decline_write_off(uow: UnitOfWork, approver: Actor, request_id: int, note: str) -> None:
    """Refuse a write-off request; the case or deduction stays open for another outcome."""
    approver.require(Permission.WRITE_OFF_APPROVE)
    with uow:
        request = _pending(uow, approver, request_id)
        check_segregation(request.requested_by, approver.name)
        request.status = RequestStatus.DECLINED.value
        request.decided_by, request.decided_at = approver.name, uow.clock.now()
        history.record(
            uow,
            approver,
            Subject(request.subject),
            [request.subject_id],
            "write_off_declined",
            None,
            None,
            {"request": request.id, "note": note},
        )
        audit(uow, approver, "write_off.decline", "write_off_request", request.id, {"note": note})
        uow.commit()


def list_requests(
    uow: UnitOfWork, actor: Actor, status: RequestStatus | None = RequestStatus.PENDING
) -> list[WriteOffRequest]:
    actor.require(Permission.LEDGER_READ)
    query = select(WriteOffRequest).where(WriteOffRequest.company_id == actor.company_id)
    if status is not None:
        query = query.where(WriteOffRequest.status == status.value)
    with uow:
        return list(uow.session.scalars(query.order_by(WriteOffRequest.id)))


def rebill(
    uow: UnitOfWork,
    actor: Actor,
    subject: Subject,
    subject_id: int,
    lines: Sequence[LineCreate],
    invoice_id: int | None = None,
) -> int:
    """Credit the invoice in full and bill it again as it should have been; returns the new id.

    The full credit note first settles what is open on the old invoice; its rest (what the
    customer already paid) is applied to the corrected invoice, so only a difference stays.
    """
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        target = _open_target(uow, actor, subject, subject_id)
        invoice_id, _ = _invoice_of(uow, target, invoice_id)
        original = billing.get_invoice(uow, actor, invoice_id)
        reason = f"re-billed: {subject.value} {subject_id} ({target.row.reason})"
        note = billing.create_credit_note(uow, actor, invoice_id, None, reason)
        command = InvoiceCreate(
            customer_id=original.customer_id,
            lines=lines,
            currency=original.currency,
            po_number=original.po_number,
            notes=f"corrects {original.number}",
        )
        corrected = billing.post_invoice(uow, actor, billing.create_invoice(uow, actor, command).id)
        items = billing.invoice_items(uow, actor.company_id, [note.id, corrected.id])
        credit_item, new_item = items[note.id], items[corrected.id]
        rest = min(-credit_item.open_minor, new_item.open_minor)
        if rest > 0:
            memo = f"{note.number} (rest) applied to {corrected.number}"
            apply_items(
                uow,
                actor,
                [ApplyCommand(new_item.id, credit_item.id, rest, uow.clock.today(), memo=memo)],
            )
        settled = max(0, min(target.amount, note.total_minor - corrected.total_minor))
        data = {"credit_note_id": note.id, "number": corrected.number}
        _close(uow, actor, target, Outcome.REBILL, settled, corrected.id, data)
        uow.commit()
        return corrected.id


def reject(
    uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int, note_to_customer: str
) -> None:
    """Refuse the dispute: the amount is owed again (collections resumes) and the customer told."""
    actor.require(Permission.DISPUTE_MANAGE)
    if not note_to_customer.strip():
        raise ValidationFailed([FieldError("note", "tell the customer why it is rejected")])
    with uow:
        target = _open_target(uow, actor, subject, subject_id)
        comment = note_on(uow, actor, subject, subject_id, note_to_customer, to_customer=True)
        data = {"comment": comment.id, "note": note_to_customer}
        _close(uow, actor, target, Outcome.REJECTION, 0, data=data)
        uow.commit()


def chargeback(uow: UnitOfWork, actor: Actor, deduction_id: int, note: str = "") -> int:
    """Bill an invalid deduction as a new invoice and clear it from the original one.

    The new invoice credits the write-off account and the original's open amount is written
    off against it, so the pair only moves the receivable (no revenue or tax twice).
    Returns the chargeback invoice's id.
    """
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        target = _open_target(uow, actor, Subject.DEDUCTION, deduction_id)
        [(item_id, amount)] = _write_off_parts(uow, target)
        item = _items(uow, target)[item_id]
        text = f"Chargeback: deduction from {item.document_number}" + (f" ({note})" if note else "")
        posted = billing.post_chargeback(uow, actor, item.customer_id, item.currency, amount, text)
        apply_items(
            uow,
            rule_actor(actor, "chargeback transfer"),
            [
                ApplyCommand(
                    item_id,
                    None,
                    0,
                    uow.clock.today(),
                    writeoff=amount,
                    memo=f"moved to chargeback {posted.number}",
                )
            ],
        )
        data = {"number": posted.number, "note": note}
        _close(uow, actor, target, Outcome.CHARGEBACK, amount, posted.invoice_id, data)
        uow.commit()
        return posted.invoice_id
