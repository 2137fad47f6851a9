"""Drafting invoices and credit notes: resolve customer, term, rate and tax; price; store.

Services call these inside their unit of work (they neither check permissions nor commit).
Every figure is computed here once and stored on the draft, so posting only reads it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from o2c.billing.model import (
    CreditLine,
    InvoiceCreate,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
    LineCreate,
    check_adjustment,
    check_lines,
    to_minor,
)
from o2c.billing.tables import Invoice, InvoiceLine, InvoiceTax
from o2c.billing.totals import InvoiceTotals, PricedLine, compute_totals, prorate
from o2c.catalog import service as catalog
from o2c.catalog.model import PaymentTerm
from o2c.catalog.terms import due_date
from o2c.db.uow import UnitOfWork
from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.ledger.service import rate_on
from o2c.orders.model import BillableLine
from o2c.parties import service as parties
from o2c.parties.model import Customer
from o2c.security.model import Actor


@dataclass
class DraftLine:
    description: str
    product_id: int | None
    priced: PricedLine
    source_line_id: int | None = None
    credited_line_id: int | None = None


@dataclass
class Draft:
    kind: InvoiceKind
    customer_id: int
    currency: str
    rate: Decimal
    issue_date: date
    due_date: date
    term_id: int | None
    lines: list[DraftLine]
    totals: InvoiceTotals
    discount_minor: int = 0
    charge_minor: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def prepare_invoice(uow: UnitOfWork, actor: Actor, command: InvoiceCreate) -> Draft:
    """Validate a new invoice (every problem at once) and compute all its figures."""
    errors: list[FieldError] = []
    customer = _customer(uow, actor, command.customer_id, errors)
    currency = command.currency or (customer.currency if customer else "")
    issue = command.issue_date or uow.clock.today()
    term = _term(uow, actor, command.payment_term, customer, errors)
    rate = Decimal(1)
    if not is_currency(currency):
        errors.append(FieldError("currency", f"unknown currency {currency!r}"))
        currency = ""
    else:
        errors += check_lines(command.lines, currency)
        errors += check_adjustment("discount", command.discount, currency)
        errors += check_adjustment("charge", command.charge, currency)
        rate = _rate(uow, actor, currency, issue, errors)
    lines = _price_lines(uow, actor, command.lines, currency, errors) if currency else []
    discount = to_minor(command.discount, currency) or 0 if currency else 0
    charge = to_minor(command.charge, currency) or 0 if currency else 0
    totals = None if errors else _totals([line.priced for line in lines], discount, charge, errors)
    if errors or totals is None or customer is None:
        raise ValidationFailed(errors)
    return _invoice_draft(
        customer,
        currency,
        rate,
        issue,
        term,
        lines,
        totals,
        discount_minor=discount,
        charge_minor=charge,
        extra={
            "po_number": command.po_number,
            "discount_reason": command.discount_reason,
            "charge_reason": command.charge_reason,
            "notes": command.notes,
            "order_id": command.order_id,
            "shipment_id": command.shipment_id,
        },
    )


def _invoice_draft(
    customer: Customer,
    currency: str,
    rate: Decimal,
    issue: date,
    term: PaymentTerm | None,
    lines: list[DraftLine],
    totals: InvoiceTotals,
    *,
    extra: dict[str, Any],
    discount_minor: int = 0,
    charge_minor: int = 0,
) -> Draft:
    """An invoice draft, due by the customer's payment term (on issue when it has none)."""
    return Draft(
        kind=InvoiceKind.INVOICE,
        customer_id=customer.id,
        currency=currency,
        rate=rate,
        issue_date=issue,
        due_date=due_date(issue, term) if term else issue,
        term_id=term.id if term else None,
        lines=lines,
        totals=totals,
        discount_minor=discount_minor,
        charge_minor=charge_minor,
        extra=extra,
    )


