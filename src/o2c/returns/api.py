"""The returns HTTP interface: authorise, receive, credit and cancel returns (RMA), list them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep
from o2c.returns.model import ReturnStatus
from o2c.returns.schemas import ReturnCreate, ReturnRead, ReturnReceipt
from o2c.returns.service import (
    ReturnFilter,
    authorise_return,
    cancel_return,
    credit_return,
    get_return,
    list_returns,
    receive_return,
)

router = APIRouter(prefix="/returns", tags=["returns"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Authorise a return of shipped goods")
def post_return(
    uow: UowDep, actor: ActorDep, body: ReturnCreate, key: IdempotencyKeyDep = None
) -> ReturnRead:
    """Retried with the same Idempotency-Key, answers the first authorisation."""
    rma = authorise_return(
        uow, actor, body.order_id, body.quantities(), body.reason, idempotency_key=key
    )
    return ReturnRead.of(rma)


@router.get("", summary="Returns, newest first")
def get_returns(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    order_id: int | None = None,
    customer_id: int | None = None,
    status: Annotated[list[ReturnStatus] | None, Query()] = None,
) -> Page[ReturnRead]:
    where = ReturnFilter(order_id, customer_id, tuple(status or ()))
    found, total = list_returns(uow, actor, where, page.limit, page.offset)
    return Page.of([ReturnRead.of(r) for r in found], total, page)


@router.get("/{return_id}", summary="One return with its lines")
def get_one(uow: UowDep, actor: ActorDep, return_id: int) -> ReturnRead:
    return ReturnRead.of(get_return(uow, actor, return_id))


@router.post("/{return_id}/receive", summary="The goods arrived: restock or scrap them")
def post_receive(uow: UowDep, actor: ActorDep, return_id: int, body: ReturnReceipt) -> ReturnRead:
    rma = receive_return(
        uow, actor, return_id, body.disposition, body.warehouse_id, body.received_on
    )
    return ReturnRead.of(rma)


@router.post("/{return_id}/credit", summary="Credit the returned units at the invoiced prices")
def post_credit(uow: UowDep, actor: ActorDep, return_id: int) -> ReturnRead:
    return ReturnRead.of(credit_return(uow, actor, return_id))


@router.post("/{return_id}/cancel", summary="Withdraw an authorisation before the goods arrive")
def post_cancel(uow: UowDep, actor: ActorDep, return_id: int) -> ReturnRead:
    return ReturnRead.of(cancel_return(uow, actor, return_id))
