"""Deduction use cases, and the read contracts other domains call (collections, timelines).

Opening a deduction validates it against the company's rules, routes it to the owner of its
reason and dates it by the reason's SLA. Only a difference within the tolerance is written
off at once (through the ledger); every other deduction stays open on its invoice until an
outcome (`disputes.outcomes`) settles it or sends it back to collections.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from o2c.db.bulk import insert_ids
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.disputes import history
from o2c.disputes.model import (
    CLOSED_CASE,
    OPEN_DEDUCTION,
    DeductionCheck,
    DeductionCreate,
    DeductionStatus,
    Outcome,
    Subject,
    check_deduction,
    due_on,
    require_open_deduction,
)
from o2c.disputes.policy import agreements_for, reasons_of, settings_of
from o2c.disputes.rules import ItemFacts, Verdict, classify, map_reason
from o2c.disputes.tables import Deduction, DisputeCase, DisputeLine
from o2c.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.service import ApplyCommand, apply_items
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Permission, Role
from o2c.security.service import audit, audit_many

_STATUS_OF = {
    DeductionCheck.DISCOUNT: DeductionStatus.VALID,
    DeductionCheck.AGREEMENT: DeductionStatus.VALID,
    DeductionCheck.TOLERANCE: DeductionStatus.RESOLVED,
    DeductionCheck.REVIEW: DeductionStatus.OPEN,
}


def rule_actor(actor: Actor, rule: str) -> Actor:
    """The actor a company rule acts as (a tolerance write-off, a chargeback's transfer).

    Cash appliers open deductions without the write-off permission; a difference within the
    tolerance the company configured is written off by that rule, as cash application does
    with its own tolerance, and the audit trail names both the rule and the person.
    """
    return Actor(
        f"{actor.name} (rule: {rule})"[:120], actor.company_id, frozenset({Role.CONTROLLER})
    )


def _require_opener(actor: Actor) -> None:
    if not (actor.can(Permission.PAYMENT_APPLY) or actor.can(Permission.DISPUTE_MANAGE)):
        raise PermissionDenied(f"{actor.name} may not open deductions")


def _facts(
    uow: UnitOfWork, actor: Actor, commands: Sequence[DeductionCreate]
) -> dict[int, ItemFacts]:
    """The invoices the deductions are taken from; every command naming a wrong one refused."""
    ids = sorted({c.item_id for c in commands})
    rows = uow.session.execute(
        select(
            OpenItem.id,
            OpenItem.customer_id,
            OpenItem.kind,
            OpenItem.amount_minor,
            OpenItem.currency,
            OpenItem.doc_date,
            OpenItem.discount_minor,
            OpenItem.discount_date,
        ).where(OpenItem.company_id == actor.company_id, OpenItem.id.in_(ids))
    ).all()
    found = {row.id: row for row in rows}
    errors = []
    for index, command in enumerate(commands):
        row = found.get(command.item_id)
        if row is None or row.kind != ItemKind.INVOICE.value:
            errors.append(FieldError(f"[{index}].item_id", "not an invoice of this company"))
        elif row.customer_id != command.customer_id or row.currency != command.currency:
            errors.append(FieldError(f"[{index}].item_id", "another customer's or currency"))
    if errors:
        raise ValidationFailed(errors)
    return {
        row.id: ItemFacts(
            row.amount_minor, row.currency, row.doc_date, row.discount_minor, row.discount_date
        )
        for row in rows
    }


def open_deductions(
    uow: UnitOfWork, actor: Actor, commands: Sequence[DeductionCreate]
) -> list[int]:
    """Open many deductions set-based (a match run's short pays); returns their ids in order.

    Each is checked against the rules (discount within terms, tolerance, agreements), given
    the reason its remittance code maps to, and routed to that reason's team and owner.
    """
    _require_opener(actor)
    if not commands:
        return []
    with uow:
        errors = [e for i, c in enumerate(commands) for e in check_deduction(c, f"[{i}].")]
        if errors:
            raise ValidationFailed(errors)
        facts = _facts(uow, actor, commands)
        settings = settings_of(uow, actor.company_id)
        reasons = {r.code: r for r in reasons_of(uow, actor.company_id)}
        agreements = agreements_for(uow, actor.company_id, {c.customer_id for c in commands})
        today, now = uow.clock.today(), uow.clock.now()
        verdicts: list[Verdict] = [
            classify(
                c.amount_minor,
                facts[c.item_id],
                c.paid_on or today,
                settings.policy,
                agreements.get(c.customer_id, []),
            )
            for c in commands
        ]
        reason_codes = [
            map_reason(list(reasons.values()), c.reason_code, c.reason_text) for c in commands
        ]
        ids = insert_ids(
            uow.session,
            Deduction,
            [
                _row(actor, c, v, reasons[code].team, reasons[code].owner, now)
                | {"reason": code, "due_date": due_on(today, reasons[code].sla_days)}
                for c, v, code in zip(commands, verdicts, reason_codes, strict=True)
            ],
        )
        _write_off_tolerated(uow, actor, commands, verdicts, ids)
        for status in DeductionStatus:
            chosen = [
                i for i, v in zip(ids, verdicts, strict=True) if _STATUS_OF[v.check] is status
            ]
            if chosen:
                history.record(uow, actor, Subject.DEDUCTION, chosen, "opened", None, status.value)
        _announce(uow, actor, commands, ids)
        uow.commit()
        return ids


def _row(
    actor: Actor, c: DeductionCreate, verdict: Verdict, team: str, owner: str, now: datetime
) -> dict[str, object]:
    resolved = verdict.check is DeductionCheck.TOLERANCE
    return {
        "company_id": actor.company_id,
        "customer_id": c.customer_id,
        "item_id": c.item_id,
        "currency": c.currency,
        "amount_minor": c.amount_minor,
        "reason_code": c.reason_code,
        "reason_text": c.reason_text[:500],
        "status": _STATUS_OF[verdict.check].value,
        "bank_line_ref": c.bank_line_ref[:120],
        "created_at": now,
        "created_by": actor.name,
        "rule": verdict.check.value,
        "agreement_id": verdict.agreement_id,
        "owner": owner,
        "team": team,
        "outcome": Outcome.AUTO_WRITE_OFF.value if resolved else None,
        "settled_minor": c.amount_minor if resolved else None,
        "document_id": None,
        "resolved_at": now if resolved else None,
        "resolved_by": rule_actor(actor, "deduction tolerance").name if resolved else None,
    }


def _write_off_tolerated(
    uow: UnitOfWork,
    actor: Actor,
    commands: Sequence[DeductionCreate],
    verdicts: Sequence[Verdict],
    ids: Sequence[int],
) -> None:
    """Write off, in one ledger call, the deductions within the company's tolerance."""
    today = uow.clock.today()
    tolerated = [
        ApplyCommand(c.item_id, None, 0, today, writeoff=c.amount_minor, memo=f"deduction {i}")
        for c, v, i in zip(commands, verdicts, ids, strict=True)
        if v.check is DeductionCheck.TOLERANCE
    ]
    if tolerated:
        apply_items(uow, rule_actor(actor, "deduction tolerance"), tolerated)


def _announce(
    uow: UnitOfWork, actor: Actor, commands: Sequence[DeductionCreate], ids: Sequence[int]
) -> None:
    audit_many(
        uow,
        actor,
        "deduction.open",
        "deduction",
        (
            (i, {"item_id": c.item_id, "amount_minor": c.amount_minor})
            for i, c in zip(ids, commands, strict=True)
        ),
    )
    uow.publish_many(
        actor.company_id,
        "deduction.opened",
        [
            {
                "id": i,
                "item_id": c.item_id,
                "customer_id": c.customer_id,
                "amount_minor": c.amount_minor,
            }
            for i, c in zip(ids, commands, strict=True)
        ],
    )


def open_deduction(uow: UnitOfWork, actor: Actor, command: DeductionCreate) -> Deduction:
    """Open one deduction: the customer kept `amount_minor` of the invoice back, for a reason."""
    with uow:
        [deduction_id] = open_deductions(uow, actor, [command])
        deduction = uow.session.get(Deduction, deduction_id)
        assert deduction is not None
        uow.commit()
        return deduction


def get_deduction(uow: UnitOfWork, actor: Actor, deduction_id: int) -> Deduction:
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = owned(uow.session, Deduction, actor.company_id, deduction_id, "deduction")
        actor.require_customer_scope(row.customer_id, "deduction", deduction_id)
        return row


@dataclass(frozen=True, slots=True)
class DeductionFilter:
    status: DeductionStatus | None = None
    customer_id: int | None = None
    owner: str | None = None
    limit: int = 50
    offset: int = 0


def list_deductions(
    uow: UnitOfWork, actor: Actor, filters: DeductionFilter
) -> tuple[list[Deduction], int]:
    """One page of deductions, newest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    conditions = [Deduction.company_id == actor.company_id]
    if filters.status is not None:
        conditions.append(Deduction.status == filters.status.value)
    customer_id = actor.customer_filter(filters.customer_id)
    if customer_id is not None:
        conditions.append(Deduction.customer_id == customer_id)
    if filters.owner is not None:
        conditions.append(Deduction.owner == filters.owner)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(Deduction).where(*conditions))
        rows = uow.session.scalars(
            select(Deduction)
            .where(*conditions)
            .order_by(Deduction.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        ).all()
        return list(rows), int(total or 0)


def accept_deduction(uow: UnitOfWork, actor: Actor, deduction_id: int, note: str) -> Deduction:
    """A reviewer finds a deduction justified: it is valid and waits for its credit or write-off."""
    actor.require(Permission.DISPUTE_MANAGE)
    with uow:
        row = owned(uow.session, Deduction, actor.company_id, deduction_id, "deduction", lock=True)
        require_open_deduction(row.status, row.id)
        if row.status == DeductionStatus.VALID:
            return row
        history.record(
            uow, actor, Subject.DEDUCTION, [row.id], "accepted", row.status, "valid", {"note": note}
        )
        row.status = DeductionStatus.VALID.value
        audit(uow, actor, "deduction.accept", "deduction", row.id, {"note": note})
        uow.commit()
        return row


def deductions_of_items(uow: UnitOfWork, actor: Actor, item_ids: Sequence[int]) -> list[Deduction]:
    """The deductions kept open on these invoice items, oldest first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(Deduction)
                .where(Deduction.company_id == actor.company_id, Deduction.item_id.in_(item_ids))
                .order_by(Deduction.id)
            )
        )


