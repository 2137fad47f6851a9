"""The EDI and inbound-document API's documents: partners, imports, exports, interchanges."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from o2c.formats.x12 import Delimiters
from o2c.integration.model import DocumentImport, PartnerCreate, Received
from o2c.integration.tables import EdiInterchange, EdiPartner


class PartnerIn(BaseModel):
    """A customer as a trading partner: its ISA address, ours as it knows us, the separators."""

    customer_id: int
    isa_id: str = Field(min_length=1, max_length=15)
    our_id: str = Field(min_length=1, max_length=15)
    isa_qualifier: str = Field(default="ZZ", min_length=1, max_length=2)
    our_qualifier: str = Field(default="ZZ", min_length=1, max_length=2)
    gs_id: str | None = Field(default=None, max_length=15)
    our_gs_id: str | None = Field(default=None, max_length=15)
    separators: str = Field(
        default="*>~", min_length=3, max_length=3, description="element, component, segment"
    )
    usage: Literal["P", "T"] = "P"

    def command(self) -> PartnerCreate:
        element, component, segment = self.separators[0], self.separators[1], self.separators[2]
        return PartnerCreate(
            self.customer_id,
            self.isa_qualifier,
            self.isa_id,
            self.our_qualifier,
            self.our_id,
            gs_id=self.gs_id,
            our_gs_id=self.our_gs_id,
            delimiters=Delimiters(element, component, segment),
            usage=self.usage,
        )


class PartnerRead(BaseModel):
    id: int
    customer_id: int
    isa_qualifier: str
    isa_id: str
    gs_id: str
    our_qualifier: str
    our_id: str
    our_gs_id: str
    usage: str
    last_interchange: int
    created_at: datetime

    @classmethod
    def of(cls, row: EdiPartner) -> PartnerRead:
        return cls.model_validate(row, from_attributes=True)


class ReceivedOrderRead(BaseModel):
    reference: str
    order_id: int
    order_number: str


class ReceivedRead(BaseModel):
    """The draft orders one inbound file opened (or, for a file seen before, had opened)."""

    format: str
    duplicate: bool
    orders: list[ReceivedOrderRead]
    acknowledgement: str | None
    """The 997 interchange for X12 input, as text."""
    totals_differ: bool

    @classmethod
    def of(cls, received: Received) -> ReceivedRead:
        ack = received.acknowledgement
        return cls(
            format=received.format,
            duplicate=received.duplicate,
            orders=[
                ReceivedOrderRead(
                    reference=o.reference, order_id=o.order_id, order_number=o.order_number
                )
                for o in received.orders
            ],
            acknowledgement=None if ack is None else ack.decode("ascii", errors="replace"),
            totals_differ=received.totals_differ,
        )


class InvoiceExportIn(BaseModel):
    invoice_id: int


class ShipmentExportIn(BaseModel):
    shipment_id: int


class InterchangeRead(BaseModel):
    id: int
    partner_id: int
    direction: str
    control_number: int
    document_type: str
    document_id: int | None
    reference: str
    content_sha256: str
    created_at: datetime
    created_by: str
    content: str | None = None
    """The interchange as sent or received; only when one interchange is read."""

    @classmethod
    def of(cls, row: EdiInterchange, with_content: bool = False) -> InterchangeRead:
        read = cls.model_validate(row, from_attributes=True)
        read.content = row.content if with_content else None
        return read


class InboundDocumentRead(BaseModel):
    id: int
    syntax: str
    document_id: str
    customer_id: int
    order_id: int
    order_number: str
    currency: str
    order_net: str
    document_total: str | None
    totals_differ: bool

    @classmethod
    def of(cls, document: DocumentImport) -> InboundDocumentRead:
        total = document.document_total
        return cls(
            id=document.document_row_id,
            syntax=document.syntax,
            document_id=document.document_id,
            customer_id=document.customer_id,
            order_id=document.order_id,
            order_number=document.order_number,
            currency=document.currency,
            order_net=str(document.order_net),
            document_total=None if total is None else str(total),
            totals_differ=document.totals_differ,
        )
