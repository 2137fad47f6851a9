"""Billing use cases: draft invoices, post them (one or thousands), credit notes, look-ups.

Posting is where an invoice becomes a receivable: it takes the next gapless number of its
series, posts its journal entry and open item through `ledger.service`, and freezes the
invoice. One code path posts one invoice or a batch, set-based either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from o2c.billing.drafts import (
    insert_draft,
    prepare_chargeback,
    prepare_credit_note,
    prepare_from_billable,
    prepare_invoice,
)
from o2c.billing.model import (
    CreditLine,
    InvoiceCreate,
    InvoiceFilter,
    InvoiceKind,
    InvoiceStatus,
    PostedInvoice,
    fingerprint,
    require_draft,
)
from o2c.billing.numbering import CREDIT_NOTE_SERIES, INVOICE_SERIES, numbers_for
from o2c.billing.posting import InvoiceDocument, RevenueLine, TaxLine, invoice_entry
from o2c.billing.tables import Invoice, InvoiceLine, InvoiceTax, NumberSeries
from o2c.billing.totals import spread
from o2c.catalog import service as catalog
from o2c.catalog.model import PaymentTerm
from o2c.catalog.terms import discount_terms
from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import InvalidTransition, NotFound
from o2c.ledger.model import AccountRole, ItemKind
from o2c.ledger.service import ApplyCommand, ItemDraft, apply_items, post_documents
from o2c.ledger.tables import OpenItem
from o2c.orders import service as orders
from o2c.parties import service as parties
from o2c.parties.model import Customer, InvoiceOn
from o2c.parties.tables import Customer as CustomerRow
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, audit_many, get_company
from o2c.shipping import service as shipping
from o2c.shipping.model import INVOICEABLE as INVOICEABLE_SHIPMENTS
from o2c.shipping.tables import Shipment, ShipmentLine

CHUNK = 5000
SERIES = {InvoiceKind.INVOICE: INVOICE_SERIES, InvoiceKind.CREDIT_NOTE: CREDIT_NOTE_SERIES}


def take_numbers(uow: UnitOfWork, company_id: int, series: str, day: date, count: int) -> list[str]:
    """Reserve the next `count` numbers of `series` in the year of `day`, gapless.

    The series row stays locked until the caller's transaction ends: concurrent posters
    queue behind it, and a rollback gives the numbers back, so no number is ever skipped.
    """
    where = (
        NumberSeries.company_id == company_id,
        NumberSeries.series == series,
        NumberSeries.year == day.year,
    )
    locked = select(NumberSeries.id, NumberSeries.next_value).where(*where).with_for_update()
    row = uow.session.execute(locked).first()
    if row is None:
        dialect_insert = (
            pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        uow.session.execute(
            dialect_insert(NumberSeries)
            .values(company_id=company_id, series=series, year=day.year, next_value=1)
            .on_conflict_do_nothing(index_elements=["company_id", "series", "year"])
        )
        row = uow.session.execute(locked).one()
    uow.session.execute(
        update(NumberSeries)
        .where(NumberSeries.id == row.id)
        .values(next_value=row.next_value + count)
        .execution_options(synchronize_session=False)
    )
    return numbers_for(series, day, row.next_value, count)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def create_invoice(
    uow: UnitOfWork, actor: Actor, command: InvoiceCreate, idempotency_key: str | None = None
) -> Invoice:
    """Draft an invoice: every figure is computed and stored now; the number comes at posting."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        digest = fingerprint(repr(command))
        earlier = _earlier(uow, actor, "invoice.create", idempotency_key, digest)
        if earlier is not None:
            return earlier
        draft = prepare_invoice(uow, actor, command)
        invoice = insert_draft(uow, actor, draft)
        audit(uow, actor, "invoice.create", "invoice", invoice.id, {"total": invoice.total_minor})
        _remember(uow, actor, "invoice.create", idempotency_key, digest, invoice.id)
        uow.commit()
        return invoice