def _customer(
    uow: UnitOfWork, actor: Actor, customer_id: int, errors: list[FieldError]
) -> Customer | None:
    try:
        return parties.get_customer(uow, actor, customer_id)
    except NotFound:
        errors.append(FieldError("customer_id", f"unknown customer {customer_id}"))
        return None


def _term(
    uow: UnitOfWork,
    actor: Actor,
    code: str | None,
    customer: Customer | None,
    errors: list[FieldError],
) -> PaymentTerm | None:
    if code is not None:
        try:
            return catalog.find_payment_term(uow, actor.company_id, code)
        except NotFound:
            errors.append(FieldError("payment_term", f"unknown payment term {code!r}"))
            return None
    if customer is not None and customer.payment_term_id is not None:
        return catalog.get_payment_term(uow, actor.company_id, customer.payment_term_id)
    return None


def _rate(
    uow: UnitOfWork, actor: Actor, currency: str, day: date, errors: list[FieldError]
) -> Decimal:
    try:
        return rate_on(uow, actor.company_id, currency, day)
    except ValidationFailed as missing:
        errors += missing.errors
        return Decimal(1)


def _price_lines(
    uow: UnitOfWork,
    actor: Actor,
    lines: Sequence[LineCreate],
    currency: str,
    errors: list[FieldError],
) -> list[DraftLine]:
    """Resolve each line's tax (its own category, else its product's) and price it in minor."""
    rates = catalog.tax_rates(uow, actor.company_id)
    products = catalog.get_products(
        uow, actor.company_id, [line.product_id for line in lines if line.product_id is not None]
    )
    priced: list[DraftLine] = []
    for index, line in enumerate(lines):
        category = line.tax_category
        if line.product_id is not None:
            product = products.get(line.product_id)
            if product is None:
                errors.append(FieldError(f"lines[{index}].product_id", "unknown product"))
                continue
            category = category or product.tax_category
        rate = rates.get(category or "")
        if rate is None:
            errors.append(
                FieldError(f"lines[{index}].tax_category", f"unknown tax category {category!r}")
            )
            continue
        price = to_minor(line.unit_price, currency)
        if price is None:
            continue
        priced.append(
            DraftLine(
                line.description,
                line.product_id,
                PricedLine(
                    line.quantity,
                    price,
                    line.discount_percent,
                    rate.category,
                    rate.percent,
                    rate.exemption_reason,
                ),
                source_line_id=line.source_line_id,
            )
        )
    return priced


def _totals(
    lines: Sequence[PricedLine], discount: int, charge: int, errors: list[FieldError]
) -> InvoiceTotals | None:
    try:
        totals = compute_totals(lines, discount, charge)
    except ValueError as problem:
        errors.append(FieldError("discount", str(problem)))
        return None
    if totals.total_minor <= 0:
        errors.append(FieldError("lines", "the invoice total must be positive"))
        return None
    return totals


def insert_draft(uow: UnitOfWork, actor: Actor, draft: Draft) -> Invoice:
    """Store the draft with its lines and tax breakdown (one insert per table)."""
    totals = draft.totals
    invoice = Invoice(
        company_id=actor.company_id,
        kind=draft.kind.value,
        status=InvoiceStatus.DRAFT.value,
        source=InvoiceSource.O2C.value,
        customer_id=draft.customer_id,
        currency=draft.currency,
        rate=draft.rate,
        issue_date=draft.issue_date,
        due_date=draft.due_date,
        payment_term_id=draft.term_id,
        net_minor=totals.net_minor,
        tax_minor=totals.tax_minor,
        total_minor=totals.total_minor,
        discount_minor=draft.discount_minor,
        charge_minor=draft.charge_minor,
        created_at=uow.clock.now(),
        created_by=actor.name,
        **draft.extra,
    )
    uow.session.add(invoice)
    uow.session.flush()
    uow.session.execute(insert(InvoiceLine), _line_rows(actor.company_id, invoice.id, draft))
    uow.session.execute(
        insert(InvoiceTax),
        [
            {
                "company_id": actor.company_id,
                "invoice_id": invoice.id,
                "category": tax.category,
                "percent": tax.percent,
                "exemption_reason": tax.exemption_reason,
                "taxable_minor": tax.taxable_minor,
                "tax_minor": tax.tax_minor,
            }
            for tax in totals.taxes
        ],
    )
    return invoice


