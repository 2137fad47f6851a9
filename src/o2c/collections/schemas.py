"""Pydantic I/O of collections: strategies, runs, actions, worklist, promises, timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from o2c.collections.model import CallOutcome
from o2c.db.deps import KnownCurrency, MoneyOut
from o2c.kernel.money import Money


class StrategyRead(BaseModel):
    version: int
    name: str
    active: bool
    created_at: datetime
    created_by: str
    document: dict[str, Any]


class StrategyCheck(BaseModel):
    valid: bool
    segments: int
    steps: int


class RunIn(BaseModel):
    as_of: date | None = None
    mail: bool = Field(default=True, description="Compose and queue the mails of email actions")


class RunRead(BaseModel):
    as_of: date
    run_id: int
    strategy_version: int
    customers: int
    actions: int
    by_kind: dict[str, int]
    promises_kept: int
    promises_broken: int
    mails_queued: int


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    as_of: date
    segment: str
    step: str
    kind: str
    level: int
    channel: str
    template: str | None
    invoice_numbers: str
    amount: MoneyOut
    status: str
    reason: str

    @classmethod
    def of(cls, a: Any) -> ActionRead:
        return cls(
            id=a.id,
            customer_id=a.customer_id,
            as_of=a.as_of,
            segment=a.segment,
            step=a.step,
            kind=a.kind,
            level=a.level,
            channel=a.channel,
            template=a.template,
            invoice_numbers=a.invoice_numbers,
            amount=MoneyOut.of(Money.from_minor(a.amount_minor, a.currency)),
            status=a.status,
            reason=a.reason,
        )


class TaskRead(BaseModel):
    id: int
    kind: str
    due_on: date
    note: str


class WorklistRowRead(BaseModel):
    customer_id: int
    code: str
    name: str
    collector: str | None
    risk_class: str
    overdue_base_minor: int
    oldest_days: int
    average_days: float
    value: float
    tasks: list[TaskRead]


class AssignIn(BaseModel):
    collector: str | None = Field(max_length=120)
    customer_ids: list[int] = Field(min_length=1)


class PromiseIn(BaseModel):
    customer_id: int
    invoice_item_ids: list[int] = Field(min_length=1)
    amount: str = Field(
        description="Decimal string in the invoices' currency", pattern=r"^\d{1,15}(\.\d{1,4})?$"
    )
    currency: KnownCurrency = Field(min_length=3, max_length=3)
    pay_by: date
    note: str = ""
    grace_days: int | None = None


class PromiseRead(BaseModel):
    id: int
    customer_id: int
    invoice_numbers: list[str]
    amount: MoneyOut
    paid: MoneyOut
    made_on: date
    pay_by: date
    grace_days: int
    status: str
    resolved_on: date | None


class CallIn(BaseModel):
    outcome: CallOutcome
    note: str = ""
    task_id: int | None = None


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=500)


class TimelineEntryRead(BaseModel):
    at: datetime
    kind: str
    summary: str
    ref: str | None


class SimulationIn(BaseModel):
    strategy: dict[str, Any]
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class SimulatedActionRead(BaseModel):
    day: date
    customer_id: int
    segment: str
    step: str
    kind: str
    level: int
    channel: str
    invoice_numbers: list[str]
    amount: MoneyOut
