"""Dispute case use cases: raise, move through the workflow, assign, comment, attach, read.

Every change writes an event row (who, when, from which state to which) in the same
transaction, so a case's history is complete by construction. Closing a case is not a move:
it takes an outcome (`disputes.outcomes`), which posts to the ledger or tells the customer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from o2c.billing import service as billing
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.disputes import history
from o2c.disputes.model import (
    CaseCreate,
    CaseStatus,
    Priority,
    Subject,
    check_case,
    check_move,
    due_on,
    require_open_case,
)
from o2c.disputes.policy import reason_named
from o2c.disputes.rules import check_attachment
from o2c.disputes.tables import (
    Deduction,
    DisputeAttachment,
    DisputeCase,
    DisputeComment,
    DisputeEvent,
    DisputeLine,
)
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


def _lines_checked(uow: UnitOfWork, actor: Actor, command: CaseCreate) -> list[OpenItem]:
    """The open items the case names, each one an invoice of the customer with enough open."""
    errors: list[FieldError] = []
    items = []
    for index, line in enumerate(command.lines):
        where = f"lines[{index}]"
        item = uow.session.get(OpenItem, line.item_id)
        if item is None or item.company_id != actor.company_id or item.kind != ItemKind.INVOICE:
            errors.append(FieldError(f"{where}.item_id", "not an invoice of this company"))
            continue
        if item.customer_id != command.customer_id:
            errors.append(FieldError(f"{where}.item_id", "an invoice of another customer"))
        if line.amount_minor > item.open_minor:
            errors.append(FieldError(f"{where}.amount", f"more than the open {item.open_minor}"))
        if line.invoice_line_id is not None:
            details = billing.invoice_details(uow, actor, item.source_id)
            if line.invoice_line_id not in {x.id for x in details.lines}:
                errors.append(FieldError(f"{where}.invoice_line_id", "not a line of the invoice"))
        items.append(item)
    if len({item.currency for item in items}) > 1:
        errors.append(
            FieldError("lines", "invoices in different currencies: raise one per currency")
        )
    if errors:
        raise ValidationFailed(errors)
    return items


def raise_case(uow: UnitOfWork, actor: Actor, command: CaseCreate) -> DisputeCase:
    """Open a dispute on invoices; routed to the reason's team and owner, due by its SLA."""
    actor.require(Permission.DISPUTE_MANAGE)
    errors = check_case(command)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        reason = reason_named(uow, actor.company_id, command.reason)
        items = _lines_checked(uow, actor, command)
        today, now = uow.clock.today(), uow.clock.now()
        case = DisputeCase(
            company_id=actor.company_id,
            customer_id=command.customer_id,
            reason=reason.code,
            status=CaseStatus.OPEN.value,
            priority=command.priority.value,
            source=command.source.value,
            title=(
                command.title or f"{reason.name}: {', '.join(i.document_number for i in items)}"
            )[:200],
            description=command.description,
            currency=items[0].currency,
            amount_minor=sum(line.amount_minor for line in command.lines),
            owner=command.owner if command.owner is not None else reason.owner,
            team=command.team if command.team is not None else reason.team,
            opened_on=today,
            due_date=due_on(today, reason.sla_days),
            created_at=now,
            created_by=actor.name,
        )
        uow.session.add(case)
        uow.session.flush()
        uow.session.add_all(
            DisputeLine(
                company_id=actor.company_id,
                case_id=case.id,
                item_id=line.item_id,
                invoice_id=item.source_id,
                invoice_line_id=line.invoice_line_id,
                amount_minor=line.amount_minor,
            )
            for line, item in zip(command.lines, items, strict=True)
        )
        history.record(
            uow,
            actor,
            Subject.CASE,
            [case.id],
            "opened",
            None,
            case.status,
            {"amount_minor": case.amount_minor, "reason": case.reason},
        )
        audit(uow, actor, "dispute.open", "dispute_case", case.id, {"amount": case.amount_minor})
        uow.publish(
            actor.company_id,
            "dispute.opened",
            {"id": case.id, "customer_id": case.customer_id, "amount_minor": case.amount_minor},
        )
        uow.commit()
        return case


