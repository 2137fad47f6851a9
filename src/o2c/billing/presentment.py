"""Presenting posted invoices and credit notes: PDF, UBL (Peppol BIS 3.0), CII, Factur-X.

Use cases: keep the company's letterhead, list documents for export, and render one document
in a format. Rendering reads the document as posted (`Presentable`) and never changes it,
so the same document always renders to the same bytes. Only `set_letterhead` writes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from sqlalchemy import select

from o2c.billing.einvoicing import to_einvoice
from o2c.billing.model import InvoiceKind, InvoiceStatus
from o2c.billing.presentable import (
    Buyer,
    Company,
    DocumentFormat,
    LetterheadSet,
    Presentable,
    PresentedLine,
    compact_iban,
    letterhead_problems,
)
from o2c.billing.printing import render_pdf
from o2c.billing.service import invoice_items
from o2c.billing.tables import Invoice, InvoiceLine, InvoiceTax, Letterhead
from o2c.billing.totals import TaxAmount
from o2c.catalog.payment_terms import get_payment_term
from o2c.catalog.service import get_products
from o2c.db.uow import UnitOfWork
from o2c.formats.cii import write_cii
from o2c.formats.einvoice import EInvoiceRefused
from o2c.formats.ubl import write_ubl
from o2c.kernel.currency import minor_units
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.parties import service as parties
from o2c.parties.contacts import list_addresses
from o2c.parties.model import Address, AddressKind, Customer
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

LIST_HEADER = ("invoice_number", "customer_id", "issue_date", "due_date", "currency", "total",
               "open_amount", "kind")  # fmt: skip


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    media_type: str
    content: bytes


def set_letterhead(uow: UnitOfWork, actor: Actor, cmd: LetterheadSet) -> Letterhead:
    """Create or replace how the company appears on its invoices (company admins only)."""
    actor.require(Permission.COMPANY_ADMIN)
    errors = letterhead_problems(cmd)
    if errors:
        raise ValidationFailed(errors)
    values = asdict(cmd) | {"iban": compact_iban(cmd.iban)}
    with uow:
        row = uow.session.scalar(
            select(Letterhead).where(Letterhead.company_id == actor.company_id).with_for_update()
        )
        if row is None:
            row = Letterhead(company_id=actor.company_id)
            uow.session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at, row.updated_by = uow.clock.now(), actor.name
        uow.session.flush()
        logged = {k: v for k, v in values.items() if k != "logo_png"}
        audit(uow, actor, "letterhead.set", "letterhead", row.id,
              logged | {"logo": cmd.logo_png is not None})  # fmt: skip
        uow.commit()
        return row


def get_letterhead(uow: UnitOfWork, actor: Actor) -> Letterhead:
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = uow.session.scalar(
            select(Letterhead).where(Letterhead.company_id == actor.company_id)
        )
        if row is None:
            raise NotFound("letterhead", actor.company_id)
        return row


def find_posted(uow: UnitOfWork, actor: Actor, number: str) -> Invoice:
    """The posted invoice or credit note with this number; drafts have none to find."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = uow.session.scalar(
            select(Invoice).where(Invoice.company_id == actor.company_id, Invoice.number == number)
        )
        if row is None or row.status != InvoiceStatus.POSTED:
            raise NotFound("invoice", number)
        return row


def render_document(
    uow: UnitOfWork, actor: Actor, number: str, fmt: DocumentFormat
) -> RenderedDocument:
    """Document `number` in `fmt`. An e-invoice that could not pass the rules is refused
    (ValidationFailed naming why) instead of being sent to fail at the customer's end."""
    with uow:
        doc = load_presentable(uow, actor, find_posted(uow, actor, number).id)
    filename = number + fmt.suffix
    try:
        if fmt is DocumentFormat.UBL:
            content = write_ubl(to_einvoice(doc))
        elif fmt is DocumentFormat.CII:
            content = write_cii(to_einvoice(doc))
        elif fmt is DocumentFormat.PDF:
            content = render_pdf(doc)
        else:
            content = facturx_pdf(doc)
    except EInvoiceRefused as refused:
        raise ValidationFailed([FieldError("document", p) for p in refused.problems]) from None
    return RenderedDocument(filename, fmt.media_type, content)


def facturx_pdf(doc: Presentable) -> bytes:
    """The printed invoice with its CII embedded as factur-x.xml (Factur-X EN 16931)."""
    from facturx import generate_from_binary

    xml = write_cii(to_einvoice(doc))
    title = f"{'Credit note' if doc.credit_note else 'Invoice'} {doc.number}"
    metadata = {"author": doc.seller.legal_name, "keywords": "Factur-X", "title": title,
                "subject": title}  # fmt: skip
    return bytes(
        generate_from_binary(
            render_pdf(doc),
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=metadata,
            lang="en-GB",
        )
    )