def post_invoice(
    uow: UnitOfWork, actor: Actor, invoice_id: int, idempotency_key: str | None = None
) -> Invoice:
    """Number a draft and post it: journal entry, open item, and the invoice frozen."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        digest = fingerprint(invoice_id)
        earlier = _earlier(uow, actor, "invoice.post", idempotency_key, digest)
        if earlier is not None:
            return earlier
        _post_drafts(uow, actor, [invoice_id])
        _remember(uow, actor, "invoice.post", idempotency_key, digest, invoice_id)
        uow.commit()
        return _load(uow, actor, invoice_id, refresh=True)


def cancel_invoice(uow: UnitOfWork, actor: Actor, invoice_id: int) -> Invoice:
    """Drop a draft. A posted invoice is never cancelled: it is credited instead."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        invoice = _load(uow, actor, invoice_id, lock=True)
        require_draft(invoice.status, invoice.number, invoice.id)
        invoice.status = InvoiceStatus.CANCELLED.value
        audit(uow, actor, "invoice.cancel", "invoice", invoice.id)
        uow.commit()
        return invoice


def _earlier(
    uow: UnitOfWork, actor: Actor, scope: str, key: str | None, digest: str
) -> Invoice | None:
    """The invoice a retried request (same Idempotency-Key) produced the first time."""
    if key is None:
        return None
    found = previous_result(uow.session, actor.company_id, scope, key, digest)
    return None if found is None else _load(uow, actor, found)


def _remember(
    uow: UnitOfWork, actor: Actor, scope: str, key: str | None, digest: str, invoice_id: int
) -> None:
    if key is not None:
        now = uow.clock.now()
        remember_result(uow.session, actor.company_id, scope, key, digest, invoice_id, now)


