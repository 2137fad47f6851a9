"""Delivering posted invoices and credit notes on each customer's channel.

A customer chooses how its documents reach it, kept in `customer.attributes["delivery"]`:
email (the PDF and the XML attached), the portal (made available, nothing sent), EDI (an 810
interchange to its trading partner) or a Peppol file drop (the UBL written atomically to a
directory an access point picks up from). `deliver_documents` sends every posted document
not yet delivered on its customer's channel. Each document is delivered in its own
transaction together with its `document_delivery` row, unique per document and channel, so
re-running (or running twice at once) never sends a document twice; a failure is recorded
with its reason, in a transaction of its own, and the document is tried again next run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from o2c.billing.model import InvoiceKind, InvoiceStatus
from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import find_posted, render_document
from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.integration.service import export_810
from o2c.integration.tables import DocumentDelivery
from o2c.kernel.errors import FieldError, O2CError, ValidationFailed
from o2c.kernel.money import Money
from o2c.notify.model import Attachment, Mail
from o2c.notify.service import queue_mail
from o2c.parties import service as parties
from o2c.parties.contacts import list_contacts
from o2c.parties.model import ContactRole, Customer, CustomerUpdate
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

ATTRIBUTE = "delivery"
MAIL_SOURCE = "invoice_delivery"
_ERROR_LIMIT = 2000


class Channel(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"
    EDI = "edi"
    PEPPOL = "peppol"


# The formats each channel can carry, the first being its default. Email always attaches a
# PDF and an XML: "ubl"/"pdf" send the PDF with UBL, "cii" the PDF with CII, "facturx" the
# Factur-X PDF (CII embedded) with the CII beside it. Peppol carries UBL only, EDI its X12.
FORMATS: dict[Channel, tuple[str, ...]] = {
    Channel.EMAIL: ("ubl", "pdf", "cii", "facturx"),
    Channel.PORTAL: ("pdf", "ubl", "cii", "facturx"),
    Channel.EDI: ("x12",),
    Channel.PEPPOL: ("ubl",),
}


@dataclass(frozen=True)
class DeliveryPreference:
    channel: Channel
    format: str


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    ALREADY = "already"
    """Delivered on this channel by an earlier (or a concurrent) run: nothing sent."""
    SKIPPED = "skipped"
    """The customer has no (valid) delivery channel."""


@dataclass(frozen=True)
class DocumentOutcome:
    number: str
    channel: Channel | None
    outcome: Outcome
    detail: str | None = None


def parse_preference(attributes: dict[str, Any]) -> DeliveryPreference | None:
    """The customer's channel from its attributes; None when it has chosen none.

    Malformed settings are refused naming the field, never silently replaced by a default:
    a customer set up for Peppol must not get mail because of a typo.
    """
    raw = attributes.get(ATTRIBUTE)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValidationFailed([FieldError("attributes.delivery", "must be an object")])
    return preference_of(raw.get("channel"), raw.get("format"))


def preference_of(channel: object, fmt: object = None) -> DeliveryPreference:
    """A validated channel and format; the channel's default format when none is given."""
    names = ", ".join(c.value for c in Channel)
    if not isinstance(channel, str) or channel not in Channel.__members__.values():
        problem = f"must be one of {names}, not {channel!r}"
        raise ValidationFailed([FieldError("attributes.delivery.channel", problem)])
    allowed = FORMATS[Channel(channel)]
    if fmt is None:
        return DeliveryPreference(Channel(channel), allowed[0])
    if fmt not in allowed:
        problem = f"{channel} delivers {', '.join(allowed)}, not {fmt!r}"
        raise ValidationFailed([FieldError("attributes.delivery.format", problem)])
    return DeliveryPreference(Channel(channel), str(fmt))


def set_delivery_channel(
    uow: UnitOfWork, actor: Actor, customer_id: int, channel: str, fmt: str | None = None
) -> DeliveryPreference:
    """Choose how a customer's documents reach it (master data: the customer's attributes)."""
    actor.require(Permission.MASTER_DATA_WRITE)
    preference = preference_of(channel, fmt)
    with uow:
        customer = parties.get_customer(uow, actor, customer_id)
        chosen = {"channel": preference.channel.value, "format": preference.format}
        attributes = customer.attributes | {ATTRIBUTE: chosen}
        parties.update_customer(uow, actor, customer_id, CustomerUpdate(attributes=attributes))
        uow.commit()
    return preference


@dataclass(frozen=True)
class _Target:
    invoice: Invoice
    customer: Customer
    preference: DeliveryPreference