def _line_rows(company_id: int, invoice_id: int, draft: Draft) -> list[dict[str, object]]:
    return [
        {
            "company_id": company_id,
            "invoice_id": invoice_id,
            "position": position,
            "product_id": line.product_id,
            "description": line.description[:300],
            "quantity": line.priced.quantity,
            "unit_price_minor": line.priced.unit_price_minor,
            "discount_percent": line.priced.discount_percent,
            "net_minor": net,
            "tax_category": line.priced.tax_category,
            "tax_percent": line.priced.tax_percent,
            "tax_exemption_reason": line.priced.exemption_reason,
            "source_line_id": line.source_line_id,
            "credited_line_id": line.credited_line_id,
        }
        for position, (line, net) in enumerate(
            zip(draft.lines, draft.totals.line_nets, strict=True), 1
        )
    ]


def prepare_credit_note(
    uow: UnitOfWork,
    invoice: Invoice,
    originals: Sequence[InvoiceLine],
    lines: Sequence[CreditLine] | None,
    reason: str,
) -> Draft:
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(FieldError("reason", "a credit note needs a reason"))
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.POSTED:
        raise InvalidTransition(
            f"only a posted invoice can be credited, not {invoice.number or invoice.id}"
        )
    credited = _credited(originals, lines, invoice.currency, errors)
    totals = None
    if not errors:
        part = sum(compute_totals([c.priced for c in credited]).line_nets)
        whole = sum(line.net_minor for line in originals)
        discount = prorate(invoice.discount_minor, part, whole)
        charge = prorate(invoice.charge_minor, part, whole)
        totals = _totals([c.priced for c in credited], discount, charge, errors)
    if totals is not None:
        already = uow.session.scalar(
            select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
                Invoice.company_id == invoice.company_id,
                Invoice.credited_invoice_id == invoice.id,
                Invoice.status == InvoiceStatus.POSTED.value,
            )
        )
        if int(already or 0) + totals.total_minor > invoice.total_minor:
            errors.append(
                FieldError("lines", f"credits would exceed the invoice total {invoice.total_minor}")
            )
    if errors or totals is None:
        raise ValidationFailed(errors)
    issue = max(uow.clock.today(), invoice.issue_date)
    return Draft(
        kind=InvoiceKind.CREDIT_NOTE,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        rate=invoice.rate,
        issue_date=issue,
        due_date=issue,
        term_id=None,
        lines=credited,
        totals=totals,
        discount_minor=discount,
        charge_minor=charge,
        extra={
            "po_number": invoice.po_number,
            "notes": reason,
            "order_id": invoice.order_id,
            "shipment_id": invoice.shipment_id,
            "credited_invoice_id": invoice.id,
        },
    )


def _credited(
    originals: Sequence[InvoiceLine],
    lines: Sequence[CreditLine] | None,
    currency: str,
    errors: list[FieldError],
) -> list[DraftLine]:
    by_id = {line.id: line for line in originals}
    wanted = lines if lines is not None else [CreditLine(line.id) for line in originals]
    if not wanted:
        errors.append(FieldError("lines", "a credit note needs at least one line"))
    credited: list[DraftLine] = []
    for index, credit in enumerate(wanted):
        original = by_id.get(credit.invoice_line_id)
        if original is None:
            where = f"lines[{index}].invoice_line_id"
            errors.append(FieldError(where, "not a line of this invoice"))
            continue
        line = _credit_line(original, credit, currency, f"lines[{index}]", errors)
        if line is not None:
            credited.append(line)
    return credited