def post_invoices(uow: UnitOfWork, actor: Actor, invoice_ids: Sequence[int]) -> list[PostedInvoice]:
    """Post many drafts in one transaction: all are posted, or none (the bulk path)."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        posted = _post_drafts(uow, actor, invoice_ids)
        uow.commit()
        return posted


_HEAD = (
    Invoice.id,
    Invoice.kind,
    Invoice.status,
    Invoice.number,
    Invoice.customer_id,
    Invoice.currency,
    Invoice.rate,
    Invoice.issue_date,
    Invoice.due_date,
    Invoice.payment_term_id,
    Invoice.po_number,
    Invoice.total_minor,
    Invoice.discount_minor,
    Invoice.charge_minor,
)


def _post_drafts(uow: UnitOfWork, actor: Actor, invoice_ids: Sequence[int]) -> list[PostedInvoice]:
    """Number, post and freeze drafts, set-based: one statement per table for the whole set."""
    ids = sorted(set(invoice_ids))
    heads = _lock_drafts(uow, actor, ids)
    revenue = _revenue_lines(uow, ids, heads)
    taxes = _tax_lines(uow, ids)
    terms = {
        term_id: catalog.get_payment_term(uow, actor.company_id, term_id)
        for term_id in {h.payment_term_id for h in heads if h.payment_term_id is not None}
    }
    numbers = _numbers(uow, actor, heads)
    base_currency = get_company(uow, actor.company_id).base_currency
    documents = []
    for head in heads:
        document = InvoiceDocument(
            head.id,
            InvoiceKind(head.kind),
            numbers[head.id],
            head.customer_id,
            head.currency,
            base_currency,
            head.rate,
            head.issue_date,
            tuple(revenue[head.id]),
            tuple(taxes[head.id]),
            head.total_minor,
        )
        term = terms.get(head.payment_term_id) if head.payment_term_id is not None else None
        documents.append((invoice_entry(document), _item(head, document, term)))
    posted = [
        PostedInvoice(head.id, numbers[head.id], doc.entry_id, doc.item_id or 0)
        for head, doc in zip(heads, post_documents(uow, actor, documents), strict=True)
    ]
    _mark_posted(uow, actor, heads, posted)
    return posted


def _tax_lines(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, list[TaxLine]]:
    taxes: dict[int, list[TaxLine]] = defaultdict(list)
    columns = (InvoiceTax.invoice_id, InvoiceTax.category, InvoiceTax.percent, InvoiceTax.tax_minor)
    for chunk in _chunks(ids):
        rows = uow.session.execute(
            select(*columns).where(InvoiceTax.invoice_id.in_(chunk)).order_by(InvoiceTax.id)
        )
        for invoice_id, category, percent, tax in rows:
            taxes[invoice_id].append(TaxLine(category, percent, tax))
    return taxes


def _item(head: Any, document: InvoiceDocument, term: PaymentTerm | None) -> ItemDraft:
    """The open item: due by the term, with its early-payment discount (invoices only)."""
    is_invoice = document.kind is InvoiceKind.INVOICE
    offer = None
    if is_invoice and term is not None:
        offer = discount_terms(head.issue_date, term, head.total_minor, head.currency)
    return ItemDraft(
        customer_id=head.customer_id,
        kind=ItemKind.INVOICE if is_invoice else ItemKind.CREDIT_NOTE,
        source_id=head.id,
        document_number=document.number,
        currency=head.currency,
        amount=document.sign * head.total_minor,
        base=document.sign * document.base_total,
        doc_date=head.issue_date,
        due_date=head.due_date,
        reference=head.po_number,
        discount_date=offer[0] if offer else None,
        discount=offer[1] if offer else 0,
    )


def _mark_posted(
    uow: UnitOfWork, actor: Actor, heads: Sequence[Any], posted: Sequence[PostedInvoice]
) -> None:
    """Freeze the invoices with their numbers, audit them and announce them, set-based."""
    now = uow.clock.now()
    pairs = list(zip(posted, heads, strict=True))
    uow.session.execute(
        update(Invoice),
        [
            {
                "id": p.invoice_id,
                "status": InvoiceStatus.POSTED.value,
                "series": SERIES[InvoiceKind(head.kind)],
                "number": p.number,
                "posted_at": now,
                "posted_by": actor.name,
            }
            for p, head in pairs
        ],
    )
    audit_many(
        uow,
        actor,
        "invoice.post",
        "invoice",
        ((p.invoice_id, {"number": p.number}) for p in posted),
    )
    for kind in InvoiceKind:
        uow.publish_many(
            actor.company_id,
            f"{kind.value}.posted",
            [
                {
                    "id": p.invoice_id,
                    "number": p.number,
                    "customer_id": head.customer_id,
                    "currency": head.currency,
                    "total_minor": head.total_minor,
                }
                for p, head in pairs
                if head.kind == kind
            ],
        )


def _lock_drafts(uow: UnitOfWork, actor: Actor, ids: Sequence[int]) -> list[Any]:
    """The drafts' headers in posting order (date, then id), row-locked against a double post."""
    heads: list[Any] = []
    for chunk in _chunks(ids):
        heads += uow.session.execute(
            select(*_HEAD)
            .where(Invoice.company_id == actor.company_id, Invoice.id.in_(chunk))
            .with_for_update()
        ).all()
    missing = set(ids) - {h.id for h in heads}
    if missing:
        raise NotFound("invoice", min(missing))
    posted = [h for h in heads if h.status != InvoiceStatus.DRAFT]
    if posted:
        raise InvalidTransition(
            f"invoice {posted[0].number or posted[0].id} is {posted[0].status}, not a draft"
            + (f" (and {len(posted) - 1} more)" if len(posted) > 1 else "")
        )
    heads.sort(key=lambda h: (h.issue_date, h.id))
    return heads