def load_presentable(uow: UnitOfWork, actor: Actor, invoice_id: int) -> Presentable:
    """Everything printed on or sent with one posted document, read in one transaction."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.company_id != actor.company_id:
            raise NotFound("invoice", invoice_id)
        lines = uow.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
            .order_by(InvoiceLine.position)
        ).all()  # fmt: skip
        taxes = uow.session.scalars(
            select(InvoiceTax).where(InvoiceTax.invoice_id == invoice.id).order_by(InvoiceTax.id)
        ).all()
        products = get_products(uow, actor.company_id,
                                {ln.product_id for ln in lines if ln.product_id})  # fmt: skip
        term = (get_payment_term(uow, actor.company_id, invoice.payment_term_id).name
                if invoice.payment_term_id else None)  # fmt: skip
        credited = None
        if invoice.credited_invoice_id is not None:
            original = uow.session.get(Invoice, invoice.credited_invoice_id)
            if original is not None and original.number is not None:
                credited = (original.number, original.issue_date)
        return Presentable(
            number=invoice.number or str(invoice.id),
            credit_note=invoice.kind == InvoiceKind.CREDIT_NOTE,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            currency=invoice.currency,
            rate=invoice.rate,
            seller=_company(uow, actor),
            buyer=_buyer(uow, actor, invoice.customer_id),
            lines=tuple(
                PresentedLine(
                    ln.position,
                    ln.description,
                    products[ln.product_id].sku if ln.product_id in products else None,
                    products[ln.product_id].unit if ln.product_id in products else None,
                    ln.quantity,
                    ln.unit_price_minor,
                    ln.discount_percent,
                    ln.net_minor,
                    ln.tax_category,
                    ln.tax_percent,
                )
                for ln in lines
            ),
            taxes=tuple(
                TaxAmount(t.category, t.percent, t.exemption_reason, t.taxable_minor, t.tax_minor)
                for t in taxes
            ),
            net_minor=invoice.net_minor,
            tax_minor=invoice.tax_minor,
            total_minor=invoice.total_minor,
            discount_minor=invoice.discount_minor,
            discount_reason=invoice.discount_reason,
            charge_minor=invoice.charge_minor,
            charge_reason=invoice.charge_reason,
            po_number=invoice.po_number,
            notes=invoice.notes,
            payment_term=term,
            credited=credited,
        )


def _company(uow: UnitOfWork, actor: Actor) -> Company:
    company = get_company(uow, actor.company_id)
    head = uow.session.scalar(select(Letterhead).where(Letterhead.company_id == actor.company_id))
    if head is None:
        raise ValidationFailed([FieldError(
            "letterhead", "set the company's letterhead (address, bank account) first"
        )])  # fmt: skip
    street = tuple(s for s in (head.street, head.street2) if s)
    endpoint = (head.endpoint_scheme, head.endpoint_id) if head.endpoint_scheme and \
        head.endpoint_id else None  # fmt: skip
    return Company(
        company.name, company.base_currency, head.legal_name, street, head.postal_code,
        head.city, head.country, head.vat_id or company.tax_id, head.registration,
        head.contact_name, head.phone, head.email, head.website, head.iban, head.bic,
        head.bank_name, endpoint, head.logo_png, head.footer, company.code,
    )  # fmt: skip


def _billing_address(addresses: list[Address]) -> Address | None:
    billing = [a for a in addresses if a.kind == AddressKind.BILLING]
    found = billing or addresses
    return found[0] if found else None


def _vat_id(tax_id: str | None) -> str | None:
    """A tax id that is a VAT number (country prefix, as EN 16931 requires), else None: a US
    EIN is printed nowhere as a VAT id."""
    compact = (tax_id or "").replace(" ", "").upper()
    return compact if re.fullmatch(r"[A-Z]{2}[0-9A-Z+*.]{2,13}", compact) else None


def _buyer(uow: UnitOfWork, actor: Actor, customer_id: int) -> Buyer:
    customer: Customer = parties.get_customer(uow, actor, customer_id)
    address = _billing_address(list_addresses(uow, actor, customer_id))
    if address is None:
        raise ValidationFailed([FieldError(
            "customer", f"customer {customer.code} has no address to send the invoice to"
        )])  # fmt: skip
    peppol = str(customer.attributes.get("peppol_id") or "")
    scheme, _, value = peppol.partition(":")
    return Buyer(
        customer.code, customer.name, customer.language,
        tuple(s for s in (address.line1, address.line2) if s), address.postal_code,
        address.city, address.region, address.country, _vat_id(customer.tax_id), customer.email,
        (scheme, value) if scheme and value else None,
    )  # fmt: skip


def _amount(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-minor_units(currency)))


def invoice_rows(uow: UnitOfWork, actor: Actor) -> list[tuple[str, ...]]:
    """Posted invoices and credit notes, oldest first, as the `invoice list` CSV rows.

    `customer_id` is the customer's code, as in every other CSV o2c prints (aging, actions).
    """
    actor.require(Permission.LEDGER_READ)
    with uow:
        heads = uow.session.execute(
            select(Invoice.id, Invoice.number, Invoice.customer_id, Invoice.issue_date,
                   Invoice.due_date, Invoice.currency, Invoice.total_minor, Invoice.kind)
            .where(Invoice.company_id == actor.company_id,
                   Invoice.status == InvoiceStatus.POSTED.value)
            .order_by(Invoice.issue_date, Invoice.id)
        ).all()  # fmt: skip
        items = invoice_items(uow, actor.company_id, [h.id for h in heads])
        codes = parties.customer_codes(uow, actor.company_id, {h.customer_id for h in heads})
    rows: list[tuple[str, ...]] = []
    for h in heads:
        item = items.get(h.id)
        open_minor = abs(item.open_minor) if item is not None else 0
        issued, due = h.issue_date.isoformat(), h.due_date.isoformat()
        rows.append((h.number, codes[h.customer_id], issued, due, h.currency,
                     _amount(h.total_minor, h.currency), _amount(open_minor, h.currency),
                     h.kind))  # fmt: skip
    return rows
