"""The inventory's HTTP interface: warehouses, receipts, adjustments, returns, availability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, UowDep
from o2c.inventory.schemas import (
    AvailabilityRead,
    StockLocation,
    StockMoveCreate,
    StockMoveRead,
    StockRead,
    WarehouseCreate,
    WarehouseRead,
)
from o2c.inventory.service import (
    adjust_stock,
    availability,
    create_warehouse,
    list_moves,
    list_warehouses,
    receive_stock,
    return_stock,
    set_location,
)

router = APIRouter(tags=["inventory"])


@router.post("/warehouses", status_code=status.HTTP_201_CREATED, summary="Add a warehouse")
def post_warehouse(uow: UowDep, actor: ActorDep, body: WarehouseCreate) -> WarehouseRead:
    return WarehouseRead.of(create_warehouse(uow, actor, body.code, body.name, body.allow_negative))


@router.get("/warehouses", summary="Every warehouse")
def get_warehouses(uow: UowDep, actor: ActorDep) -> list[WarehouseRead]:
    return [WarehouseRead.of(w) for w in list_warehouses(uow, actor)]


@router.get("/stock/{product_id}", summary="On hand, reserved and available per warehouse")
def get_stock(uow: UowDep, actor: ActorDep, product_id: int) -> StockRead:
    rows = availability(uow, actor, product_id)
    return StockRead(product_id=product_id, warehouses=[AvailabilityRead.of(r) for r in rows])


@router.get("/stock/{product_id}/moves", summary="A product's stock history, newest first")
def get_moves(
    uow: UowDep,
    actor: ActorDep,
    product_id: int,
    warehouse_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[StockMoveRead]:
    moves = list_moves(uow, actor, product_id, warehouse_id, limit, offset)
    return [StockMoveRead.of(m) for m in moves]


@router.put(
    "/stock/{product_id}/location",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Where a product lies in a warehouse (printed on pick lists)",
)
def put_location(uow: UowDep, actor: ActorDep, product_id: int, body: StockLocation) -> None:
    set_location(uow, actor, product_id, body.warehouse_id, body.location)


@router.post("/stock/receipts", status_code=status.HTTP_201_CREATED, summary="Book goods in")
def post_receipt(
    uow: UowDep, actor: ActorDep, body: StockMoveCreate, key: IdempotencyKeyDep = None
) -> StockMoveRead:
    return StockMoveRead.of(receive_stock(uow, actor, body.command(), key))


@router.post(
    "/stock/adjustments",
    status_code=status.HTTP_201_CREATED,
    summary="Correct on hand (signed quantity, reason required)",
)
def post_adjustment(
    uow: UowDep, actor: ActorDep, body: StockMoveCreate, key: IdempotencyKeyDep = None
) -> StockMoveRead:
    return StockMoveRead.of(adjust_stock(uow, actor, body.command(), key))


@router.post(
    "/stock/returns", status_code=status.HTTP_201_CREATED, summary="Book a customer return"
)
def post_return(
    uow: UowDep, actor: ActorDep, body: StockMoveCreate, key: IdempotencyKeyDep = None
) -> StockMoveRead:
    return StockMoveRead.of(return_stock(uow, actor, body.command(), key))
