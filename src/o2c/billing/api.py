"""The billing HTTP interface: draft, post and list invoices; credit notes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from o2c.billing.model import InvoiceFilter, InvoiceKind, InvoiceStatus
from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import render_document
from o2c.billing.schemas import CreditNoteCreate, InvoiceCreate, InvoiceRead
from o2c.billing.service import (
    cancel_invoice,
    create_credit_note,
    create_invoice,
    invoice_details,
    list_invoices,
    post_invoice,
)
from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep

router = APIRouter(prefix="/invoices", tags=["billing"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Draft an invoice")
def post_draft(
    uow: UowDep, actor: ActorDep, body: InvoiceCreate, key: IdempotencyKeyDep = None
) -> InvoiceRead:
    invoice = create_invoice(uow, actor, body.command(), idempotency_key=key)
    return InvoiceRead.detailed(invoice_details(uow, actor, invoice.id))


@router.get("", summary="Invoices and credit notes, newest first")
def get_invoices(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    status: InvoiceStatus | None = None,
    kind: InvoiceKind | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> Page[InvoiceRead]:
    where = InvoiceFilter(
        customer_id, status, kind, issued_from, issued_to, page.limit, page.offset
    )
    invoices, total = list_invoices(uow, actor, where)
    return Page.of([InvoiceRead.of(i) for i in invoices], total, page)


@router.get("/{invoice_id}", summary="One invoice with its lines, taxes and open amount")
def get_one(uow: UowDep, actor: ActorDep, invoice_id: int) -> InvoiceRead:
    return InvoiceRead.detailed(invoice_details(uow, actor, invoice_id))


@router.post("/{invoice_id}/post", summary="Number and post a draft to the ledger")
def post_posting(
    uow: UowDep, actor: ActorDep, invoice_id: int, key: IdempotencyKeyDep = None
) -> InvoiceRead:
    """Retried with the same Idempotency-Key, answers the posted invoice instead of a 409."""
    post_invoice(uow, actor, invoice_id, idempotency_key=key)
    return InvoiceRead.detailed(invoice_details(uow, actor, invoice_id))


@router.post("/{invoice_id}/cancel", summary="Drop a draft invoice")
def post_cancel(uow: UowDep, actor: ActorDep, invoice_id: int) -> InvoiceRead:
    cancel_invoice(uow, actor, invoice_id)
    return InvoiceRead.detailed(invoice_details(uow, actor, invoice_id))


@router.post(
    "/{invoice_id}/credit-notes",
    status_code=status.HTTP_201_CREATED,
    summary="Credit an invoice in full or in part (posted and applied at once)",
)
def post_credit_note(
    uow: UowDep,
    actor: ActorDep,
    invoice_id: int,
    body: CreditNoteCreate,
    key: IdempotencyKeyDep = None,
) -> InvoiceRead:
    note = create_credit_note(
        uow, actor, invoice_id, body.credit_lines(), body.reason, idempotency_key=key
    )
    return InvoiceRead.detailed(invoice_details(uow, actor, note.id))


@router.get(
    "/{number}/document",
    summary="A posted invoice or credit note as PDF, UBL (Peppol BIS 3.0), CII or Factur-X",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/xml": {}}}},
)
def get_document(
    uow: UowDep,
    actor: ActorDep,
    number: str,
    fmt: Annotated[DocumentFormat, Query(alias="format")] = DocumentFormat.PDF,
) -> Response:
    document = render_document(uow, actor, number, fmt)
    disposition = f'attachment; filename="{document.filename}"'
    return Response(document.content, media_type=document.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip
