"""The returns API's documents: authorisations in, returns with their state out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from o2c.inventory.schemas import Quantity
from o2c.returns.model import Disposition, ReturnStatus
from o2c.returns.tables import ReturnAuthorization


class ReturnLineCreate(BaseModel):
    order_line_id: int
    quantity: Decimal


class ReturnCreate(BaseModel):
    order_id: int
    lines: list[ReturnLineCreate]
    reason: str = Field(max_length=200)

    def quantities(self) -> dict[int, Decimal]:
        wanted: dict[int, Decimal] = {}
        for line in self.lines:
            wanted[line.order_line_id] = wanted.get(line.order_line_id, Decimal(0)) + line.quantity
        return wanted


class ReturnReceipt(BaseModel):
    """Restock into `warehouse_id` (default: the order's warehouse), or scrap."""

    disposition: Disposition
    warehouse_id: int | None = None
    received_on: date | None = None


class ReturnLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_line_id: int
    product_id: int
    quantity: Quantity


class ReturnRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    order_id: int
    customer_id: int
    status: ReturnStatus
    reason: str
    disposition: Disposition | None
    warehouse_id: int | None
    received_on: date | None
    credit_note_ids: list[int]
    created_at: datetime
    lines: list[ReturnLineRead]

    @classmethod
    def of(cls, rma: ReturnAuthorization) -> ReturnRead:
        return cls.model_validate(rma)
