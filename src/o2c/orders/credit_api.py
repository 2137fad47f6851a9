"""Credit routes that involve orders: a customer's exposure, releasing or rejecting a held
order (which confirms or cancels it). Mounted under /credit beside credit's own routes."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from o2c.credit.schemas import CustomerExposureRead, DecisionIn, OrderHoldRead
from o2c.db.deps import ActorDep, UowDep
from o2c.orders.credit_check import exposure_of
from o2c.orders.credit_decisions import reject_order, release_order

router = APIRouter(prefix="/credit", tags=["credit"])


@router.get(
    "/customers/{customer_id}/exposure",
    summary="Credit exposure of a customer and its group, in each limit's currency",
)
def get_exposure(
    uow: UowDep, actor: ActorDep, customer_id: int, as_of: date | None = None
) -> CustomerExposureRead:
    return CustomerExposureRead.of(exposure_of(uow, actor, customer_id, as_of))


@router.post(
    "/order-holds/{hold_id}/release",
    summary="Release a held order (confirmed if held at confirmation)",
)
def post_release_order(
    uow: UowDep, actor: ActorDep, hold_id: int, body: DecisionIn
) -> OrderHoldRead:
    return OrderHoldRead.of(release_order(uow, actor, hold_id, body.reason))


@router.post("/order-holds/{hold_id}/reject", summary="Reject a held order (it is cancelled)")
def post_reject_order(
    uow: UowDep, actor: ActorDep, hold_id: int, body: DecisionIn
) -> OrderHoldRead:
    return OrderHoldRead.of(reject_order(uow, actor, hold_id, body.reason))
