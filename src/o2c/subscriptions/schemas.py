"""The subscriptions API's documents: plans, subscriptions with their charges, billing runs.

Prices come in as a decimal amount with its currency and go out as `MoneyOut`; each charge
names the invoice (or, for a credit, the credit note) that billed it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from o2c.db.deps import KnownCurrency, MoneyOut
from o2c.kernel.money import Money
from o2c.subscriptions.model import Interval, PlanCreate
from o2c.subscriptions.service import Charge
from o2c.subscriptions.tables import Subscription, SubscriptionCharge, SubscriptionPlan


class PlanIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(description="Net price of one full period")
    currency: KnownCurrency = Field(min_length=3, max_length=3)
    interval: Interval = Interval.MONTH
    tax_category: str = Field(default="standard", max_length=30)

    def command(self) -> PlanCreate:
        return PlanCreate(
            self.code, self.name, Money(self.price, self.currency), self.interval, self.tax_category
        )


class PlanRead(BaseModel):
    id: int
    code: str
    name: str
    price: MoneyOut
    interval: str
    tax_category: str

    @classmethod
    def of(cls, plan: SubscriptionPlan) -> PlanRead:
        return cls(
            id=plan.id,
            code=plan.code,
            name=plan.name,
            price=MoneyOut.from_minor(plan.price_minor, plan.currency),
            interval=plan.interval,
            tax_category=plan.tax_category,
        )


class SubscriptionIn(BaseModel):
    customer_id: int
    plan_id: int
    start: date
    anchor_day: int | None = Field(
        default=None, ge=1, le=31, description="Day of the month periods begin (default: start's)"
    )


class ChangeIn(BaseModel):
    plan_id: int
    on: date = Field(description="First day on the new plan")


class CancelIn(BaseModel):
    on: date = Field(description="First day no longer served")
    refund_unused: bool = True


class BillingRunIn(BaseModel):
    as_of: date


class ChargeRead(BaseModel):
    subscription_id: int
    kind: str
    period_start: date
    period_end: date
    """The first day after the charged days."""
    invoice_id: int
    amount: MoneyOut
    """Net; negative for a credit note."""

    @classmethod
    def of(cls, charge: Charge | SubscriptionCharge) -> ChargeRead:
        amount = (
            MoneyOut.of(charge.amount)
            if isinstance(charge, Charge)
            else MoneyOut.from_minor(charge.amount_minor, charge.currency)
        )
        return cls(
            subscription_id=charge.subscription_id,
            kind=str(charge.kind),
            period_start=charge.period_start,
            period_end=charge.period_end,
            invoice_id=charge.invoice_id,
            amount=amount,
        )


class SubscriptionRead(BaseModel):
    id: int
    customer_id: int
    plan_id: int
    status: str
    start_date: date
    anchor_day: int
    next_start: date
    """The first day not billed yet."""
    ends_on: date | None
    charges: list[ChargeRead] | None = None
    """Every invoice and credit note billed, when one subscription is read."""

    @classmethod
    def of(
        cls, row: Subscription, charges: list[SubscriptionCharge] | None = None
    ) -> SubscriptionRead:
        read = cls.model_validate(row, from_attributes=True)
        read.charges = None if charges is None else [ChargeRead.of(c) for c in charges]
        return read


class BillingRunRead(BaseModel):
    as_of: date
    charges: list[ChargeRead]
