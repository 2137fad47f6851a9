"""Deduction use cases: open deductions (one or a whole match run's at once) and read them.

Opening a deduction posts nothing: the short-paid amount is still owed on the invoice, and
only resolving the deduction (credit note, write-off or payment) changes the ledger.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from o2c.db.bulk import insert_ids
from o2c.db.uow import UnitOfWork
from o2c.disputes.model import DeductionCreate, DeductionStatus, check_deduction
from o2c.disputes.tables import Deduction
from o2c.kernel.errors import ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit_many


def open_deductions(
    uow: UnitOfWork, actor: Actor, commands: Sequence[DeductionCreate]
) -> list[int]:
    """Open many deductions set-based (a match run's short pays); returns their ids in order."""
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        errors = [e for i, c in enumerate(commands) for e in check_deduction(c, f"[{i}].")]
        if errors:
            raise ValidationFailed(errors)
        now = uow.clock.now()
        ids = insert_ids(
            uow.session,
            Deduction,
            [
                {
                    "company_id": actor.company_id,
                    "customer_id": c.customer_id,
                    "item_id": c.item_id,
                    "currency": c.currency,
                    "amount_minor": c.amount_minor,
                    "reason_code": c.reason_code,
                    "reason_text": c.reason_text[:500],
                    "status": DeductionStatus.OPEN.value,
                    "bank_line_ref": c.bank_line_ref[:120],
                    "created_at": now,
                    "created_by": actor.name,
                }
                for c in commands
            ],
        )
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
        uow.commit()
        return ids


def open_deduction(uow: UnitOfWork, actor: Actor, command: DeductionCreate) -> Deduction:
    """Open one deduction: the customer kept `amount_minor` of the invoice back, for a reason."""
    with uow:
        [deduction_id] = open_deductions(uow, actor, [command])
        deduction = uow.session.get(Deduction, deduction_id)
        assert deduction is not None
        uow.commit()
        return deduction


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
    while the undisputed rest still is.
    """
    query = (
        select(Deduction.item_id, func.sum(Deduction.amount_minor))
        .where(
            Deduction.company_id == company_id,
            Deduction.status == DeductionStatus.OPEN.value,
        )
        .group_by(Deduction.item_id)
    )
    if item_ids is not None:
        query = query.where(Deduction.item_id.in_(list(item_ids)))
    with uow:
        return {item_id: int(total) for item_id, total in uow.session.execute(query)}
