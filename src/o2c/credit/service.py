"""Credit holds: place, release, list, and the check orders make before confirming."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from o2c.credit.model import CustomerOnHold
from o2c.credit.tables import CreditHold
from o2c.db.bulk import insert_ids
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, audit_many


@dataclass(frozen=True, slots=True)
class HoldRequest:
    customer_id: int
    reason: str
    source: str = "manual"


CHUNK = 5000  # customers per IN (...), below SQLite's bound-parameter limit


def _active(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int] | None
) -> list[CreditHold]:
    query = select(CreditHold).where(
        CreditHold.company_id == company_id, CreditHold.released_at.is_(None)
    )
    if customer_ids is None:
        return list(uow.session.scalars(query.order_by(CreditHold.customer_id)))
    wanted = sorted(set(customer_ids))
    found: list[CreditHold] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found += uow.session.scalars(query.where(CreditHold.customer_id.in_(chunk)))
    return sorted(found, key=lambda h: h.customer_id)


def _require_customers(uow: UnitOfWork, company_id: int, customer_ids: list[int]) -> None:
    """NotFound naming the ids that are no customer of the company (a hold needs one)."""
    known: set[int] = set()
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        known.update(
            uow.session.scalars(
                select(Customer.id).where(Customer.company_id == company_id, Customer.id.in_(chunk))
            )
        )
    missing = [c for c in customer_ids if c not in known]
    if missing:
        raise NotFound("customer", ", ".join(map(str, missing)))


def place_hold(
    uow: UnitOfWork, actor: Actor, customer_id: int, reason: str, source: str = "manual"
) -> CreditHold:
    """Put a customer on hold; a customer already on hold keeps its first hold (returned)."""
    [hold] = place_holds(uow, actor, [HoldRequest(customer_id, reason, source)])
    return hold


def place_holds(uow: UnitOfWork, actor: Actor, requests: Sequence[HoldRequest]) -> list[CreditHold]:
    """Put many customers on hold at once (a dunning run); those already on hold keep theirs.

    Returns one hold per request, in order: the new one or the one already in force.
    """
    actor.require(Permission.CREDIT_HOLD)
    problems = [
        FieldError(f"[{i}].reason", "must not be empty")
        for i, r in enumerate(requests)
        if not r.reason.strip()
    ]
    if problems:
        raise ValidationFailed(problems)
    with uow:
        ids = {r.customer_id for r in requests}
        existing = {h.customer_id: h for h in _active(uow, actor.company_id, ids)}
        new = {r.customer_id: r for r in requests if r.customer_id not in existing}
        _require_customers(uow, actor.company_id, sorted(new))
        now = uow.clock.now()
        rows = [
            {
                "company_id": actor.company_id,
                "customer_id": r.customer_id,
                "reason": r.reason[:300],
                "source": r.source[:40],
                "placed_at": now,
                "placed_by": actor.name,
            }
            for r in new.values()
        ]
        hold_ids = insert_ids(uow.session, CreditHold, rows)
        audit_many(
            uow,
            actor,
            "credit.hold",
            "customer",
            [
                (r["customer_id"], {"hold_id": h, "reason": r["reason"], "source": r["source"]})
                for r, h in zip(rows, hold_ids, strict=True)
            ],
        )
        uow.publish_many(
            actor.company_id,
            "credit.hold_placed",
            [
                {**row, "placed_at": now.isoformat(), "hold_id": hold_id}
                for row, hold_id in zip(rows, hold_ids, strict=True)
            ],
        )
        uow.commit()
        placed = {h.customer_id: h for h in _active(uow, actor.company_id, ids)}
        return [placed[r.customer_id] for r in requests]


def release_hold(uow: UnitOfWork, actor: Actor, customer_id: int, reason: str) -> CreditHold:
    """Release the customer's hold; orders can be confirmed again."""
    actor.require(Permission.CREDIT_HOLD)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "must not be empty")])
    with uow:
        query = (
            select(CreditHold)
            .where(
                CreditHold.company_id == actor.company_id,
                CreditHold.customer_id == customer_id,
                CreditHold.released_at.is_(None),
            )
            .with_for_update()
        )
        hold = uow.session.scalar(query)
        if hold is None:
            raise NotFound("credit hold of customer", customer_id)
        hold.released_at = uow.clock.now()
        hold.released_by = actor.name
        hold.release_reason = reason[:300]
        audit(
            uow,
            actor,
            "credit.release",
            "customer",
            customer_id,
            {"hold_id": hold.id, "reason": reason},
        )
        uow.publish(
            actor.company_id,
            "credit.hold_released",
            {"customer_id": customer_id, "hold_id": hold.id},
        )
        uow.commit()
        return hold


def active_holds(
    uow: UnitOfWork, actor: Actor, customer_ids: Collection[int] | None = None
) -> dict[int, CreditHold]:
    """Customer id → the hold in force, for the given customers (all when None)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return {h.customer_id: h for h in _active(uow, actor.company_id, customer_ids)}


def require_no_hold(uow: UnitOfWork, company_id: int, customer_id: int) -> None:
    """Refuse with CustomerOnHold when the customer is on hold (orders asks before confirming)."""
    for hold in _active(uow, company_id, [customer_id]):
        raise CustomerOnHold(customer_id, hold.reason, hold.placed_at.date().isoformat())
