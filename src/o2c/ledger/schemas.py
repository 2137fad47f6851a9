"""The ledger's API documents: reports out, applications, write-offs, periods and rates in.

Amounts going out are `MoneyOut` (decimal strings). Amounts coming in are integer minor units
of the settled items' own currency (`*_minor`), the unit the ledger applies in, so a client
can never send an amount in a currency other than the item's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from o2c.db.deps import MoneyOut
from o2c.ledger.reports import (
    AgingRow,
    CustomerStatement,
    OpenItemOn,
    StatementLine,
    TrialBalanceRow,
)
from o2c.ledger.service import ApplyCommand
from o2c.ledger.tables import Account


def _balances(by_currency: dict[str, int]) -> list[MoneyOut]:
    return [MoneyOut.from_minor(v, c) for c, v in sorted(by_currency.items())]


class AgingRowRead(BaseModel):
    customer_id: int
    currency: str
    bucket: str
    amount: MoneyOut

    @classmethod
    def of(cls, row: AgingRow) -> AgingRowRead:
        return cls(
            customer_id=row.customer_id,
            currency=row.currency,
            bucket=row.bucket,
            amount=MoneyOut.from_minor(row.amount_minor, row.currency),
        )


class AgingRead(BaseModel):
    as_of: date
    buckets: list[str]
    rows: list[AgingRowRead]


class OpenItemRead(BaseModel):
    id: int
    customer_id: int
    kind: str
    document_number: str
    doc_date: date
    due_date: date
    amount: MoneyOut
    open: MoneyOut

    @classmethod
    def of(cls, item: OpenItemOn) -> OpenItemRead:
        return cls(
            id=item.item_id,
            customer_id=item.customer_id,
            kind=item.kind,
            document_number=item.document_number,
            doc_date=item.doc_date,
            due_date=item.due_date,
            amount=MoneyOut.from_minor(item.amount_minor, item.currency),
            open=MoneyOut.from_minor(item.open_minor, item.currency),
        )


class StatementLineRead(BaseModel):
    day: date
    kind: str
    document_number: str
    amount: MoneyOut

    @classmethod
    def of(cls, line: StatementLine) -> StatementLineRead:
        return cls(
            day=line.day,
            kind=line.kind,
            document_number=line.document_number,
            amount=MoneyOut.from_minor(line.amount_minor, line.currency),
        )


class StatementRead(BaseModel):
    customer_id: int
    start: date
    end: date
    opening: list[MoneyOut]
    lines: list[StatementLineRead]
    closing: list[MoneyOut]
    open_items: list[OpenItemRead]

    @classmethod
    def of(cls, statement: CustomerStatement) -> StatementRead:
        return cls(
            customer_id=statement.customer_id,
            start=statement.start,
            end=statement.end,
            opening=_balances(statement.opening),
            lines=[StatementLineRead.of(line) for line in statement.lines],
            closing=_balances(statement.closing),
            open_items=[OpenItemRead.of(item) for item in statement.open_items],
        )


class TrialBalanceRowRead(BaseModel):
    account_code: str
    account_name: str
    role: str | None
    debit: MoneyOut
    credit: MoneyOut
    base_balance: MoneyOut

    @classmethod
    def of(cls, row: TrialBalanceRow, base_currency: str) -> TrialBalanceRowRead:
        return cls(
            account_code=row.account_code,
            account_name=row.account_name,
            role=row.role,
            debit=MoneyOut.from_minor(row.debit_minor, row.currency),
            credit=MoneyOut.from_minor(row.credit_minor, row.currency),
            base_balance=MoneyOut.from_minor(row.base_minor, base_currency),
        )


class TrialBalanceRead(BaseModel):
    as_of: date
    base_currency: str
    rows: list[TrialBalanceRowRead]


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    role: str | None

    @classmethod
    def of(cls, account: Account) -> AccountRead:
        return cls.model_validate(account)


class ApplicationCreate(BaseModel):
    """Settle `amount_minor` of a debit item with a credit item (either may be omitted for a
    write-off), plus any early-payment discount and small-difference write-off."""

    model_config = ConfigDict(extra="forbid")

    debit_item_id: int | None
    credit_item_id: int | None
    amount_minor: int = Field(ge=0)
    applied_on: date
    discount_minor: int = Field(default=0, ge=0)
    writeoff_minor: int = Field(default=0, ge=0)
    memo: str = Field(default="", max_length=200)

    def command(self) -> ApplyCommand:
        return ApplyCommand(
            debit_item_id=self.debit_item_id,
            credit_item_id=self.credit_item_id,
            amount=self.amount_minor,
            applied_on=self.applied_on,
            discount=self.discount_minor,
            writeoff=self.writeoff_minor,
            memo=self.memo,
        )


class ApplicationRead(ApplicationCreate):
    id: int


class ReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date


class ReversalRead(BaseModel):
    id: int
    reverses_id: int
    on: date


class WriteOffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: int
    amount_minor: int = Field(gt=0)
    on: date
    memo: str = Field(default="", max_length=200)


class WriteOffRead(WriteOffCreate):
    application_id: int


class PeriodClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    through: date


class PeriodRead(BaseModel):
    locked_through: date


class FxRateCreate(BaseModel):
    """`rate` units of the base currency for one unit of `currency`, from `valid_from` on."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    valid_from: date
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=10)


class FxRateRead(BaseModel):
    currency: str
    valid_from: date
    rate: str