def _credit_line(
    original: InvoiceLine, credit: CreditLine, currency: str, where: str, errors: list[FieldError]
) -> DraftLine | None:
    quantity = original.quantity if credit.quantity is None else credit.quantity
    price = original.unit_price_minor
    if credit.unit_price is not None:
        converted = to_minor(credit.unit_price, currency)
        if converted is None or not 0 <= converted <= original.unit_price_minor:
            errors.append(
                FieldError(f"{where}.unit_price", "must be between 0 and the invoiced unit price")
            )
            return None
        price = converted
    if not 0 < quantity <= original.quantity:
        errors.append(
            FieldError(f"{where}.quantity", f"must be above 0 and at most {original.quantity}")
        )
        return None
    return DraftLine(
        original.description,
        original.product_id,
        PricedLine(
            quantity,
            price,
            original.discount_percent,
            original.tax_category,
            original.tax_percent,
            original.tax_exemption_reason,
        ),
        credited_line_id=original.id,
    )


def prepare_from_billable(
    uow: UnitOfWork,
    actor: Actor,
    customer: Customer,
    lines: Sequence[BillableLine],
    po_number: str | None,
    order_id: int,
    shipment_id: int | None,
    source_line_ids: Sequence[int],
) -> Draft:
    """An invoice of what an order or shipment has left to bill, at the order's prices.

    Nets and the order discount are the order's own prorated figures, so billing an order in
    several invoices adds up exactly to the order; tax is computed per rate on the invoice.
    """
    currency = lines[0].currency
    issue = uow.clock.today()
    errors: list[FieldError] = []
    term = _term(uow, actor, None, customer, errors)
    rate = _rate(uow, actor, currency, issue, errors)
    reasons = {c: r.exemption_reason for c, r in catalog.tax_rates(uow, actor.company_id).items()}
    drafted = [
        DraftLine(
            line.description,
            line.product_id,
            PricedLine(
                line.quantity,
                line.unit_price_minor,
                line.discount_percent,
                line.tax_category,
                line.tax_percent,
                reasons.get(line.tax_category),
                fixed_net_minor=line.net_minor,
            ),
            source_line_id=source_id,
        )
        for line, source_id in zip(lines, source_line_ids, strict=True)
    ]
    discount = sum(line.order_discount_minor for line in lines)
    totals = _totals([d.priced for d in drafted], discount, 0, errors)
    if errors or totals is None:
        raise ValidationFailed(errors)
    return _invoice_draft(
        customer,
        currency,
        rate,
        issue,
        term,
        drafted,
        totals,
        discount_minor=discount,
        extra={
            "po_number": po_number,
            "discount_reason": "order discount" if discount else None,
            "order_id": order_id,
            "shipment_id": shipment_id,
        },
    )


CHARGEBACK_TAX_CATEGORY = "outside_scope"


def prepare_chargeback(
    uow: UnitOfWork, actor: Actor, customer: Customer, currency: str, amount_minor: int, text: str
) -> Draft:
    """A one-line invoice re-billing an amount a customer deducted without right.

    No tax: the deducted amount is part of an invoice that already charged it, so the line is
    outside the scope of tax, and its amount is the gross amount still owed.
    """
    errors: list[FieldError] = []
    if amount_minor <= 0:
        errors.append(FieldError("amount", "must be positive"))
    if not text.strip():
        errors.append(FieldError("description", "must not be empty"))
    issue = uow.clock.today()
    term = _term(uow, actor, None, customer, errors)
    rate = _rate(uow, actor, currency, issue, errors)
    line = DraftLine(
        text[:300],
        None,
        PricedLine(
            Decimal(1),
            amount_minor,
            Decimal(0),
            CHARGEBACK_TAX_CATEGORY,
            Decimal(0),
            "not a supply: recovery of an amount deducted from an invoice",
        ),
    )
    totals = None if errors else _totals([line.priced], 0, 0, errors)
    if errors or totals is None:
        raise ValidationFailed(errors)
    return _invoice_draft(
        customer, currency, rate, issue, term, [line], totals, extra={"notes": text}
    )
