"""The orders' HTTP interface: create and edit drafts, confirm, cancel, close, list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep
from o2c.orders.model import OrderStatus
from o2c.orders.schemas import OrderCancel, OrderCreate, OrderRead, OrderUpdate
from o2c.orders.service import (
    OrderFilter,
    cancel_order,
    close_order,
    confirm_order,
    create_order,
    get_order,
    list_orders,
    reserve_backorders,
    update_order,
)

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a draft order")
def post_order(
    uow: UowDep, actor: ActorDep, body: OrderCreate, key: IdempotencyKeyDep = None
) -> OrderRead:
    """Retried with the same Idempotency-Key, answers the first order instead of a second."""
    return OrderRead.of(create_order(uow, actor, body.command(), key))


@router.get("", summary="Orders, newest first")
def get_orders(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: Annotated[str | None, Query(description="Part of the order or PO number")] = None,
) -> Page[OrderRead]:
    where = OrderFilter(customer_id, tuple(status or ()), date_from, date_to, q)
    orders, total = list_orders(uow, actor, where, page.limit, page.offset)
    return Page.of([OrderRead.of(o) for o in orders], total, page)


@router.get("/{order_id}", summary="One order with its lines")
def get_one(uow: UowDep, actor: ActorDep, order_id: int) -> OrderRead:
    return OrderRead.of(get_order(uow, actor, order_id))


@router.patch("/{order_id}", summary="Change a draft order")
def patch_order(uow: UowDep, actor: ActorDep, order_id: int, body: OrderUpdate) -> OrderRead:
    return OrderRead.of(update_order(uow, actor, order_id, body.command()))


@router.post("/{order_id}/confirm", summary="Confirm a draft, reserving stock")
def post_confirm(uow: UowDep, actor: ActorDep, order_id: int) -> OrderRead:
    return OrderRead.of(confirm_order(uow, actor, order_id))


@router.post("/{order_id}/cancel", summary="Cancel a draft or confirmed order")
def post_cancel(
    uow: UowDep, actor: ActorDep, order_id: int, body: OrderCancel | None = None
) -> OrderRead:
    reason = body.reason if body else ""
    return OrderRead.of(cancel_order(uow, actor, order_id, reason))


@router.post("/{order_id}/reserve", summary="Reserve what backordered lines still lack")
def post_reserve(uow: UowDep, actor: ActorDep, order_id: int) -> OrderRead:
    return OrderRead.of(reserve_backorders(uow, actor, order_id))


@router.post("/{order_id}/close", summary="Close a shipped and invoiced order")
def post_close(uow: UowDep, actor: ActorDep, order_id: int) -> OrderRead:
    return OrderRead.of(close_order(uow, actor, order_id))
