"""Credit holds over HTTP: place, release, list."""

from __future__ import annotations

from fastapi import APIRouter, status

from o2c.credit.schemas import HoldIn, HoldRead
from o2c.credit.service import active_holds, place_hold, release_hold
from o2c.db.deps import ActorDep, UowDep

router = APIRouter(prefix="/credit", tags=["credit"])


@router.get("/holds", response_model=list[HoldRead], summary="Customers on credit hold")
def get_holds(uow: UowDep, actor: ActorDep) -> list[HoldRead]:
    return [HoldRead.model_validate(h) for h in active_holds(uow, actor).values()]


@router.post(
    "/customers/{customer_id}/hold",
    response_model=HoldRead,
    status_code=status.HTTP_201_CREATED,
    summary="Put a customer on credit hold (no new orders confirmed)",
)
def post_hold(uow: UowDep, actor: ActorDep, customer_id: int, body: HoldIn) -> HoldRead:
    return HoldRead.model_validate(place_hold(uow, actor, customer_id, body.reason))


@router.post(
    "/customers/{customer_id}/release",
    response_model=HoldRead,
    summary="Release a customer's credit hold",
)
def post_release(uow: UowDep, actor: ActorDep, customer_id: int, body: HoldIn) -> HoldRead:
    return HoldRead.model_validate(release_hold(uow, actor, customer_id, body.reason))
