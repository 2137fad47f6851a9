"""The billing API's documents: invoices and credit notes, their lines and tax breakdown.

Money goes over the wire as `{"amount": "12.34", "currency": "EUR"}` and every decimal as a
string, so no client ever parses an amount into a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from o2c.billing import model
from o2c.billing.model import InvoiceKind, InvoiceSource, InvoiceStatus
from o2c.billing.service import InvoiceDetails
from o2c.billing.tables import Invoice, InvoiceLine, InvoiceTax
from o2c.db.deps import MoneyOut


class InvoiceLineCreate(BaseModel):
    description: str = Field(max_length=300)
    quantity: Decimal
    unit_price: Decimal
    product_id: int | None = None
    discount_percent: Decimal = Decimal(0)
    tax_category: str | None = None


class InvoiceCreate(BaseModel):
    """A draft invoice; currency and payment term default to the customer's."""

    customer_id: int
    lines: list[InvoiceLineCreate]
    issue_date: date | None = None
    currency: str | None = None
    payment_term: str | None = None
    po_number: str | None = Field(default=None, max_length=60)
    discount: Decimal = Decimal(0)
    discount_reason: str | None = Field(default=None, max_length=200)
    charge: Decimal = Decimal(0)
    charge_reason: str | None = Field(default=None, max_length=200)
    notes: str | None = None

    def command(self) -> model.InvoiceCreate:
        data = self.model_dump(exclude={"lines"})
        lines = [model.LineCreate(**line.model_dump()) for line in self.lines]
        return model.InvoiceCreate(lines=lines, **data)


class CreditLineCreate(BaseModel):
    invoice_line_id: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None


class CreditNoteCreate(BaseModel):
    """Without `lines` the whole invoice is credited."""

    reason: str = Field(min_length=1, max_length=200)
    lines: list[CreditLineCreate] | None = None

    def credit_lines(self) -> list[model.CreditLine] | None:
        if self.lines is None:
            return None
        return [model.CreditLine(**line.model_dump()) for line in self.lines]


class InvoiceLineRead(BaseModel):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: str
    unit_price: MoneyOut
    discount_percent: str
    net: MoneyOut
    tax_category: str
    tax_percent: str
    tax_exemption_reason: str | None

    @classmethod
    def of(cls, line: InvoiceLine, currency: str) -> InvoiceLineRead:
        return cls(
            id=line.id,
            position=line.position,
            product_id=line.product_id,
            description=line.description,
            quantity=str(line.quantity.normalize()),
            unit_price=MoneyOut.from_minor(line.unit_price_minor, currency),
            discount_percent=str(line.discount_percent.normalize()),
            net=MoneyOut.from_minor(line.net_minor, currency),
            tax_category=line.tax_category,
            tax_percent=str(line.tax_percent.normalize()),
            tax_exemption_reason=line.tax_exemption_reason,
        )


class InvoiceTaxRead(BaseModel):
    category: str
    percent: str
    exemption_reason: str | None
    taxable: MoneyOut
    tax: MoneyOut

    @classmethod
    def of(cls, tax: InvoiceTax, currency: str) -> InvoiceTaxRead:
        return cls(
            category=tax.category,
            percent=str(tax.percent.normalize()),
            exemption_reason=tax.exemption_reason,
            taxable=MoneyOut.from_minor(tax.taxable_minor, currency),
            tax=MoneyOut.from_minor(tax.tax_minor, currency),
        )


class InvoiceRead(BaseModel):
    """An invoice or credit note; lines, taxes and the open amount in the detailed view."""

    model_config = ConfigDict(use_enum_values=True)

    id: int
    kind: InvoiceKind
    number: str | None
    status: InvoiceStatus
    source: InvoiceSource
    customer_id: int
    currency: str
    rate: str
    issue_date: date
    due_date: date
    po_number: str | None
    order_id: int | None
    shipment_id: int | None
    credited_invoice_id: int | None
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    discount: MoneyOut
    discount_reason: str | None
    charge: MoneyOut
    charge_reason: str | None
    notes: str | None
    created_at: datetime
    posted_at: datetime | None
    open: MoneyOut | None = None
    lines: list[InvoiceLineRead] = []
    taxes: list[InvoiceTaxRead] = []

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceRead:
        def money(minor: int) -> MoneyOut:
            return MoneyOut.from_minor(minor, invoice.currency)

        return cls(
            id=invoice.id,
            kind=InvoiceKind(invoice.kind),
            number=invoice.number,
            status=InvoiceStatus(invoice.status),
            source=InvoiceSource(invoice.source),
            customer_id=invoice.customer_id,
            currency=invoice.currency,
            rate=str(Decimal(invoice.rate).normalize()),
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            po_number=invoice.po_number,
            order_id=invoice.order_id,
            shipment_id=invoice.shipment_id,
            credited_invoice_id=invoice.credited_invoice_id,
            net=money(invoice.net_minor),
            tax=money(invoice.tax_minor),
            total=money(invoice.total_minor),
            discount=money(invoice.discount_minor),
            discount_reason=invoice.discount_reason,
            charge=money(invoice.charge_minor),
            charge_reason=invoice.charge_reason,
            notes=invoice.notes,
            created_at=invoice.created_at,
            posted_at=invoice.posted_at,
        )

    @classmethod
    def detailed(cls, details: InvoiceDetails) -> InvoiceRead:
        read = cls.of(details.invoice)
        currency = details.invoice.currency
        read.lines = [InvoiceLineRead.of(line, currency) for line in details.lines]
        read.taxes = [InvoiceTaxRead.of(tax, currency) for tax in details.taxes]
        if details.open_minor is not None:
            read.open = MoneyOut.from_minor(details.open_minor, currency)
        return read
