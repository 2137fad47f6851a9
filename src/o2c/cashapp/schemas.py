"""The cash-application API's wire models: amounts as decimal strings, never floats."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from o2c.cashapp.service import ImportSummary, LineView, MatchSummary, RemittanceSummary
from o2c.db.deps import MoneyOut
from o2c.db.sensitive import MaskedAccount


class ImportRead(BaseModel):
    format: str
    statements: int
    lines: int
    new_lines: int
    known_lines: int
    credits: int
    debits: int
    duplicate_file: bool

    @classmethod
    def of(cls, s: ImportSummary) -> ImportRead:
        return cls(
            format=s.format,
            statements=s.statements,
            lines=s.lines,
            new_lines=s.new_lines,
            known_lines=s.known_lines,
            credits=s.credits,
            debits=s.debits,
            duplicate_file=s.duplicate_file,
        )


class RemittanceRead(BaseModel):
    remittances: int
    items: int
    duplicate_file: bool

    @classmethod
    def of(cls, s: RemittanceSummary) -> RemittanceRead:
        return cls(remittances=s.remittances, items=s.items, duplicate_file=s.duplicate_file)


class MatchRequest(BaseModel):
    as_of: date | None = None
    threshold: float | None = Field(default=None, gt=0, le=1)


class MatchRead(BaseModel):
    lines: int
    by_status: dict[str, int]
    payments: int

    @classmethod
    def of(cls, s: MatchSummary) -> MatchRead:
        return cls(lines=s.lines, by_status=s.by_status, payments=s.payments)


class AllocationIn(BaseModel):
    invoice_item_id: int
    amount: str = Field(description="Decimal string in the line's currency, e.g. '119.00'")


class ManualMatch(BaseModel):
    allocations: list[AllocationIn] = Field(min_length=1)
    split: bool = Field(default=False, description="One payment per invoice owner")


class AcceptSuggestion(BaseModel):
    index: int = Field(default=0, ge=0)


class IgnoreLine(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class LineRead(BaseModel):
    id: int
    bank_ref: str
    account: str
    booking_date: date | None
    value_date: date | None
    amount: MoneyOut
    counterparty_name: str
    counterparty_account: MaskedAccount
    remittance_text: str
    status: str
    customer_id: int | None
    payment_id: int | None
    confidence: float | None
    reason: str
    decision: dict[str, Any] | None

    @classmethod
    def of(cls, view: LineView) -> LineRead:
        line = view.line
        return cls(
            id=line.id,
            bank_ref=line.bank_ref,
            account=line.account,
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount=MoneyOut.from_minor(line.amount_minor, line.currency),
            counterparty_name=line.counterparty_name,
            counterparty_account=line.counterparty_account,
            remittance_text=line.remittance_text,
            status=line.status,
            customer_id=line.customer_id,
            payment_id=line.payment_id,
            confidence=line.confidence,
            reason=line.reason,
            decision=view.decision,
        )
