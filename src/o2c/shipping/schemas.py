"""The shipping API's documents: shipments planned, shipped and delivered."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from o2c.inventory.schemas import Quantity
from o2c.shipping.model import ShipmentStatus
from o2c.shipping.picklist import PickList
from o2c.shipping.tables import Shipment


class ShipmentLineCreate(BaseModel):
    order_line_id: int
    quantity: Decimal


class ShipmentCreate(BaseModel):
    """A shipment of an order; without `lines` it takes everything the order has left."""

    order_id: int
    lines: list[ShipmentLineCreate] | None = None
    ship_date: date | None = None
    carrier: str | None = Field(default=None, max_length=60)
    tracking: str | None = Field(default=None, max_length=120)

    def quantities(self) -> dict[int, Decimal] | None:
        if self.lines is None:
            return None
        wanted: dict[int, Decimal] = {}
        for line in self.lines:
            wanted[line.order_line_id] = wanted.get(line.order_line_id, Decimal(0)) + line.quantity
        return wanted


class ShipmentShip(BaseModel):
    ship_date: date | None = None
    carrier: str | None = Field(default=None, max_length=60)
    tracking: str | None = Field(default=None, max_length=120)


class ShipmentDelivery(BaseModel):
    delivered_on: date | None = None


class ShipmentLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_line_id: int
    product_id: int
    quantity: Quantity
    quantity_invoiced: Quantity


class ShipmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    order_id: int
    customer_id: int
    warehouse_id: int | None
    status: ShipmentStatus
    ship_date: date | None
    delivered_on: date | None
    carrier: str | None
    tracking: str | None
    created_at: datetime
    shipped_at: datetime | None
    lines: list[ShipmentLineRead]

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentRead:
        return cls.model_validate(shipment)


class PickLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    location: str | None
    sku: str
    product: str
    quantity: Quantity
    shipment: str
    order: str
    customer: str


class PickListRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    warehouse_code: str
    warehouse_name: str
    made_at: datetime
    lines: list[PickLineRead]

    @classmethod
    def of(cls, picks: PickList) -> PickListRead:
        return cls.model_validate(picks)
