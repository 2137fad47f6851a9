"""The payment-plan HTTP interface: stored methods, instalment plans, schedules, autopay runs.

Autopay charges through the `PaymentGateway` port. Which gateway is the composition root's
choice (`payment_gateway` is its seam); until a real provider is wired (the portal issue),
a run is refused rather than charged against a pretend gateway.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.kernel.errors import Conflict
from o2c.payments import plans
from o2c.payments.autopay import run_autopay
from o2c.payments.gateway import PaymentGateway
from o2c.payments.plans_schemas import (
    AutopayRead,
    AutopayRunIn,
    InstalmentRead,
    PaymentMethodIn,
    PaymentMethodRead,
    PlanIn,
    PlanRead,
)

router = APIRouter(tags=["payment plans"])


def payment_gateway() -> PaymentGateway:
    """The provider autopay charges through; the composition root overrides this."""
    raise Conflict("no payment gateway is configured: autopay cannot charge")


GatewayDep = Annotated[PaymentGateway, Depends(payment_gateway)]


@router.post(
    "/payment-methods", status_code=status.HTTP_201_CREATED, summary="Store a payment method"
)
def post_method(
    uow: UowDep, actor: ActorDep, body: PaymentMethodIn, key: IdempotencyKeyDep = None
) -> PaymentMethodRead:
    def create() -> int:
        return plans.add_payment_method(
            uow, actor, body.customer_id, body.provider, body.token, body.label, body.method
        ).id

    method_id = run_once(uow, actor.company_id, "payments.method", key, body, create)
    return PaymentMethodRead.of(plans.get_payment_method(uow, actor, method_id))


@router.post("/payment-plans", status_code=status.HTTP_201_CREATED, summary="Agree a plan")
def post_plan(
    uow: UowDep, actor: ActorDep, body: PlanIn, key: IdempotencyKeyDep = None
) -> PlanRead:
    """Split what is open on the invoice (or the balance) into dated instalments."""

    def create() -> int:
        return plans.create_payment_plan(uow, actor, body.command()).id

    plan_id = run_once(uow, actor.company_id, "payments.plan", key, body, create)
    return _read(uow, actor, plan_id)


def _read(uow: UowDep, actor: ActorDep, plan_id: int) -> PlanRead:
    plan = plans.get_payment_plan(uow, actor, plan_id)
    return PlanRead.of(plan, plans.instalments(uow, actor, plan_id))


@router.get("/payment-plans", summary="Payment plans, newest first")
def get_plans(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    status: Literal["active", "completed", "defaulted"] | None = None,
) -> Page[PlanRead]:
    rows, total = plans.list_payment_plans(uow, actor, customer_id, status, page.limit, page.offset)
    return Page[PlanRead].of([PlanRead.of(p) for p in rows], total, page)


@router.get("/payment-plans/{plan_id}", summary="One plan with its schedule")
def get_plan(uow: UowDep, actor: ActorDep, plan_id: int) -> PlanRead:
    return _read(uow, actor, plan_id)


@router.get("/payment-plans/{plan_id}/schedule", summary="A plan's instalments")
def get_schedule(uow: UowDep, actor: ActorDep, plan_id: int) -> list[InstalmentRead]:
    currency = plans.get_payment_plan(uow, actor, plan_id).currency
    return [InstalmentRead.of(i, currency) for i in plans.instalments(uow, actor, plan_id)]


@router.post("/payment-plans/autopay-runs", summary="Charge instalments due by a date")
def post_autopay_run(
    uow: UowDep, actor: ActorDep, body: AutopayRunIn, gateway: GatewayDep
) -> list[AutopayRead]:
    """Each instalment moves at most once per day, so a repeated run charges nothing twice."""
    return [AutopayRead.of(r) for r in run_autopay(uow, actor, gateway, body.as_of)]
