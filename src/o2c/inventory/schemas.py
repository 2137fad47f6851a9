"""The inventory API's documents: warehouses, stock moves in and out, availability out.

Quantities travel as decimal strings (at most four places), never as binary floats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from o2c.inventory.model import show
from o2c.inventory.service import Availability, MoveCommand
from o2c.inventory.tables import StockMove, Warehouse

Quantity = Annotated[Decimal, PlainSerializer(show, return_type=str, when_used="json")]
"""A quantity or percentage, written out as people write it ("4", "2.5"), never as a float."""


class WarehouseCreate(BaseModel):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=120)
    allow_negative: bool = False


class WarehouseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    allow_negative: bool
    active: bool

    @classmethod
    def of(cls, warehouse: Warehouse) -> WarehouseRead:
        return cls.model_validate(warehouse)


class StockMoveCreate(BaseModel):
    """A receipt or return (positive quantity) or an adjustment (signed, with a reason)."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    reason: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=120)
    move_date: date | None = None

    def command(self) -> MoveCommand:
        return MoveCommand(
            self.product_id,
            self.warehouse_id,
            self.quantity,
            self.reason,
            self.reference,
            self.move_date,
        )


class StockMoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    warehouse_id: int
    kind: str
    quantity: Quantity
    reason: str | None
    reference: str | None
    move_date: date
    created_by: str

    @classmethod
    def of(cls, move: StockMove) -> StockMoveRead:
        return cls.model_validate(move)


class AvailabilityRead(BaseModel):
    warehouse_id: int
    warehouse_code: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity

    @classmethod
    def of(cls, row: Availability) -> AvailabilityRead:
        return cls(
            warehouse_id=row.warehouse_id,
            warehouse_code=row.warehouse_code,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.available,
        )


class StockRead(BaseModel):
    product_id: int
    warehouses: list[AvailabilityRead]


class StockLocation(BaseModel):
    warehouse_id: int
    location: str | None = Field(default=None, max_length=30)
