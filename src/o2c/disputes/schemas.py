"""The disputes API documents: cases, deductions, outcomes, configuration and metrics.

Amounts going out are `MoneyOut` (decimal strings); amounts coming in are integer minor units
of the disputed invoices' own currency (`*_minor`), as in the ledger's API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from o2c.billing.model import LineCreate
from o2c.db.deps import MoneyOut
from o2c.disputes.cases import CaseDetails, Trail
from o2c.disputes.metrics import DisputeMetrics
from o2c.disputes.model import (
    CaseCreate,
    CaseLineCreate,
    CaseSource,
    CaseStatus,
    CreditPart,
    CreditRequest,
    DeductionCreate,
    Priority,
    ReasonSpec,
)
from o2c.disputes.policy import Settings
from o2c.disputes.rules import DeductionPolicy
from o2c.disputes.service import DisputeSummary
from o2c.disputes.tables import Deduction, DeductionAgreement, DisputeCase, WriteOffRequest


class CaseLineIn(BaseModel):
    item_id: int
    amount_minor: int = Field(gt=0)
    invoice_line_id: int | None = None


class CaseIn(BaseModel):
    customer_id: int
    reason: str = Field(min_length=1, max_length=30)
    lines: list[CaseLineIn] = Field(min_length=1, max_length=200)
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=10_000)
    priority: Priority = Priority.NORMAL
    source: CaseSource = CaseSource.COLLECTOR
    owner: str | None = Field(None, max_length=120)
    team: str | None = Field(None, max_length=60)

    def command(self) -> CaseCreate:
        return CaseCreate(
            customer_id=self.customer_id,
            reason=self.reason,
            lines=[
                CaseLineCreate(x.item_id, x.amount_minor, x.invoice_line_id) for x in self.lines
            ],
            title=self.title,
            description=self.description,
            priority=self.priority,
            source=self.source,
            owner=self.owner,
            team=self.team,
        )


class CaseLineRead(BaseModel):
    item_id: int
    invoice_id: int | None
    invoice_line_id: int | None
    amount: MoneyOut


class CaseRead(BaseModel):
    id: int
    customer_id: int
    reason: str
    status: str
    priority: str
    source: str
    title: str
    amount: MoneyOut
    owner: str
    team: str
    opened_on: date
    due_date: date
    outcome: str | None
    settled: MoneyOut | None
    document_id: int | None
    resolved_at: datetime | None
    resolved_by: str | None
    lines: list[CaseLineRead] = []

    @classmethod
    def of(cls, case: DisputeCase, details: CaseDetails | None = None) -> CaseRead:
        settled = case.settled_minor
        return cls(
            id=case.id,
            customer_id=case.customer_id,
            reason=case.reason,
            status=case.status,
            priority=case.priority,
            source=case.source,
            title=case.title,
            amount=MoneyOut.from_minor(case.amount_minor, case.currency),
            owner=case.owner,
            team=case.team,
            opened_on=case.opened_on,
            due_date=case.due_date,
            outcome=case.outcome,
            settled=None if settled is None else MoneyOut.from_minor(settled, case.currency),
            document_id=case.document_id,
            resolved_at=case.resolved_at,
            resolved_by=case.resolved_by,
            lines=[]
            if details is None
            else [
                CaseLineRead(
                    item_id=line.item_id,
                    invoice_id=line.invoice_id,
                    invoice_line_id=line.invoice_line_id,
                    amount=MoneyOut.from_minor(line.amount_minor, case.currency),
                )
                for line in details.lines
            ],
        )


class MoveIn(BaseModel):
    status: CaseStatus
    note: str = Field("", max_length=10_000)


class AssignIn(BaseModel):
    owner: str = Field(min_length=1, max_length=120)
    team: str | None = Field(None, max_length=60)
    priority: Priority | None = None


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)
    to_customer: bool = False


class CommentRead(BaseModel):
    id: int
    author: str
    body: str
    to_customer: bool
    at: datetime


class EventRead(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]


class AttachmentRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class TrailRead(BaseModel):
    events: list[EventRead]
    comments: list[CommentRead]
    attachments: list[AttachmentRead]

    @classmethod
    def of(cls, trail: Trail) -> TrailRead:
        return cls(
            events=[
                EventRead(
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    data=e.data,
                )
                for e in trail.events
            ],
            comments=[
                CommentRead(
                    id=c.id, author=c.author, body=c.body, to_customer=c.to_customer, at=c.at
                )
                for c in trail.comments
            ],
            attachments=[AttachmentRead(**vars(a)) for a in trail.attachments],
        )


class DeductionIn(BaseModel):
    customer_id: int
    item_id: int
    amount_minor: int = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    reason_code: str = Field("", max_length=20)
    reason_text: str = Field("", max_length=500)
    paid_on: date | None = None

    def command(self) -> DeductionCreate:
        return DeductionCreate(
            self.customer_id,
            self.item_id,
            self.amount_minor,
            self.currency,
            self.reason_code,
            self.reason_text,
            paid_on=self.paid_on,
        )


class DeductionRead(BaseModel):
    id: int
    customer_id: int
    item_id: int
    amount: MoneyOut
    reason: str
    reason_code: str
    reason_text: str
    rule: str
    agreement_id: int | None
    status: str
    owner: str
    team: str
    due_date: date | None
    bank_line_ref: str
    created_at: datetime
    outcome: str | None
    settled: MoneyOut | None
    document_id: int | None
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, d: Deduction) -> DeductionRead:
        settled = d.settled_minor
        return cls(
            id=d.id,
            customer_id=d.customer_id,
            item_id=d.item_id,
            amount=MoneyOut.from_minor(d.amount_minor, d.currency),
            reason=d.reason,
            reason_code=d.reason_code,
            reason_text=d.reason_text,
            rule=d.rule,
            agreement_id=d.agreement_id,
            status=d.status,
            owner=d.owner,
            team=d.team,
            due_date=d.due_date,
            bank_line_ref=d.bank_line_ref,
            created_at=d.created_at,
            outcome=d.outcome,
            settled=None if settled is None else MoneyOut.from_minor(settled, d.currency),
            document_id=d.document_id,
            resolved_at=d.resolved_at,
            resolved_by=d.resolved_by,
        )


class NoteIn(BaseModel):
    note: str = Field("", max_length=500)


class RejectIn(BaseModel):
    note_to_customer: str = Field(min_length=1, max_length=10_000)


class CreditPartIn(BaseModel):
    invoice_line_id: int
    quantity: Decimal | None = Field(None, gt=0)
    unit_price: Decimal | None = Field(None, ge=0)


class CreditIn(BaseModel):
    """Without `lines` the whole invoice is credited."""

    invoice_id: int | None = None
    lines: list[CreditPartIn] | None = None
    note: str = Field("", max_length=500)

    def request(self) -> CreditRequest:
        parts = None
        if self.lines is not None:
            parts = tuple(
                CreditPart(p.invoice_line_id, p.quantity, p.unit_price) for p in self.lines
            )
        return CreditRequest(self.invoice_id, parts, self.note)


class RebillLineIn(BaseModel):
    description: str = Field(min_length=1, max_length=300)
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(ge=0)
    product_id: int | None = None
    discount_percent: Decimal = Decimal(0)
    tax_category: str | None = None

    def line(self) -> LineCreate:
        return LineCreate(
            self.description,
            self.quantity,
            self.unit_price,
            self.product_id,
            self.discount_percent,
            self.tax_category,
        )


class RebillIn(BaseModel):
    invoice_id: int | None = None
    lines: list[RebillLineIn] = Field(min_length=1, max_length=500)


class OutcomeRead(BaseModel):
    """What an outcome produced: a document, ledger applications, or a pending request."""

    outcome: str
    document_id: int | None = None
    request_id: int | None = None
    application_ids: list[int] = []


class RequestRead(BaseModel):
    id: int
    subject: str
    subject_id: int
    amount: MoneyOut
    status: str
    note: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, r: WriteOffRequest) -> RequestRead:
        return cls(
            id=r.id,
            subject=r.subject,
            subject_id=r.subject_id,
            amount=MoneyOut.from_minor(r.amount_minor, r.currency),
            status=r.status,
            note=r.note,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
        )


class ReasonIO(BaseModel):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=120)
    sla_days: int = Field(30, ge=0, le=365)
    team: str = Field("ar", max_length=60)
    owner: str = Field("", max_length=120)
    x12_codes: list[str] = []

    @classmethod
    def of(cls, spec: ReasonSpec) -> ReasonIO:
        return cls(
            code=spec.code,
            name=spec.name,
            sla_days=spec.sla_days,
            team=spec.team,
            owner=spec.owner,
            x12_codes=list(spec.x12_codes),
        )

    def spec(self) -> ReasonSpec:
        return ReasonSpec(
            self.code, self.name, self.sla_days, self.team, self.owner, tuple(self.x12_codes)
        )


class SettingsIO(BaseModel):
    tolerance_minor: int = Field(0, ge=0)
    tolerance_percent: Decimal = Field(Decimal(0), ge=0, le=100)
    discount_grace_days: int = Field(3, ge=0, le=60)
    approval_above_minor: int = Field(ge=0)

    @classmethod
    def of(cls, s: Settings) -> SettingsIO:
        return cls(
            tolerance_minor=s.policy.tolerance_minor,
            tolerance_percent=s.policy.tolerance_percent,
            discount_grace_days=s.policy.discount_grace_days,
            approval_above_minor=s.approval_above_minor,
        )

    def settings(self) -> Settings:
        policy = DeductionPolicy(
            self.tolerance_minor, self.tolerance_percent, self.discount_grace_days
        )
        return Settings(policy, self.approval_above_minor)


class AgreementIO(BaseModel):
    id: int | None = None
    customer_id: int
    name: str = Field(min_length=1, max_length=120)
    currency: str = Field(min_length=3, max_length=3)
    amount_minor: int = Field(0, ge=0)
    percent: Decimal = Field(Decimal(0), ge=0, le=100)
    valid_from: date
    valid_to: date

    @classmethod
    def of(cls, a: DeductionAgreement) -> AgreementIO:
        return cls(
            id=a.id,
            customer_id=a.customer_id,
            name=a.name,
            currency=a.currency,
            amount_minor=a.amount_minor,
            percent=Decimal(a.percent),
            valid_from=a.valid_from,
            valid_to=a.valid_to,
        )


class SummaryRead(BaseModel):
    kind: str
    id: int
    status: str
    reason: str
    amount: MoneyOut
    opened_at: datetime
    due_date: date | None
    closed_at: datetime | None
    outcome: str | None
    owner: str

    @classmethod
    def of(cls, s: DisputeSummary) -> SummaryRead:
        return cls(
            kind=s.kind.value,
            id=s.id,
            status=s.status,
            reason=s.reason,
            amount=MoneyOut.from_minor(s.amount_minor, s.currency),
            opened_at=s.opened_at,
            due_date=s.due_date,
            closed_at=s.closed_at,
            outcome=s.outcome,
            owner=s.owner,
        )


class BucketRead(BaseModel):
    reason: str
    age: str
    count: int
    amount: MoneyOut


class MetricsRead(BaseModel):
    as_of: date
    open_by_reason_and_age: list[BucketRead]
    average_cycle_days: float | None
    closed_count: int
    at_risk: list[MoneyOut]
    deductions_valid: int
    deductions_invalid: int
    deductions_valid_rate: float | None
    recovered: list[MoneyOut]

    @classmethod
    def of(cls, m: DisputeMetrics) -> MetricsRead:
        return cls(
            as_of=m.as_of,
            open_by_reason_and_age=[
                BucketRead(
                    reason=b.reason,
                    age=b.age,
                    count=b.count,
                    amount=MoneyOut.from_minor(b.amount_minor, b.currency),
                )
                for b in m.open_by_reason_and_age
            ],
            average_cycle_days=m.average_cycle_days,
            closed_count=m.closed_count,
            at_risk=[MoneyOut.from_minor(v, c) for c, v in sorted(m.at_risk_minor.items())],
            deductions_valid=m.deductions_valid,
            deductions_invalid=m.deductions_invalid,
            deductions_valid_rate=m.valid_rate,
            recovered=[MoneyOut.from_minor(v, c) for c, v in sorted(m.recovered_minor.items())],
        )
