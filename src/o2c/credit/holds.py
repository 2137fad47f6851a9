"""Order credit holds: an order stopped by the credit rules, and the credit manager's decision.

Orders places a hold when its check fails (`place_order_hold`) and carries out the decision
(confirm or cancel the order) in the same transaction as `decide_order_hold`, which checks
the right and, for an override above a limit, that the releaser is not who asked.
Notifications read `order_hold_reasons`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from o2c.credit.rules import LIMIT_RULES, Rule, RuleFailure, Stage
from o2c.credit.tables import OrderCreditHold
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.security.model import Actor, Permission, require_different
from o2c.security.service import audit


class HoldStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"


@dataclass(frozen=True)
class HeldOrder:
    """The order a hold stops, as orders describes it."""

    order_id: int
    number: str
    customer_id: int
    amount: Money


def place_order_hold(
    uow: UnitOfWork,
    actor: Actor,
    order: HeldOrder,
    stage: Stage,
    failures: Sequence[RuleFailure],
) -> OrderCreditHold:
    """Record that `order` failed the rules at `stage` (no right needed: the rules decided)."""
    with uow:
        hold = OrderCreditHold(
            company_id=actor.company_id,
            order_id=order.order_id,
            order_number=order.number,
            customer_id=order.customer_id,
            stage=stage.value,
            status=HoldStatus.HELD.value,
            failures={"failures": [f.as_dict() for f in failures]},
            currency=order.amount.currency,
            order_minor=order.amount.minor,
            held_at=uow.clock.now(),
            requested_by=actor.name,
        )
        uow.session.add(hold)
        uow.session.flush()
        audit(uow, actor, "credit.order_hold", "sales_order", order.order_id, _summary(hold))
        uow.publish(actor.company_id, "order.credit_held", _summary(hold))
        uow.commit()
        return hold


def decide_order_hold(
    uow: UnitOfWork,
    actor: Actor,
    hold_id: int,
    status: HoldStatus,
    reason: str,
    *,
    automatic: bool = False,
) -> OrderCreditHold:
    """Release or reject an undecided hold; the caller confirms or cancels the order.

    A person releasing a hold that failed a limit overrides the limit: segregation of duties
    refuses it to whoever asked for the order to go ahead. `automatic` is a release because
    the rules now pass (after a payment), which overrides nothing. The same decision
    repeated by the same person (a retried request) returns the hold unchanged.
    """
    actor.require(Permission.CREDIT_HOLD)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "must not be empty")])
    if status == HoldStatus.HELD:
        raise ValidationFailed([FieldError("status", "a decision releases or rejects")])
    with uow:
        hold = owned(
            uow.session, OrderCreditHold, actor.company_id, hold_id, "credit hold", lock=True
        )
        if hold.status == status.value and hold.decided_by == actor.name:
            return hold  # a retry of the same decision by the same person
        if hold.status != HoldStatus.HELD.value:
            raise InvalidTransition(f"credit hold {hold.id} is already {hold.status}")
        if status == HoldStatus.RELEASED and not automatic and overrides_limit(hold):
            require_different(hold.requested_by, actor, f"order {hold.order_number}")
        hold.status = status.value
        hold.decided_at = uow.clock.now()
        hold.decided_by = actor.name
        hold.decision_reason = reason[:300]
        summary = {**_summary(hold), "reason": hold.decision_reason, "automatic": automatic}
        audit(uow, actor, f"credit.order_{status.value}", "sales_order", hold.order_id, summary)
        uow.publish(actor.company_id, f"order.credit_{status.value}", summary)
        uow.commit()
        return hold


def overrides_limit(hold: OrderCreditHold) -> bool:
    return any(Rule(f["rule"]) in LIMIT_RULES for f in hold.failures["failures"])


def active_order_hold(uow: UnitOfWork, company_id: int, order_id: int) -> OrderCreditHold | None:
    return uow.session.scalar(
        select(OrderCreditHold).where(
            OrderCreditHold.company_id == company_id,
            OrderCreditHold.order_id == order_id,
            OrderCreditHold.status == HoldStatus.HELD.value,
        )
    )


def released_at_stage(uow: UnitOfWork, company_id: int, order_id: int, stage: Stage) -> bool:
    """Whether a hold of the order at `stage` was released: the decision stands for the stage."""
    found = uow.session.scalar(
        select(OrderCreditHold.id)
        .where(
            OrderCreditHold.company_id == company_id,
            OrderCreditHold.order_id == order_id,
            OrderCreditHold.stage == stage.value,
            OrderCreditHold.status == HoldStatus.RELEASED.value,
        )
        .limit(1)
    )
    return found is not None


def held_orders(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int] | None = None
) -> list[OrderCreditHold]:
    """Undecided holds, oldest first, of the given customers (all when None)."""
    query = select(OrderCreditHold).where(
        OrderCreditHold.company_id == company_id,
        OrderCreditHold.status == HoldStatus.HELD.value,
    )
    if customer_ids is not None:
        query = query.where(OrderCreditHold.customer_id.in_(sorted(set(customer_ids))))
    return list(uow.session.scalars(query.order_by(OrderCreditHold.id)))


def list_order_holds(
    uow: UnitOfWork, actor: Actor, status: HoldStatus | None = HoldStatus.HELD
) -> list[OrderCreditHold]:
    """Order holds with the given status (all when None), newest first."""
    actor.require(Permission.LEDGER_READ)
    query = select(OrderCreditHold).where(OrderCreditHold.company_id == actor.company_id)
    customer_id = actor.customer_filter(None)
    if customer_id is not None:
        query = query.where(OrderCreditHold.customer_id == customer_id)
    if status is not None:
        query = query.where(OrderCreditHold.status == status.value)
    with uow:
        return list(uow.session.scalars(query.order_by(OrderCreditHold.id.desc())))


def order_hold_reasons(uow: UnitOfWork, company_id: int, order_id: int) -> list[str]:
    """Why the order is on credit hold now, one readable line per failed rule; [] if it is not."""
    with uow:
        hold = active_order_hold(uow, company_id, order_id)
        return [] if hold is None else reasons_of(hold)


def reasons_of(hold: OrderCreditHold) -> list[str]:
    return [str(f["reason"]) for f in hold.failures["failures"]]


def _summary(hold: OrderCreditHold) -> dict[str, object]:
    return {
        "hold_id": hold.id,
        "order_id": hold.order_id,
        "number": hold.order_number,
        "customer_id": hold.customer_id,
        "stage": hold.stage,
        "status": hold.status,
        "amount": str(Money.from_minor(hold.order_minor, hold.currency)),
        "requested_by": hold.requested_by,
        "failures": hold.failures["failures"],
    }


def active_hold_of_order(uow: UnitOfWork, actor: Actor, order_number: str) -> OrderCreditHold:
    """The undecided hold of the order with this number (how people name orders)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        hold = uow.session.scalar(
            select(OrderCreditHold).where(
                OrderCreditHold.company_id == actor.company_id,
                OrderCreditHold.order_number == order_number,
                OrderCreditHold.status == HoldStatus.HELD.value,
            )
        )
        if hold is None:
            raise NotFound("credit hold of order", order_number)
        actor.require_customer_scope(hold.customer_id, "credit hold of order", order_number)
        return hold