def _case(uow: UnitOfWork, actor: Actor, case_id: int, lock: bool = False) -> DisputeCase:
    case = owned(uow.session, DisputeCase, actor.company_id, case_id, "dispute", lock=lock)
    actor.require_customer_scope(case.customer_id, "dispute", case_id)
    return case


def move_case(
    uow: UnitOfWork, actor: Actor, case_id: int, target: CaseStatus, note: str = ""
) -> DisputeCase:
    """Move a case along the workflow (open → in review → awaiting customer, and back)."""
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        case = _case(uow, actor, case_id, lock=True)
        check_move(CaseStatus(case.status), target)
        history.record(
            uow, actor, Subject.CASE, [case.id], "moved", case.status, target.value, {"note": note}
        )
        case.status = target.value
        if note.strip():
            note_on(uow, actor, Subject.CASE, case.id, note, to_customer=False)
        audit(uow, actor, "dispute.move", "dispute_case", case.id, {"to": target.value})
        uow.commit()
        return case


def assign(
    uow: UnitOfWork,
    actor: Actor,
    subject: Subject,
    subject_id: int,
    owner: str,
    team: str | None = None,
    priority: Priority | None = None,
) -> None:
    """Give a case or deduction to another owner (and team, and for cases a priority)."""
    actor.require(Permission.DISPUTE_MANAGE)
    if not owner.strip() or len(owner) > 120:
        raise ValidationFailed([FieldError("owner", "1 to 120 characters")])
    with uow:
        row: DisputeCase | Deduction
        if subject is Subject.CASE:
            row = _case(uow, actor, subject_id, lock=True)
            require_open_case(row.status, row.id)
            if priority is not None:
                row.priority = priority.value
        else:
            row = owned(
                uow.session, Deduction, actor.company_id, subject_id, "deduction", lock=True
            )
        before = row.owner
        row.owner = owner
        row.team = team if team is not None else row.team
        history.record(
            uow,
            actor,
            subject,
            [subject_id],
            "assigned",
            None,
            None,
            {"from": before, "to": owner, "team": row.team, "priority": priority},
        )
        audit(uow, actor, f"{subject.value}.assign", subject.value, subject_id, {"owner": owner})
        uow.commit()


def _subject_row(
    uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int
) -> DisputeCase | Deduction:
    if subject is Subject.CASE:
        return _case(uow, actor, subject_id)
    return owned(uow.session, Deduction, actor.company_id, subject_id, "deduction")


def note_on(
    uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int, body: str, to_customer: bool
) -> DisputeComment:
    comment = DisputeComment(
        company_id=actor.company_id,
        subject=subject.value,
        subject_id=subject_id,
        author=actor.name,
        body=body,
        to_customer=to_customer,
        at=uow.clock.now(),
    )
    uow.session.add(comment)
    uow.session.flush()
    return comment


def add_comment(
    uow: UnitOfWork,
    actor: Actor,
    subject: Subject,
    subject_id: int,
    body: str,
    to_customer: bool = False,
) -> DisputeComment:
    """Note something on a case or deduction; `to_customer` notes are sent to the customer."""
    actor.require(Permission.DISPUTE_MANAGE)
    if not body.strip() or len(body) > 10_000:
        raise ValidationFailed([FieldError("body", "1 to 10,000 characters")])
    with uow:
        _subject_row(uow, actor, subject, subject_id)
        comment = note_on(uow, actor, subject, subject_id, body, to_customer)
        history.record(
            uow, actor, subject, [subject_id], "commented", None, None, {"comment": comment.id}
        )
        if to_customer:
            uow.publish(
                actor.company_id,
                "dispute.customer_note",
                {"subject": subject.value, "id": subject_id, "comment": comment.id},
            )
        uow.commit()
        return comment