def deliver_documents(
    uow: UnitOfWork,
    actor: Actor,
    *,
    numbers: Collection[str] | None = None,
    as_of: date | None = None,
    peppol_drop_dir: Path | None = None,
) -> list[DocumentOutcome]:
    """Deliver the named posted documents, or all issued up to `as_of`, on their channels.

    Each document is one transaction: its delivery row and what it sends (the queued mail,
    the stored interchange) commit together, so a crash leaves either both or neither.
    """
    actor.require(Permission.INVOICE_POST)
    if (numbers is None) == (as_of is None):
        problem = "give either the document numbers or the as-of date"
        raise ValidationFailed([FieldError("numbers", problem)])
    invoices = _documents(uow, actor, numbers, as_of)
    with uow:
        customers = parties.get_customers(uow, actor.company_id, {i.customer_id for i in invoices})
    outcomes: list[DocumentOutcome] = []
    targets: list[_Target] = []
    for invoice in invoices:
        number = invoice.number or str(invoice.id)
        try:
            preference = parse_preference(customers[invoice.customer_id].attributes)
        except ValidationFailed as refused:
            outcomes.append(DocumentOutcome(number, None, Outcome.SKIPPED, str(refused)))
            continue
        if preference is None:
            detail = "the customer has no delivery channel"
            outcomes.append(DocumentOutcome(number, None, Outcome.SKIPPED, detail))
        else:
            targets.append(_Target(invoice, customers[invoice.customer_id], preference))
    done = _delivered(uow, actor, [t.invoice.id for t in targets])
    for target in targets:
        number = target.invoice.number or str(target.invoice.id)
        if (target.invoice.id, target.preference.channel.value) in done:
            outcomes.append(DocumentOutcome(number, target.preference.channel, Outcome.ALREADY))
        else:
            outcomes.append(_deliver_one(uow, actor, target, peppol_drop_dir))
    return outcomes


def _documents(
    uow: UnitOfWork, actor: Actor, numbers: Collection[str] | None, as_of: date | None
) -> list[Invoice]:
    if numbers is not None:
        return [find_posted(uow, actor, number) for number in dict.fromkeys(numbers)]
    with uow:
        return list(
            uow.session.scalars(
                select(Invoice)
                .where(
                    Invoice.company_id == actor.company_id,
                    Invoice.status == InvoiceStatus.POSTED.value,
                    Invoice.issue_date <= as_of,
                )
                .order_by(Invoice.issue_date, Invoice.id)
            )
        )


def _delivered(uow: UnitOfWork, actor: Actor, invoice_ids: list[int]) -> set[tuple[int, str]]:
    """(document, channel) pairs already delivered, so a re-run opens no transaction for them."""
    found: set[tuple[int, str]] = set()
    with uow:
        for start in range(0, len(invoice_ids), 5000):
            rows = uow.session.execute(
                select(DocumentDelivery.invoice_id, DocumentDelivery.channel).where(
                    DocumentDelivery.company_id == actor.company_id,
                    DocumentDelivery.status == "delivered",
                    DocumentDelivery.invoice_id.in_(invoice_ids[start : start + 5000]),
                )
            )
            found.update((invoice_id, channel) for invoice_id, channel in rows)
    return found


def _deliver_one(
    uow: UnitOfWork, actor: Actor, target: _Target, drop_dir: Path | None
) -> DocumentOutcome:
    invoice, channel = target.invoice, target.preference.channel
    number = invoice.number or str(invoice.id)
    try:
        with uow:
            row = _claim(uow, actor, target)
            if row is None:
                return DocumentOutcome(number, channel, Outcome.ALREADY)
            reference = _SENDERS[channel](uow, actor, target, drop_dir)
            row.status, row.reference, row.error = "delivered", reference, None
            row.delivered_at = uow.clock.now()
            uow.session.flush()
            event = {"invoice_id": invoice.id, "channel": channel.value, "reference": reference}
            audit(uow, actor, "invoice.deliver", "invoice", invoice.id, event)
            uow.publish(actor.company_id, "invoice.delivered", event | {"number": number})
            uow.commit()
            return DocumentOutcome(number, channel, Outcome.DELIVERED, reference)
    except IntegrityError:
        # A concurrent run inserted this document's delivery first and committed: it sent it.
        return DocumentOutcome(number, channel, Outcome.ALREADY)
    except (O2CError, OSError) as failure:
        reason = str(failure) or type(failure).__name__
        _record_failure(uow, actor, target, reason)
        return DocumentOutcome(number, channel, Outcome.FAILED, reason)


