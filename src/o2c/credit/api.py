"""Credit over HTTP: customer holds, order holds, the company's rules, scores, limit reviews.

Releasing or rejecting a held order changes the order, which lives above credit: those
routes and the exposure (which needs open orders) are in `orders.credit_api`.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from o2c.credit.holds import HoldStatus, list_order_holds
from o2c.credit.policy import get_policy, set_policy
from o2c.credit.reviews import ReviewStatus, decide_review, list_reviews
from o2c.credit.schemas import (
    HoldIn,
    HoldRead,
    OrderHoldRead,
    PolicyIO,
    ReviewDecisionIn,
    ReviewRead,
    ScoreRead,
)
from o2c.credit.scores import get_score
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


@router.get("/order-holds", summary="Orders on credit hold (status: held, released, rejected)")
def get_order_holds(
    uow: UowDep, actor: ActorDep, hold_status: HoldStatus | None = HoldStatus.HELD
) -> list[OrderHoldRead]:
    return [OrderHoldRead.of(h) for h in list_order_holds(uow, actor, hold_status)]


@router.get("/policy", summary="The company's credit rules")
def get_credit_policy(uow: UowDep, actor: ActorDep) -> PolicyIO:
    return PolicyIO.of(get_policy(uow, actor))


@router.put("/policy", summary="Change the company's credit rules")
def put_credit_policy(uow: UowDep, actor: ActorDep, body: PolicyIO) -> PolicyIO:
    return PolicyIO.of(set_policy(uow, actor, body.policy()))


@router.get("/customers/{customer_id}/score", summary="A customer's credit score and factors")
def get_customer_score(uow: UowDep, actor: ActorDep, customer_id: int) -> ScoreRead:
    return ScoreRead.of(get_score(uow, actor, customer_id))


@router.get("/reviews", summary="Credit limit proposals (status: proposed, accepted, rejected)")
def get_reviews(
    uow: UowDep, actor: ActorDep, review_status: ReviewStatus | None = ReviewStatus.PROPOSED
) -> list[ReviewRead]:
    return [ReviewRead.of(r) for r in list_reviews(uow, actor, review_status)]


@router.post("/reviews/{review_id}/accept", summary="Accept a proposal: the limit changes")
def post_accept(uow: UowDep, actor: ActorDep, review_id: int, body: ReviewDecisionIn) -> ReviewRead:
    return ReviewRead.of(decide_review(uow, actor, review_id, ReviewStatus.ACCEPTED, body.reason))


@router.post("/reviews/{review_id}/reject", summary="Reject a proposal: the limit stays")
def post_reject(uow: UowDep, actor: ActorDep, review_id: int, body: ReviewDecisionIn) -> ReviewRead:
    return ReviewRead.of(decide_review(uow, actor, review_id, ReviewStatus.REJECTED, body.reason))