def add_attachment(
    uow: UnitOfWork,
    actor: Actor,
    subject: Subject,
    subject_id: int,
    filename: str,
    content_type: str,
    data: bytes,
) -> DisputeAttachment:
    """Keep a file with a case or deduction, refused when too large or of a type not allowed."""
    actor.require(Permission.DISPUTE_MANAGE)
    errors = check_attachment(filename, content_type, data)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        _subject_row(uow, actor, subject, subject_id)
        attachment = DisputeAttachment(
            company_id=actor.company_id,
            subject=subject.value,
            subject_id=subject_id,
            filename=filename,
            content_type=content_type.split(";")[0].strip().lower(),
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            uploaded_by=actor.name,
            uploaded_at=uow.clock.now(),
        )
        uow.session.add(attachment)
        uow.session.flush()
        history.record(
            uow,
            actor,
            subject,
            [subject_id],
            "attached",
            None,
            None,
            {"attachment": attachment.id, "filename": filename, "bytes": len(data)},
        )
        audit(uow, actor, "dispute.attach", subject.value, subject_id, {"file": filename})
        uow.commit()
        return attachment


def get_attachment(uow: UnitOfWork, actor: Actor, attachment_id: int) -> DisputeAttachment:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, DisputeAttachment, actor.company_id, attachment_id, "attachment")


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Trail:
    """Everything said and done on a case or deduction, oldest first."""

    events: list[DisputeEvent]
    comments: list[DisputeComment]
    attachments: list[AttachmentInfo]


def trail_of(uow: UnitOfWork, actor: Actor, subject: Subject, subject_id: int) -> Trail:
    actor.require(Permission.LEDGER_READ)
    where = (
        DisputeAttachment.company_id == actor.company_id,
        DisputeAttachment.subject == subject.value,
        DisputeAttachment.subject_id == subject_id,
    )
    with uow:
        _subject_row(uow, actor, subject, subject_id)
        comments = uow.session.scalars(
            select(DisputeComment)
            .where(
                DisputeComment.company_id == actor.company_id,
                DisputeComment.subject == subject.value,
                DisputeComment.subject_id == subject_id,
            )
            .order_by(DisputeComment.id)
        ).all()
        files = uow.session.execute(
            select(
                DisputeAttachment.id,
                DisputeAttachment.filename,
                DisputeAttachment.content_type,
                DisputeAttachment.size_bytes,
                DisputeAttachment.sha256,
                DisputeAttachment.uploaded_by,
                DisputeAttachment.uploaded_at,
            )
            .where(*where)
            .order_by(DisputeAttachment.id)
        ).all()
        return Trail(
            history.events_of(uow, actor.company_id, subject, subject_id),
            list(comments),
            [AttachmentInfo(*row) for row in files],
        )


@dataclass(frozen=True)
class CaseDetails:
    case: DisputeCase
    lines: list[DisputeLine]


def get_case(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseDetails:
    actor.require(Permission.LEDGER_READ)
    with uow:
        case = _case(uow, actor, case_id)
        lines = uow.session.scalars(
            select(DisputeLine).where(DisputeLine.case_id == case.id).order_by(DisputeLine.id)
        ).all()
        return CaseDetails(case, list(lines))


@dataclass(frozen=True)
class CaseFilter:
    status: CaseStatus | None = None
    customer_id: int | None = None
    owner: str | None = None
    reason: str | None = None
    overdue: bool = False
    limit: int = 50
    offset: int = 0


def list_cases(uow: UnitOfWork, actor: Actor, filters: CaseFilter) -> tuple[list[DisputeCase], int]:
    """One page of cases, most urgent due date first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    conditions = [DisputeCase.company_id == actor.company_id]
    if filters.status is not None:
        conditions.append(DisputeCase.status == filters.status.value)
    customer_id = actor.customer_filter(filters.customer_id)
    if customer_id is not None:
        conditions.append(DisputeCase.customer_id == customer_id)
    if filters.owner is not None:
        conditions.append(DisputeCase.owner == filters.owner)
    if filters.reason is not None:
        conditions.append(DisputeCase.reason == filters.reason)
    with uow:
        if filters.overdue:
            conditions.append(DisputeCase.due_date < uow.clock.today())
            conditions.append(DisputeCase.status.not_in(["resolved", "rejected"]))
        total = uow.session.scalar(select(func.count()).select_from(DisputeCase).where(*conditions))
        rows = uow.session.scalars(
            select(DisputeCase)
            .where(*conditions)
            .order_by(DisputeCase.due_date, DisputeCase.id)
            .limit(filters.limit)
            .offset(filters.offset)
        ).all()
        return list(rows), int(total or 0)
