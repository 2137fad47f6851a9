"""The documents of four-eyes refunds: a refund request and the company's approval limit."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from o2c.db.deps import MoneyOut
from o2c.db.sensitive import MaskedAccount
from o2c.payments.model import PaymentMethod
from o2c.payments.refund_requests import RequestStatus
from o2c.payments.tables import RefundRequest


class RefundRequestRead(BaseModel):
    id: int
    status: RequestStatus
    customer_id: int
    credit_item_id: int
    method: PaymentMethod
    amount: MoneyOut
    on: date
    reference: str | None
    to_account: MaskedAccount | None = None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str
    refund_id: int | None = Field(description="The refund posted when it was approved")

    @classmethod
    def of(cls, request: RefundRequest) -> RefundRequestRead:
        return cls(
            id=request.id,
            status=RequestStatus(request.status),
            customer_id=request.customer_id,
            credit_item_id=request.credit_item_id,
            method=PaymentMethod(request.method),
            amount=MoneyOut.from_minor(request.amount_minor, request.currency),
            on=request.refund_on,
            reference=request.reference,
            to_account=request.to_account,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            decided_by=request.decided_by,
            decided_at=request.decided_at,
            note=request.note,
            refund_id=request.refund_id,
        )


class RejectionIn(BaseModel):
    note: str = Field(default="", max_length=500)


class RefundLimitIO(BaseModel):
    approval_above_minor: int = Field(
        ge=0, description="Refunds above this (base currency, minor units) need a second person"
    )
