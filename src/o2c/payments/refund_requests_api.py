"""HTTP interface of four-eyes refunds: list, approve and reject requests; the limit.

`POST /refunds` (in `payments.api`) answers 202 with a request when a refund needs approval.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2c.db.deps import ActorDep, UowDep
from o2c.payments import refund_requests
from o2c.payments.refund_requests import RequestStatus
from o2c.payments.refund_requests_schemas import RefundLimitIO, RefundRequestRead, RejectionIn

router = APIRouter(tags=["payments"])


@router.get("/refund-requests", summary="Refunds waiting for (or given) approval")
def get_requests(
    uow: UowDep,
    actor: ActorDep,
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = RequestStatus.PENDING,
) -> list[RefundRequestRead]:
    requests = refund_requests.list_refund_requests(uow, actor, request_status)
    return [RefundRequestRead.of(r) for r in requests]


@router.get("/refund-requests/{request_id}", summary="One refund request")
def get_request(uow: UowDep, actor: ActorDep, request_id: int) -> RefundRequestRead:
    return RefundRequestRead.of(refund_requests.get_refund_request(uow, actor, request_id))


@router.post(
    "/refund-requests/{request_id}/approve", summary="Approve and post (not the requester)"
)
def post_approve(uow: UowDep, actor: ActorDep, request_id: int) -> RefundRequestRead:
    """Retried, answers the same approved request; the refund is posted once."""
    return RefundRequestRead.of(refund_requests.approve_refund_request(uow, actor, request_id))


@router.post("/refund-requests/{request_id}/reject", summary="Reject (not the requester)")
def post_reject(
    uow: UowDep, actor: ActorDep, request_id: int, body: RejectionIn
) -> RefundRequestRead:
    request = refund_requests.reject_refund_request(uow, actor, request_id, body.note)
    return RefundRequestRead.of(request)


@router.get("/refund-settings", summary="The refund approval limit")
def get_limit(uow: UowDep, actor: ActorDep) -> RefundLimitIO:
    return RefundLimitIO(approval_above_minor=refund_requests.get_refund_limit(uow, actor))


@router.put("/refund-settings", summary="Change the refund approval limit")
def put_limit(uow: UowDep, actor: ActorDep, body: RefundLimitIO) -> RefundLimitIO:
    limit = refund_requests.set_refund_limit(uow, actor, body.approval_above_minor)
    return RefundLimitIO(approval_above_minor=limit)