def _revenue_lines(
    uow: UnitOfWork, ids: Sequence[int], heads: Sequence[Any]
) -> dict[int, list[RevenueLine]]:
    """Each line's revenue: its net with its share of the document discount and charge."""
    nets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for chunk in _chunks(ids):
        for invoice_id, net, description in uow.session.execute(
            select(InvoiceLine.invoice_id, InvoiceLine.net_minor, InvoiceLine.description)
            .where(InvoiceLine.invoice_id.in_(chunk))
            .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
        ):
            nets[invoice_id].append((net, description))
    revenue: dict[int, list[RevenueLine]] = {}
    for head in heads:
        lines = nets[head.id]
        amounts = spread([n for n, _ in lines], head.discount_minor, head.charge_minor)
        revenue[head.id] = [
            RevenueLine(amount, description)
            for amount, (_, description) in zip(amounts, lines, strict=True)
        ]
    return revenue


def _numbers(uow: UnitOfWork, actor: Actor, heads: Sequence[Any]) -> dict[int, str]:
    """One block of numbers per (series, year), handed out in posting order."""
    groups: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for head in heads:
        groups[(SERIES[InvoiceKind(head.kind)], head.issue_date.year)].append(head)
    numbers: dict[int, str] = {}
    for (series, _), members in sorted(groups.items()):
        block = take_numbers(uow, actor.company_id, series, members[0].issue_date, len(members))
        numbers.update(zip((m.id for m in members), block, strict=True))
    return numbers


def create_credit_note(
    uow: UnitOfWork,
    actor: Actor,
    invoice_id: int,
    lines: Sequence[CreditLine] | None,
    reason: str,
    idempotency_key: str | None = None,
) -> Invoice:
    """Credit an invoice in full (`lines` None) or in part, post it, and settle the invoice.

    The credit note takes the invoice's rate, so crediting reverses exactly the base value
    booked, and its share of the document discount and charge. Its open item is applied to
    what is still open on the invoice; any rest stays on account as a credit.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        digest = fingerprint(invoice_id, repr(lines), reason)
        earlier = _earlier(uow, actor, "credit_note.create", idempotency_key, digest)
        if earlier is not None:
            return earlier
        invoice = _load(uow, actor, invoice_id, lock=True)
        originals = list(
            uow.session.scalars(
                select(InvoiceLine)
                .where(InvoiceLine.invoice_id == invoice.id)
                .order_by(InvoiceLine.position)
            )
        )
        draft = prepare_credit_note(uow, invoice, originals, lines, reason)
        note = insert_draft(uow, actor, draft)
        [posted] = _post_drafts(uow, actor, [note.id])
        item = invoice_items(uow, actor.company_id, [invoice.id]).get(invoice.id)
        if item is not None and item.open_minor > 0:
            apply_items(
                uow,
                actor,
                [
                    ApplyCommand(
                        item.id,
                        posted.item_id,
                        min(item.open_minor, note.total_minor),
                        draft.issue_date,
                        memo=f"{posted.number} credits {invoice.number}",
                    )
                ],
            )
        audit(
            uow,
            actor,
            "credit_note.create",
            "invoice",
            note.id,
            {"credits": invoice.id, "reason": reason, "total": note.total_minor},
        )
        _remember(uow, actor, "credit_note.create", idempotency_key, digest, note.id)
        uow.commit()
        return _load(uow, actor, note.id, refresh=True)


def post_chargeback(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    currency: str,
    amount_minor: int,
    text: str,
    counter: AccountRole = AccountRole.WRITE_OFF,
) -> PostedInvoice:
    """Bill an amount a customer deducted without right again, as its own posted invoice.

    The entry credits `counter` instead of revenue: the caller clears the same amount from the
    original invoice against that account, so the pair moves the receivable to the new
    document without booking revenue or tax twice.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        customer = parties.get_customer(uow, actor, customer_id)
        draft = prepare_chargeback(uow, actor, customer, currency, amount_minor, text)
        [head] = _lock_drafts(uow, actor, [insert_draft(uow, actor, draft).id])
        [number] = take_numbers(uow, actor.company_id, INVOICE_SERIES, head.issue_date, 1)
        base_currency = get_company(uow, actor.company_id).base_currency
        revenue = (RevenueLine(amount_minor, text[:200]),)
        document = InvoiceDocument(
            head.id,
            InvoiceKind.INVOICE,
            number,
            customer_id,
            currency,
            base_currency,
            head.rate,
            head.issue_date,
            revenue,
            (),
            amount_minor,
        )
        entry = invoice_entry(document)
        entry.lines = [
            replace(line, role=counter) if line.role is AccountRole.REVENUE else line
            for line in entry.lines
        ]
        [doc] = post_documents(uow, actor, [(entry, _item(head, document, None))])
        posted = PostedInvoice(head.id, number, doc.entry_id, doc.item_id or 0)
        _mark_posted(uow, actor, [head], [posted])
        audit(uow, actor, "invoice.chargeback", "invoice", head.id, {"amount": amount_minor})
        uow.commit()
        return posted


