"""The payment-plan API's documents: stored methods, plans with their schedule, autopay runs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from o2c.db.deps import MoneyOut
from o2c.payments.autopay import AutopayResult
from o2c.payments.model import PaymentMethod
from o2c.payments.plans import DEFAULT_RETRY_DAYS, PlanCreate
from o2c.payments.tables import PaymentPlan, PlanInstalment, StoredPaymentMethod


class PaymentMethodIn(BaseModel):
    """A gateway's token for a customer's card or mandate; the card itself never reaches us."""

    customer_id: int
    provider: str = Field(min_length=1, max_length=30)
    token: str = Field(min_length=1, max_length=120)
    label: str = Field(default="", max_length=60)
    method: PaymentMethod = PaymentMethod.CARD


class PaymentMethodRead(BaseModel):
    id: int
    customer_id: int
    provider: str
    method: str
    label: str
    active: bool

    @classmethod
    def of(cls, row: StoredPaymentMethod) -> PaymentMethodRead:
        return cls.model_validate(row, from_attributes=True)


class PlanIn(BaseModel):
    """Instalments on one invoice (`invoice_id`) or, without it, on the open balance."""

    customer_id: int
    currency: str = Field(min_length=3, max_length=3)
    instalments: int = Field(ge=1, le=120)
    first_due: date
    invoice_id: int | None = None
    every_months: int = Field(default=1, ge=1, le=12)
    payment_method_id: int | None = Field(default=None, description="Set for autopay")
    retry_days: list[int] = Field(default_factory=lambda: list(DEFAULT_RETRY_DAYS))

    def command(self) -> PlanCreate:
        return PlanCreate(
            customer_id=self.customer_id,
            currency=self.currency,
            instalments=self.instalments,
            first_due=self.first_due,
            invoice_id=self.invoice_id,
            every_months=self.every_months,
            payment_method_id=self.payment_method_id,
            retry_days=tuple(self.retry_days),
        )


class InstalmentRead(BaseModel):
    sequence: int
    due_on: date
    amount: MoneyOut
    status: str
    attempts: int
    next_attempt_on: date
    payment_id: int | None

    @classmethod
    def of(cls, row: PlanInstalment, currency: str) -> InstalmentRead:
        return cls(
            sequence=row.sequence,
            due_on=row.due_on,
            amount=MoneyOut.from_minor(row.amount_minor, currency),
            status=row.status,
            attempts=row.attempts,
            next_attempt_on=row.next_attempt_on,
            payment_id=row.payment_id,
        )


class PlanRead(BaseModel):
    id: int
    customer_id: int
    invoice_id: int | None
    total: MoneyOut
    status: str
    payment_method_id: int | None
    retry_days: list[int]
    created_at: datetime
    instalments: list[InstalmentRead] | None = None
    """The schedule, when one plan is read."""

    @classmethod
    def of(cls, plan: PaymentPlan, schedule: list[PlanInstalment] | None = None) -> PlanRead:
        return cls(
            id=plan.id,
            customer_id=plan.customer_id,
            invoice_id=plan.invoice_id,
            total=MoneyOut.from_minor(plan.total_minor, plan.currency),
            status=plan.status,
            payment_method_id=plan.payment_method_id,
            retry_days=[int(days) for days in plan.retry_days.split(",") if days],
            created_at=plan.created_at,
            instalments=(
                None
                if schedule is None
                else [InstalmentRead.of(i, plan.currency) for i in schedule]
            ),
        )


class AutopayRunIn(BaseModel):
    as_of: date


class AutopayRead(BaseModel):
    instalment_id: int
    attempt: int
    approved: bool
    payment_id: int | None
    next_attempt_on: date | None
    """When a declined charge is tried again; None once paid or failed for good."""

    @classmethod
    def of(cls, result: AutopayResult) -> AutopayRead:
        return cls(
            instalment_id=result.instalment_id,
            attempt=result.attempt,
            approved=result.approved,
            payment_id=result.payment_id,
            next_attempt_on=result.next_attempt_on,
        )
