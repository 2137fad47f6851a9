"""Pydantic I/O of credit: holds, rules, exposure, scores and limit reviews."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from o2c.credit.checking import CustomerExposure
from o2c.credit.exposure import Exposure
from o2c.credit.rules import CreditPolicy, RiskClass
from o2c.credit.tables import CreditLimitReview, CreditScore, OrderCreditHold
from o2c.db.deps import MoneyOut


class HoldIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class HoldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    reason: str
    source: str
    placed_at: datetime
    placed_by: str
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


class PolicyIO(BaseModel):
    """The company's credit rules; null switches a threshold off."""

    customer_limit: bool = True
    group_limit: bool = True
    max_days_past_due: int | None = Field(default=60, ge=0, le=3660)
    blocked_classes: list[RiskClass] = Field(default_factory=lambda: [RiskClass.E])
    broken_promise_days: int = Field(default=90, ge=1, le=3660)
    max_broken_promises: int | None = Field(default=1, ge=0, le=1000)
    auto_release: bool = True

    def policy(self) -> CreditPolicy:
        return CreditPolicy(
            **self.model_dump(exclude={"blocked_classes"}),
            blocked_classes=frozenset(self.blocked_classes),
        )

    @classmethod
    def of(cls, policy: CreditPolicy) -> PolicyIO:
        fields = asdict(policy)
        fields["blocked_classes"] = sorted(policy.blocked_classes)
        return cls(**fields)


class FailureRead(BaseModel):
    rule: str
    reason: str
    figures: dict[str, str]


class OrderHoldRead(BaseModel):
    id: int
    order_id: int
    order_number: str
    customer_id: int
    stage: str
    status: str
    amount: MoneyOut
    failures: list[FailureRead]
    held_at: datetime
    requested_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, hold: OrderCreditHold) -> OrderHoldRead:
        return cls(
            id=hold.id,
            order_id=hold.order_id,
            order_number=hold.order_number,
            customer_id=hold.customer_id,
            stage=hold.stage,
            status=hold.status,
            amount=MoneyOut.from_minor(hold.order_minor, hold.currency),
            failures=[FailureRead.model_validate(f) for f in hold.failures["failures"]],
            held_at=hold.held_at,
            requested_by=hold.requested_by,
            decided_at=hold.decided_at,
            decided_by=hold.decided_by,
            decision_reason=hold.decision_reason,
        )


class DecisionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class FactorRead(BaseModel):
    name: str
    value: str
    points: int
    max_points: int
    explanation: str


class ScoreRead(BaseModel):
    customer_id: int
    points: int
    risk_class: str
    broken_promises: int
    factors: list[FactorRead]
    as_of: date
    scored_at: datetime

    @classmethod
    def of(cls, row: CreditScore) -> ScoreRead:
        return cls(
            customer_id=row.customer_id,
            points=row.points,
            risk_class=row.risk_class,
            broken_promises=row.broken_promises,
            factors=[FactorRead.model_validate(f) for f in row.factors["factors"]],
            as_of=row.as_of,
            scored_at=row.scored_at,
        )


class ReviewRead(BaseModel):
    id: int
    customer_id: int
    status: str
    current_limit: MoneyOut
    proposed_limit: MoneyOut
    exposure: MoneyOut
    points: int
    risk_class: str
    reason: str
    as_of: date
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, row: CreditLimitReview) -> ReviewRead:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            status=row.status,
            current_limit=MoneyOut.from_minor(row.current_minor, row.currency),
            proposed_limit=MoneyOut.from_minor(row.proposed_minor, row.currency),
            exposure=MoneyOut.from_minor(row.exposure_minor, row.currency),
            points=row.points,
            risk_class=row.risk_class,
            reason=row.reason,
            as_of=row.as_of,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            decision_reason=row.decision_reason,
        )


class ReviewDecisionIn(BaseModel):
    reason: str = Field(default="", max_length=300)


class ExposureRead(BaseModel):
    """Exposure of a customer or group in its limit's currency, by where it comes from."""

    customer_ids: list[int]
    open_items: MoneyOut
    confirmed_not_invoiced: MoneyOut
    shipped_not_invoiced: MoneyOut
    total: MoneyOut
    limit: MoneyOut | None
    available: MoneyOut | None
    as_of: date

    @classmethod
    def of(cls, exposure: Exposure) -> ExposureRead:
        limit, available = exposure.limit, exposure.available
        return cls(
            customer_ids=list(exposure.customer_ids),
            open_items=MoneyOut.of(exposure.open_items),
            confirmed_not_invoiced=MoneyOut.of(exposure.ordered),
            shipped_not_invoiced=MoneyOut.of(exposure.shipped),
            total=MoneyOut.of(exposure.total),
            limit=None if limit is None else MoneyOut.of(limit),
            available=None if available is None else MoneyOut.of(available),
            as_of=exposure.as_of,
        )


class CustomerExposureRead(BaseModel):
    customer: ExposureRead
    group: ExposureRead | None

    @classmethod
    def of(cls, exposure: CustomerExposure) -> CustomerExposureRead:
        group = exposure.group
        return cls(
            customer=ExposureRead.of(exposure.customer),
            group=None if group is None else ExposureRead.of(group),
        )
