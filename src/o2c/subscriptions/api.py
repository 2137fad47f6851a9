"""The subscriptions HTTP interface: plans, subscribe, change plan, cancel, the billing run.

Creating commands take an Idempotency-Key; plan changes and cancellations answer with the
subscription and all its charges, so a replayed request shows the same outcome. The billing
run needs no key: it is idempotent per period by construction (a second run bills nothing).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.subscriptions import service
from o2c.subscriptions.model import SubscriptionStatus
from o2c.subscriptions.schemas import (
    BillingRunIn,
    BillingRunRead,
    CancelIn,
    ChangeIn,
    ChargeRead,
    PlanIn,
    PlanRead,
    SubscriptionIn,
    SubscriptionRead,
)

router = APIRouter(tags=["subscriptions"])


@router.post("/subscription-plans", status_code=status.HTTP_201_CREATED, summary="Add a plan")
def post_plan(
    uow: UowDep, actor: ActorDep, body: PlanIn, key: IdempotencyKeyDep = None
) -> PlanRead:
    def create() -> int:
        return service.create_plan(uow, actor, body.command()).id

    plan_id = run_once(uow, actor.company_id, "subscriptions.plan", key, body, create)
    return PlanRead.of(service.get_plan(uow, actor, plan_id))


@router.get("/subscription-plans", summary="Plans, by code")
def get_plans(uow: UowDep, actor: ActorDep) -> list[PlanRead]:
    return [PlanRead.of(p) for p in service.list_plans(uow, actor)]


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED, summary="Subscribe")
def post_subscription(
    uow: UowDep, actor: ActorDep, body: SubscriptionIn, key: IdempotencyKeyDep = None
) -> SubscriptionRead:
    def create() -> int:
        return service.start_subscription(
            uow, actor, body.customer_id, body.plan_id, body.start, body.anchor_day
        ).id

    subscription_id = run_once(uow, actor.company_id, "subscriptions.start", key, body, create)
    return _read(uow, actor, subscription_id)


@router.get("/subscriptions", summary="Subscriptions, oldest first")
def get_subscriptions(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    status: SubscriptionStatus | None = None,
) -> Page[SubscriptionRead]:
    rows, total = service.list_subscriptions(
        uow, actor, customer_id, status, page.limit, page.offset
    )
    return Page[SubscriptionRead].of([SubscriptionRead.of(r) for r in rows], total, page)


def _read(uow: UowDep, actor: ActorDep, subscription_id: int) -> SubscriptionRead:
    row = service.get_subscription(uow, actor, subscription_id)
    return SubscriptionRead.of(row, service.list_charges(uow, actor, subscription_id))


@router.get("/subscriptions/{subscription_id}", summary="One subscription with its charges")
def get_subscription(uow: UowDep, actor: ActorDep, subscription_id: int) -> SubscriptionRead:
    return _read(uow, actor, subscription_id)


@router.post("/subscriptions/{subscription_id}/change-plan", summary="Upgrade or downgrade")
def post_change(
    uow: UowDep,
    actor: ActorDep,
    subscription_id: int,
    body: ChangeIn,
    key: IdempotencyKeyDep = None,
) -> SubscriptionRead:
    """The rest of a billed period is invoiced (upgrade) or credited (downgrade) by days."""

    def change() -> int:
        service.change_plan(uow, actor, subscription_id, body.plan_id, body.on)
        return subscription_id

    scope = f"subscriptions.change.{subscription_id}"
    return _read(uow, actor, run_once(uow, actor.company_id, scope, key, body, change))


@router.post("/subscriptions/{subscription_id}/cancel", summary="Cancel a subscription")
def post_cancel(
    uow: UowDep,
    actor: ActorDep,
    subscription_id: int,
    body: CancelIn,
    key: IdempotencyKeyDep = None,
) -> SubscriptionRead:
    """Unused days already billed are credited unless `refund_unused` is false."""

    def cancel() -> int:
        service.cancel_subscription(uow, actor, subscription_id, body.on, body.refund_unused)
        return subscription_id

    scope = f"subscriptions.cancel.{subscription_id}"
    return _read(uow, actor, run_once(uow, actor.company_id, scope, key, body, cancel))


@router.post("/subscriptions/billing-runs", summary="Invoice every period due by a date")
def post_billing_run(uow: UowDep, actor: ActorDep, body: BillingRunIn) -> BillingRunRead:
    """Idempotent per period: run twice for one day, the second run bills nothing."""
    charges = service.run_billing(uow, actor, body.as_of)
    return BillingRunRead(as_of=body.as_of, charges=[ChargeRead.of(c) for c in charges])
