"""The shipping HTTP interface: plan, ship, deliver and cancel shipments, list them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep
from o2c.shipping.model import ShipmentStatus
from o2c.shipping.picklist import pick_list, pick_list_csv, pick_list_pdf
from o2c.shipping.schemas import (
    PickListRead,
    ShipmentCreate,
    ShipmentDelivery,
    ShipmentRead,
    ShipmentShip,
)
from o2c.shipping.service import (
    ShipmentFilter,
    cancel_shipment,
    confirm_delivery,
    create_shipment,
    get_shipment,
    list_shipments,
    ship,
)

router = APIRouter(prefix="/shipments", tags=["shipping"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Plan a shipment of an order")
def post_shipment(
    uow: UowDep, actor: ActorDep, body: ShipmentCreate, key: IdempotencyKeyDep = None
) -> ShipmentRead:
    """Retried with the same Idempotency-Key, answers the first shipment instead of a second."""
    shipment = create_shipment(
        uow,
        actor,
        body.order_id,
        body.quantities(),
        body.ship_date,
        body.carrier,
        body.tracking,
        idempotency_key=key,
    )
    return ShipmentRead.of(shipment)


@router.get("", summary="Shipments, newest first")
def get_shipments(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    order_id: int | None = None,
    customer_id: int | None = None,
    status: Annotated[list[ShipmentStatus] | None, Query()] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    uninvoiced: bool = False,
) -> Page[ShipmentRead]:
    where = ShipmentFilter(
        order_id, customer_id, tuple(status or ()), date_from, date_to, uninvoiced
    )
    shipments, total = list_shipments(uow, actor, where, page.limit, page.offset)
    return Page.of([ShipmentRead.of(s) for s in shipments], total, page)


class PickListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


@router.get(
    "/pick-lists/{warehouse_id}",
    summary="What to pick in a warehouse for its planned shipments",
    response_model=PickListRead,
)
def get_pick_list(
    uow: UowDep, actor: ActorDep, warehouse_id: int, format: PickListFormat = PickListFormat.JSON
) -> PickListRead | Response:
    """JSON by default; `format=csv` for a scanner or spreadsheet, `format=pdf` to print."""
    picks = pick_list(uow, actor, warehouse_id)
    name = f"picklist-{picks.warehouse_code}"
    if format is PickListFormat.CSV:
        return Response(
            pick_list_csv(picks),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format is PickListFormat.PDF:
        return Response(
            pick_list_pdf(picks),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return PickListRead.of(picks)


@router.get("/{shipment_id}", summary="One shipment with its lines")
def get_one(uow: UowDep, actor: ActorDep, shipment_id: int) -> ShipmentRead:
    return ShipmentRead.of(get_shipment(uow, actor, shipment_id))


@router.post("/{shipment_id}/ship", summary="Ship: stock goes out, the order counts it")
def post_ship(
    uow: UowDep, actor: ActorDep, shipment_id: int, body: ShipmentShip | None = None
) -> ShipmentRead:
    body = body or ShipmentShip()
    return ShipmentRead.of(
        ship(uow, actor, shipment_id, body.ship_date, body.carrier, body.tracking)
    )


@router.post("/{shipment_id}/deliver", summary="Confirm the customer received it")
def post_deliver(
    uow: UowDep, actor: ActorDep, shipment_id: int, body: ShipmentDelivery | None = None
) -> ShipmentRead:
    day = body.delivered_on if body else None
    return ShipmentRead.of(confirm_delivery(uow, actor, shipment_id, day))


@router.post("/{shipment_id}/cancel", summary="Drop a draft shipment")
def post_cancel(uow: UowDep, actor: ActorDep, shipment_id: int) -> ShipmentRead:
    return ShipmentRead.of(cancel_shipment(uow, actor, shipment_id))