def invoice_order(uow: UnitOfWork, actor: Actor, order_id: int) -> Invoice:
    """Bill what a confirmed order has left to invoice (customers billed on order), posted."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        order = orders.get_order(uow, actor, order_id)
        customer = _billed(uow, actor, order.customer_id, InvoiceOn.ORDER, order.number)
        lines = orders.uninvoiced_lines(uow, actor, order_id)
        if not lines:
            raise InvalidTransition(f"order {order.number} has nothing left to invoice")
        draft = prepare_from_billable(
            uow,
            actor,
            customer,
            lines,
            order.po_number,
            order.id,
            None,
            [line.order_line_id for line in lines],
        )
        invoice = insert_draft(uow, actor, draft)
        _post_drafts(uow, actor, [invoice.id])
        orders.record_invoiced(
            uow, actor, order.id, {line.order_line_id: line.quantity for line in lines}
        )
        audit(uow, actor, "order.invoice", "invoice", invoice.id, {"order": order.number})
        uow.commit()
        return _load(uow, actor, invoice.id, refresh=True)


def invoice_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Invoice:
    """Bill a shipped shipment at its order's prices (customers billed on shipment), posted."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        invoice = _draft_for_shipment(uow, actor, shipment_id)
        _post_drafts(uow, actor, [invoice.id])
        uow.commit()
        return _load(uow, actor, invoice.id, refresh=True)


def invoice_shipments(
    uow: UnitOfWork, actor: Actor, shipment_ids: Sequence[int]
) -> list[PostedInvoice]:
    """Bill many shipped shipments in one transaction (a billing run), all or none.

    Each shipment is drafted as `invoice_shipment` drafts it; the drafts are then posted
    together through the set-based posting path, one statement per table for the whole run.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        drafts = [_draft_for_shipment(uow, actor, shipment_id).id for shipment_id in shipment_ids]
        posted = _post_drafts(uow, actor, drafts)
        uow.commit()
        return posted


def _draft_for_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Invoice:
    """The draft invoice of what a shipment has left to bill, the shipment marked invoiced."""
    shipment = shipping.get_shipment(uow, actor, shipment_id)
    customer = _billed(uow, actor, shipment.customer_id, InvoiceOn.SHIPMENT, shipment.number)
    lines = shipping.uninvoiced_shipment_lines(uow, actor, shipment_id)
    if not lines:
        raise InvalidTransition(f"shipment {shipment.number} has nothing left to invoice")
    order = orders.get_order(uow, actor, shipment.order_id)
    draft = prepare_from_billable(
        uow,
        actor,
        customer,
        lines,
        order.po_number,
        order.id,
        shipment.id,
        [line.shipment_line_id for line in lines],
    )
    invoice = insert_draft(uow, actor, draft)
    shipping.record_shipment_invoiced(uow, actor, shipment.id)
    audit(uow, actor, "shipment.invoice", "invoice", invoice.id, {"shipment": shipment.number})
    return invoice


def shipments_to_bill(uow: UnitOfWork, actor: Actor, limit: int) -> list[int]:
    """Up to `limit` shipped shipments, oldest first, with something left to invoice, of
    customers billed on shipment: the work list of a billing run."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(Shipment.id)
                .join(CustomerRow, CustomerRow.id == Shipment.customer_id)
                .where(
                    Shipment.company_id == actor.company_id,
                    Shipment.status.in_([s.value for s in INVOICEABLE_SHIPMENTS]),
                    CustomerRow.invoice_on == InvoiceOn.SHIPMENT.value,
                    exists().where(
                        ShipmentLine.shipment_id == Shipment.id,
                        ShipmentLine.quantity_invoiced < ShipmentLine.quantity,
                    ),
                )
                .order_by(Shipment.id)
                .limit(limit)
            )
        )


