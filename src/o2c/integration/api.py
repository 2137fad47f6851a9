"""The EDI HTTP interface: partners, inbound orders (X12 850, UBL, CII), 810/856 out, the record.

Inbound files are idempotent by content (the same bytes return the first result, answered
200 instead of 201), so they take no Idempotency-Key; exports and partners do, because each
export uses up the partner's next control numbers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.integration.inbound import list_inbound_documents, receive
from o2c.integration.interchanges import (
    InterchangeFilter,
    get_interchange,
    get_partner,
    list_interchanges,
    list_partners,
)
from o2c.integration.schemas import (
    InboundDocumentRead,
    InterchangeRead,
    InvoiceExportIn,
    PartnerIn,
    PartnerRead,
    ReceivedRead,
    ShipmentExportIn,
)
from o2c.integration.service import create_partner, export_810, export_856

router = APIRouter(prefix="/edi", tags=["edi"])

FileName = Annotated[str, Query(max_length=255, description="Name shown in errors")]
RAW = {
    "requestBody": {
        "content": {
            "application/edi-x12": {"schema": {"type": "string", "format": "binary"}},
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
        }
    }
}


@router.post("/partners", status_code=status.HTTP_201_CREATED, summary="Register a partner")
def post_partner(
    uow: UowDep, actor: ActorDep, body: PartnerIn, key: IdempotencyKeyDep = None
) -> PartnerRead:
    def create() -> int:
        return create_partner(uow, actor, body.command()).id

    partner_id = run_once(uow, actor.company_id, "edi.partner", key, body, create)
    return PartnerRead.of(get_partner(uow, actor, partner_id))


@router.get("/partners", summary="Trading partners")
def get_partners(uow: UowDep, actor: ActorDep, page: PageParamsDep) -> Page[PartnerRead]:
    rows, total = list_partners(uow, actor, page.limit, page.offset)
    return Page[PartnerRead].of([PartnerRead.of(r) for r in rows], total, page)


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=RAW,
    summary="Receive an order file: X12 850, UBL Order/Invoice, Order-X or CII invoice",
)
async def post_import(
    request: Request,
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    filename: FileName = "upload",
) -> ReceivedRead:
    """The raw file as the body; its syntax is detected. A file seen before answers 200."""
    received = receive(uow, actor, await request.body(), filename)
    if received.duplicate:
        response.status_code = status.HTTP_200_OK
    return ReceivedRead.of(received)


@router.post("/exports/810", status_code=status.HTTP_201_CREATED, summary="Send an invoice")
def post_810(
    uow: UowDep, actor: ActorDep, body: InvoiceExportIn, key: IdempotencyKeyDep = None
) -> InterchangeRead:
    def send() -> int:
        return export_810(uow, actor, body.invoice_id).interchange_id

    sent = run_once(uow, actor.company_id, "edi.export.810", key, body, send)
    return InterchangeRead.of(get_interchange(uow, actor, sent), with_content=True)


@router.post("/exports/856", status_code=status.HTTP_201_CREATED, summary="Send a ship notice")
def post_856(
    uow: UowDep, actor: ActorDep, body: ShipmentExportIn, key: IdempotencyKeyDep = None
) -> InterchangeRead:
    def send() -> int:
        return export_856(uow, actor, body.shipment_id).interchange_id

    sent = run_once(uow, actor.company_id, "edi.export.856", key, body, send)
    return InterchangeRead.of(get_interchange(uow, actor, sent), with_content=True)


@router.get("/interchanges", summary="Interchanges sent and received, newest first")
def get_interchanges(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    partner_id: int | None = None,
    direction: Literal["in", "out"] | None = None,
    document_type: Literal["850", "810", "856", "997"] | None = None,
) -> Page[InterchangeRead]:
    where = InterchangeFilter(partner_id, direction, document_type, page.limit, page.offset)
    rows, total = list_interchanges(uow, actor, where)
    return Page[InterchangeRead].of([InterchangeRead.of(r) for r in rows], total, page)


@router.get("/interchanges/{interchange_id}", summary="One interchange with its content")
def get_one_interchange(uow: UowDep, actor: ActorDep, interchange_id: int) -> InterchangeRead:
    return InterchangeRead.of(get_interchange(uow, actor, interchange_id), with_content=True)


@router.get("/documents", summary="Inbound UBL and CII documents, newest first")
def get_documents(uow: UowDep, actor: ActorDep, page: PageParamsDep) -> Page[InboundDocumentRead]:
    rows, total = list_inbound_documents(uow, actor, page.limit, page.offset)
    return Page[InboundDocumentRead].of([InboundDocumentRead.of(r) for r in rows], total, page)