def _claim(uow: UnitOfWork, actor: Actor, target: _Target) -> DocumentDelivery | None:
    """This run's delivery row for the document, locked; None if it was delivered already.

    A new row is inserted (and flushed) before anything is sent: a concurrent run's insert
    waits on the unique index and fails once this transaction commits.
    """
    channel = target.preference.channel.value
    row = _locked_delivery(uow, actor, target)
    now = uow.clock.now()
    if row is not None:
        if row.status == "delivered":
            return None
        row.attempts += 1
        row.format, row.updated_at, row.updated_by = target.preference.format, now, actor.name
        return row
    row = DocumentDelivery(
        company_id=actor.company_id,
        invoice_id=target.invoice.id,
        customer_id=target.customer.id,
        channel=channel,
        format=target.preference.format,
        status="delivered",
        attempts=1,
        updated_at=now,
        updated_by=actor.name,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def _locked_delivery(uow: UnitOfWork, actor: Actor, target: _Target) -> DocumentDelivery | None:
    """The delivery row of the document on the target's channel, locked for this transaction."""
    return uow.session.scalar(
        select(DocumentDelivery)
        .where(
            DocumentDelivery.company_id == actor.company_id,
            DocumentDelivery.invoice_id == target.invoice.id,
            DocumentDelivery.channel == target.preference.channel.value,
        )
        .with_for_update()
    )


def _record_failure(uow: UnitOfWork, actor: Actor, target: _Target, reason: str) -> None:
    """Keep why the document did not go out, so the next run tries it and a person can see."""
    channel = target.preference.channel.value
    with uow:
        row = _locked_delivery(uow, actor, target)
        now = uow.clock.now()
        if row is None:
            row = DocumentDelivery(
                company_id=actor.company_id,
                invoice_id=target.invoice.id,
                customer_id=target.customer.id,
                channel=channel,
                attempts=0,
            )
            uow.session.add(row)
        elif row.status == "delivered":
            return  # delivered meanwhile by a concurrent run: its success stands
        row.attempts = (row.attempts or 0) + 1
        row.format, row.status, row.error = (
            target.preference.format,
            "failed",
            reason[:_ERROR_LIMIT],
        )
        row.updated_at, row.updated_by = now, actor.name
        uow.session.flush()
        event = {"invoice_id": target.invoice.id, "channel": channel, "error": row.error}
        uow.publish(actor.company_id, "invoice.delivery_failed", event)
        uow.commit()


# --- the channels ----------------------------------------------------------------------------


def _send_mail(uow: UnitOfWork, actor: Actor, target: _Target, _: Path | None) -> str:
    """Queue a mail to the customer's AR contacts (else its own address) with PDF and XML."""
    customer, invoice = target.customer, target.invoice
    number = invoice.number or str(invoice.id)
    contacts = list_contacts(uow, actor, customer.id, ContactRole.AR)
    recipients = tuple(dict.fromkeys(c.email for c in contacts if c.email))
    if not recipients and customer.email:
        recipients = (customer.email,)
    if not recipients:
        problem = f"customer {customer.code} has no AR contact or address to mail to"
        raise ValidationFailed([FieldError("recipients", problem)])
    fmt = target.preference.format
    pdf_format = DocumentFormat.FACTURX if fmt == "facturx" else DocumentFormat.PDF
    xml_format = DocumentFormat.CII if fmt in ("cii", "facturx") else DocumentFormat.UBL
    attachments = tuple(
        Attachment(doc.filename, doc.media_type, doc.content)
        for doc in (
            render_document(uow, actor, number, pdf_format),
            render_document(uow, actor, number, xml_format),
        )
    )
    company = get_company(uow, actor.company_id)
    kind = "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"
    total = Money.from_minor(invoice.total_minor, invoice.currency)
    text = (
        f"Dear {customer.name},\n\nplease find attached our {kind.lower()} {number} of "
        f"{invoice.issue_date.isoformat()} for {total.amount} {total.currency}, due "
        f"{invoice.due_date.isoformat()}, as PDF and as an electronic invoice "
        f"({xml_format.value.upper()}).\n\nKind regards\n{company.name}\n"
    )
    mail = Mail(recipients, f"{kind} {number} from {company.name}", text, attachments=attachments)
    mail_id = queue_mail(
        uow, actor, mail, customer_id=customer.id, source_kind=MAIL_SOURCE, source_id=invoice.id
    )
    return f"mail {mail_id}"


def _drop_peppol(uow: UnitOfWork, actor: Actor, target: _Target, drop_dir: Path | None) -> str:
    """Write the UBL to <drop dir>/<company code>/, atomically: a reader never sees half."""
    if drop_dir is None:
        raise ValidationFailed(
            [FieldError("peppol_drop_dir", "no Peppol drop directory is configured")]
        )
    number = target.invoice.number or str(target.invoice.id)
    document = render_document(uow, actor, number, DocumentFormat.UBL)
    folder = drop_dir / get_company(uow, actor.company_id).code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / document.filename
    write_atomically(path, document.content)
    return str(path)


def write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, sync it, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _send_edi(uow: UnitOfWork, actor: Actor, target: _Target, _: Path | None) -> str:
    result = export_810(uow, actor, target.invoice.id)
    return f"interchange {result.interchange_id} (ISA13 {result.control_number})"


def _make_available(uow: UnitOfWork, actor: Actor, target: _Target, _: Path | None) -> str:
    """The portal shows posted documents itself: delivering only records that it may."""
    return "available in the portal"


_SENDERS: dict[Channel, Callable[[UnitOfWork, Actor, _Target, Path | None], str]] = {
    Channel.EMAIL: _send_mail,
    Channel.PEPPOL: _drop_peppol,
    Channel.EDI: _send_edi,
    Channel.PORTAL: _make_available,
}


def deliveries(uow: UnitOfWork, actor: Actor, invoice_id: int) -> list[DocumentDelivery]:
    """The delivery records of one document, per channel (what went out, what failed, why)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(DocumentDelivery)
                .where(
                    DocumentDelivery.company_id == actor.company_id,
                    DocumentDelivery.invoice_id == invoice_id,
                )
                .order_by(DocumentDelivery.channel)
            )
        )