def _billed(
    uow: UnitOfWork, actor: Actor, customer_id: int, basis: InvoiceOn, document: str
) -> Customer:
    """The customer, if billed on `basis`: billing on the other basis too would bill twice."""
    customer = parties.get_customer(uow, actor, customer_id)
    if customer.invoice_on != basis:
        raise InvalidTransition(
            f"{customer.code} is invoiced on {customer.invoice_on}, not per {basis}: {document}"
        )
    return customer


def _load(
    uow: UnitOfWork, actor: Actor, invoice_id: int, lock: bool = False, refresh: bool = False
) -> Invoice:
    invoice = owned(
        uow.session, Invoice, actor.company_id, invoice_id, "invoice", lock=lock, refresh=refresh
    )
    actor.require_customer_scope(invoice.customer_id, "invoice", invoice_id)
    return invoice


def invoice_items(
    uow: UnitOfWork, company_id: int, invoice_ids: Sequence[int]
) -> dict[int, OpenItem]:
    """The open items of posted invoices and credit notes, by invoice id."""
    items: dict[int, OpenItem] = {}
    for chunk in _chunks(sorted(set(invoice_ids))):
        for item in uow.session.scalars(
            select(OpenItem).where(
                OpenItem.company_id == company_id,
                OpenItem.kind.in_([ItemKind.INVOICE.value, ItemKind.CREDIT_NOTE.value]),
                OpenItem.source_id.in_(chunk),
            )
        ):
            items[item.source_id] = item
    return items


@dataclass(frozen=True)
class InvoiceDetails:
    invoice: Invoice
    lines: list[InvoiceLine]
    taxes: list[InvoiceTax]
    open_minor: int | None


def get_invoice(uow: UnitOfWork, actor: Actor, invoice_id: int) -> Invoice:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _load(uow, actor, invoice_id)


def invoice_details(uow: UnitOfWork, actor: Actor, invoice_id: int) -> InvoiceDetails:
    """The invoice with its lines and tax breakdown, as printed and as sent to the customer."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        invoice = _load(uow, actor, invoice_id)
        lines = uow.session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        ).all()
        taxes = uow.session.scalars(
            select(InvoiceTax).where(InvoiceTax.invoice_id == invoice_id).order_by(InvoiceTax.id)
        ).all()
        item = invoice_items(uow, actor.company_id, [invoice_id]).get(invoice_id)
        open_minor = None if item is None else abs(item.open_minor)
        return InvoiceDetails(invoice, list(lines), list(taxes), open_minor)


def list_invoices(
    uow: UnitOfWork, actor: Actor, filters: InvoiceFilter
) -> tuple[list[Invoice], int]:
    """One page of invoices (newest first) and the number of all that match the filters."""
    actor.require(Permission.LEDGER_READ)
    conditions = [Invoice.company_id == actor.company_id]
    customer_id = actor.customer_filter(filters.customer_id)
    if customer_id is not None:
        conditions.append(Invoice.customer_id == customer_id)
    if filters.status is not None:
        conditions.append(Invoice.status == filters.status.value)
    if filters.kind is not None:
        conditions.append(Invoice.kind == filters.kind.value)
    if filters.issued_from is not None:
        conditions.append(Invoice.issue_date >= filters.issued_from)
    if filters.issued_to is not None:
        conditions.append(Invoice.issue_date <= filters.issued_to)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(Invoice).where(*conditions))
        rows = uow.session.scalars(
            select(Invoice)
            .where(*conditions)
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        ).all()
        return list(rows), int(total or 0)