def disputed_minor_by_item(
    uow: UnitOfWork, company_id: int, item_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Open item id → minor units under open dispute or deduction: what collections must not chase.

    Collections pauses on exactly this amount, so a disputed part of an invoice is never dunned
    while the undisputed rest still is. A case counts until it is resolved or rejected, a
    deduction until an outcome settles it or sends it back.
    """
    deductions = (
        select(Deduction.item_id, func.sum(Deduction.amount_minor))
        .where(
            Deduction.company_id == company_id,
            Deduction.status.in_([s.value for s in OPEN_DEDUCTION]),
        )
        .group_by(Deduction.item_id)
    )
    cases = (
        select(DisputeLine.item_id, func.sum(DisputeLine.amount_minor))
        .join(DisputeCase, DisputeCase.id == DisputeLine.case_id)
        .where(
            DisputeLine.company_id == company_id,
            DisputeCase.status.not_in([s.value for s in CLOSED_CASE]),
        )
        .group_by(DisputeLine.item_id)
    )
    if item_ids is not None:
        wanted = list(item_ids)
        deductions = deductions.where(Deduction.item_id.in_(wanted))
        cases = cases.where(DisputeLine.item_id.in_(wanted))
    totals: dict[int, int] = {}
    with uow:
        for query in (deductions, cases):
            for item_id, total in uow.session.execute(query):
                totals[item_id] = totals.get(item_id, 0) + int(total)
    return totals


@dataclass(frozen=True, slots=True)
class DisputeSummary:
    """One case or deduction as a customer's timeline shows it."""

    kind: Subject
    id: int
    status: str
    reason: str
    amount_minor: int
    currency: str
    opened_at: datetime
    due_date: date | None
    closed_at: datetime | None
    outcome: str | None
    owner: str


def customer_disputes(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[DisputeSummary]:
    """Every case and deduction of one customer, newest first (the collections timeline)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        cases = uow.session.scalars(
            select(DisputeCase).where(
                DisputeCase.company_id == actor.company_id, DisputeCase.customer_id == customer_id
            )
        ).all()
        deductions = uow.session.scalars(
            select(Deduction).where(
                Deduction.company_id == actor.company_id, Deduction.customer_id == customer_id
            )
        ).all()
    summaries = [
        DisputeSummary(
            Subject.CASE,
            c.id,
            c.status,
            c.reason,
            c.amount_minor,
            c.currency,
            c.created_at,
            c.due_date,
            c.resolved_at,
            c.outcome,
            c.owner,
        )
        for c in cases
    ] + [
        DisputeSummary(
            Subject.DEDUCTION,
            d.id,
            d.status,
            d.reason,
            d.amount_minor,
            d.currency,
            d.created_at,
            d.due_date,
            d.resolved_at,
            d.outcome,
            d.owner,
        )
        for d in deductions
    ]
    summaries.sort(key=lambda s: (s.opened_at, s.kind == Subject.CASE, s.id), reverse=True)
    return summaries
