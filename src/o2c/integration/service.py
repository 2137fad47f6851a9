"""EDI use cases: trading partners, 850 orders in (with their 997), 810 and 856 out.

Every interchange goes through here and is stored verbatim with its control number. Outgoing
control numbers come from the partner row, locked for the transaction that stores the
interchange, so they are gapless per partner. An 850 interchange opens its sales orders and
answers with a 997 in one transaction: either every order of the file exists and the 997 is
stored, or nothing is (a file with an unknown product is refused whole, naming the segment).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy import select

from o2c.billing import service as billing
from o2c.billing.model import InvoiceKind, InvoiceStatus
from o2c.billing.tables import Invoice
from o2c.catalog import service as catalog
from o2c.db.idempotency import IdempotencyKey
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.formats.problems import Problems
from o2c.formats.x12 import Delimiters, Interchange, Party, TransactionSet, write_interchange
from o2c.formats.x12_810 import InvoiceLineMessage, InvoiceMessage, TaxMessage, invoice_set
from o2c.formats.x12_850 import PartyInfo, PurchaseOrder, parse_x12_850
from o2c.formats.x12_856 import ShipNotice, ShippedLine, ship_notice_set
from o2c.formats.x12_997 import GroupAck, SetAck, ack_set
from o2c.integration.model import (
    PIECE_UNITS,
    ExportResult,
    ImportedOrder,
    ImportResult,
    PartnerCreate,
    next_control,
    partner_problems,
    x12_unit,
)
from o2c.integration.resolution import product_for
from o2c.integration.tables import EdiInterchange, EdiPartner
from o2c.kernel.errors import (
    DuplicateImport,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from o2c.kernel.money import Money
from o2c.orders import service as orders
from o2c.parties import service as parties
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company
from o2c.shipping import service as shipping
from o2c.shipping.tables import Shipment


def create_partner(uow: UnitOfWork, actor: Actor, cmd: PartnerCreate) -> EdiPartner:
    """Register a customer as an EDI trading partner, with both interchange addresses."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = partner_problems(cmd)
    with uow:
        try:
            parties.get_customer(uow, actor, cmd.customer_id)
        except NotFound:
            errors.append(FieldError("customer_id", f"customer {cmd.customer_id} not found"))
        taken = uow.session.scalar(
            select(EdiPartner.id).where(
                EdiPartner.company_id == actor.company_id,
                (EdiPartner.customer_id == cmd.customer_id)
                | (
                    (EdiPartner.isa_qualifier == cmd.isa_qualifier)
                    & (EdiPartner.isa_id == cmd.isa_id.strip())
                ),
            )
        )
        if taken is not None:
            errors.append(FieldError("isa_id", "customer or interchange id already a partner"))
        if errors:
            raise ValidationFailed(errors)
        partner = EdiPartner(
            company_id=actor.company_id,
            customer_id=cmd.customer_id,
            isa_qualifier=cmd.isa_qualifier,
            isa_id=cmd.isa_id.strip(),
            gs_id=(cmd.gs_id or cmd.isa_id).strip(),
            our_qualifier=cmd.our_qualifier,
            our_id=cmd.our_id.strip(),
            our_gs_id=(cmd.our_gs_id or cmd.our_id).strip(),
            element_separator=cmd.delimiters.element,
            component_separator=cmd.delimiters.component,
            segment_terminator=cmd.delimiters.segment,
            usage=cmd.usage,
            created_at=uow.clock.now(),
        )
        uow.session.add(partner)
        uow.session.flush()
        audit(uow, actor, "edi.partner.create", "edi_partner", partner.id, {"isa": cmd.isa_id})
        uow.commit()
        return partner


def _partner_of_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> EdiPartner:
    partner = uow.session.scalar(
        select(EdiPartner).where(
            EdiPartner.company_id == actor.company_id, EdiPartner.customer_id == customer_id
        )
    )
    if partner is None:
        raise NotFound("EDI partner of customer", customer_id)
    return partner


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _send(
    uow: UnitOfWork,
    actor: Actor,
    partner: EdiPartner,
    functional_id: str,
    build: Callable[[int], Sequence[TransactionSet]],
    document: tuple[str, int | None, str],
) -> ExportResult:
    """Write one interchange to `partner` with its next control numbers, and store it.

    `build` gets the first set control number and returns the sets; the partner row stays
    locked until the caller's transaction ends, so concurrent senders queue and numbers are
    never skipped or reused.
    """
    locked = owned(uow.session, EdiPartner, actor.company_id, partner.id, "EDI partner", lock=True)
    [interchange_no] = next_control(locked.last_interchange)
    [group_no] = next_control(locked.last_group)
    sets = build(next_control(locked.last_set)[0])
    locked.last_interchange, locked.last_group = interchange_no, group_no
    locked.last_set = next_control(locked.last_set, len(sets))[-1]
    content = write_interchange(
        Interchange(
            sender=Party(locked.our_qualifier, locked.our_id, locked.our_gs_id),
            receiver=Party(locked.isa_qualifier, locked.isa_id, locked.gs_id),
            control_number=interchange_no,
            group_control_number=group_no,
            functional_id=functional_id,
            created=uow.clock.now(),
            delimiters=Delimiters(
                locked.element_separator, locked.component_separator, locked.segment_terminator
            ),
            usage=locked.usage,
        ),
        sets,
    )
    document_type, document_id, reference = document
    row = EdiInterchange(
        company_id=actor.company_id,
        partner_id=locked.id,
        direction="out",
        control_number=interchange_no,
        document_type=document_type,
        document_id=document_id,
        reference=reference,
        content_sha256=_digest(content),
        content=content.decode("ascii"),
        created_at=uow.clock.now(),
        created_by=actor.name,
    )
    uow.session.add(row)
    uow.session.flush()
    audit(uow, actor, f"edi.{document_type}.send", "edi_interchange", row.id, {"ref": reference})
    uow.publish(
        actor.company_id,
        "edi.interchange_sent",
        {"interchange_id": row.id, "type": document_type, "control_number": interchange_no},
    )
    return ExportResult(row.id, interchange_no, content)


# --- 850 in ----------------------------------------------------------------------------------


def _sender_partner(uow: UnitOfWork, actor: Actor, po: PurchaseOrder, path: str) -> EdiPartner:
    qualifier, sender = po.sender
    partner = uow.session.scalar(
        select(EdiPartner).where(
            EdiPartner.company_id == actor.company_id,
            EdiPartner.isa_qualifier == qualifier,
            EdiPartner.isa_id == sender.strip(),
        )
    )
    if partner is None:
        Problems(path).refuse(1, "ISA06", f"sender {qualifier}/{sender.strip()} is no partner")
    return partner


def _order_lines(
    uow: UnitOfWork, actor: Actor, po: PurchaseOrder, currency: str, problems: Problems
) -> list[orders.OrderLineCreate]:
    """Each PO1 as an order line: product by vendor part (VP), else any other id as SKU."""
    lines = []
    for line in po.lines:
        others = [value for qualifier, value in line.product_ids if qualifier != "VP"]
        product, tried = product_for(uow, actor, [line.product_id("VP"), *others])
        if product is None:
            problems.add(line.segment, "PO107", f"no product with SKU {tried or '(none sent)'}")
            continue
        if line.unit and line.unit not in PIECE_UNITS and line.unit != x12_unit(product.unit):
            problems.add(line.segment, "PO103", f"unit {line.unit} is not {product.unit}")
        price = None if line.unit_price is None else Money(line.unit_price, currency)
        lines.append(
            orders.OrderLineCreate(product_id=product.id, quantity=line.quantity, unit_price=price)
        )
    return lines


def _order_key(partner: EdiPartner, control: int, set_control: str) -> str:
    """The idempotency key of the order one 850 set opens: retries find it, never a twin."""
    return f"edi850:{partner.id}:{control}:{set_control.strip()}"


def _open_orders(
    uow: UnitOfWork, actor: Actor, partner: EdiPartner, pos: Sequence[PurchaseOrder], path: str
) -> list[ImportedOrder]:
    customer = parties.get_customer(uow, actor, partner.customer_id)
    problems = Problems(path)
    commands = []
    for po in pos:
        currency = po.currency or customer.currency
        lines = _order_lines(uow, actor, po, currency, problems)
        commands.append(
            orders.OrderCreate(
                customer_id=customer.id,
                lines=lines,
                currency=currency,
                order_date=po.po_date,
                po_number=po.po_number[:60],
            )
        )
    problems.raise_if_any()
    imported = []
    for po, command in zip(pos, commands, strict=True):
        key = _order_key(partner, int(po.interchange_control), po.set_control)
        order = orders.create_order(uow, actor, command, idempotency_key=key)
        imported.append(ImportedOrder(po.set_control, po.po_number, order.id, order.number))
    return imported


def import_850(uow: UnitOfWork, actor: Actor, data: bytes, path: str = "") -> ImportResult:
    """Open a draft sales order per 850 set of an interchange and acknowledge it with a 997.

    The sender (ISA05/06) must be a registered partner. Receiving the same interchange again
    (same ISA13, same bytes) returns the first import's orders and 997; the same control
    number with other content is refused as a duplicate.
    """
    actor.require(Permission.ORDER_WRITE)
    pos = parse_x12_850(data, path)
    with uow:
        partner = _sender_partner(uow, actor, pos[0], path)
        control = int(pos[0].interchange_control)
        earlier = _received(uow, actor, partner, control, _digest(data))
        if earlier is not None:
            return earlier
        imported = _open_orders(uow, actor, partner, pos, path)
        received = EdiInterchange(
            company_id=actor.company_id,
            partner_id=partner.id,
            direction="in",
            control_number=control,
            document_type="850",
            document_id=imported[0].order_id,
            reference=",".join(order.po_number for order in imported)[:60],
            content_sha256=_digest(data),
            content=data.decode("utf-8", errors="replace"),
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(received)
        uow.session.flush()
        groups = _group_acks(pos)
        sent = _send(
            uow,
            actor,
            partner,
            "FA",
            lambda first: [ack_set(group, first + i) for i, group in enumerate(groups)],
            ("997", received.id, f"ISA {control}"),
        )
        audit(uow, actor, "edi.850.receive", "edi_interchange", received.id, {"isa13": control})
        uow.commit()
        return ImportResult(received.id, tuple(imported), sent.content)


def _group_acks(pos: Sequence[PurchaseOrder]) -> list[GroupAck]:
    groups: dict[str, list[PurchaseOrder]] = {}
    for po in pos:
        groups.setdefault(po.group_control, []).append(po)
    return [
        GroupAck(
            members[0].group_functional_id,
            control,
            [SetAck("850", po.set_control, True) for po in members],
        )
        for control, members in groups.items()
    ]


def _received(
    uow: UnitOfWork, actor: Actor, partner: EdiPartner, control: int, digest: str
) -> ImportResult | None:
    """The earlier import of this interchange, or None; other content under it is refused."""
    row = uow.session.scalar(
        select(EdiInterchange).where(
            EdiInterchange.company_id == actor.company_id,
            EdiInterchange.partner_id == partner.id,
            EdiInterchange.direction == "in",
            EdiInterchange.control_number == control,
        )
    )
    if row is None:
        return None
    if row.content_sha256 != digest:
        raise DuplicateImport(f"interchange {control} from this partner was already received")
    ack = uow.session.scalar(
        select(EdiInterchange).where(
            EdiInterchange.company_id == actor.company_id,
            EdiInterchange.document_type == "997",
            EdiInterchange.document_id == row.id,
        )
    )
    found = []
    for po in parse_x12_850(row.content.encode("utf-8")):
        order_id = uow.session.scalar(
            select(IdempotencyKey.result_id).where(
                IdempotencyKey.company_id == actor.company_id,
                IdempotencyKey.scope == "order.create",
                IdempotencyKey.key == _order_key(partner, control, po.set_control),
            )
        )
        if order_id is None:
            continue
        order = orders.get_order(uow, actor, order_id)
        found.append(ImportedOrder(po.set_control, po.po_number, order.id, order.number))
    content = b"" if ack is None else ack.content.encode("ascii")
    return ImportResult(row.id, tuple(found), content, duplicate=True)


# --- 810 and 856 out -------------------------------------------------------------------------


def _amount(minor: int, currency: str) -> Decimal:
    return Money.from_minor(minor, currency).amount


def export_810(uow: UnitOfWork, actor: Actor, invoice_id: int) -> ExportResult:
    """Send a posted invoice or credit note to its customer as an 810 interchange."""
    actor.require(Permission.INVOICE_POST)
    details = billing.invoice_details(uow, actor, invoice_id)
    invoice = details.invoice
    if invoice.status != InvoiceStatus.POSTED or invoice.number is None:
        raise InvalidTransition(f"invoice {invoice.id} is {invoice.status}: only posted are sent")
    with uow:
        partner = _partner_of_customer(uow, actor, invoice.customer_id)
        customer = parties.get_customer(uow, actor, invoice.customer_id)
        company = get_company(uow, actor.company_id)
        ids = [line.product_id for line in details.lines if line.product_id is not None]
        products = catalog.get_products(uow, actor.company_id, ids)
        po_date = None
        if invoice.order_id is not None:
            po_date = orders.get_order(uow, actor, invoice.order_id).order_date
        currency = invoice.currency
        message = InvoiceMessage(
            number=invoice.number,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            currency=currency,
            parties=[
                PartyInfo("SE", company.name, "91", company.code),
                PartyInfo("BY", customer.name, "92", customer.code),
            ],
            lines=[
                InvoiceLineMessage(
                    position=line.position,
                    quantity=line.quantity,
                    unit=x12_unit(products[line.product_id].unit if line.product_id else "pc"),
                    unit_price=_amount(line.unit_price_minor, currency),
                    product_code=products[line.product_id].sku if line.product_id else None,
                    description=line.description,
                )
                for line in details.lines
            ],
            taxes=[
                TaxMessage(t.category, t.percent, _amount(t.tax_minor, currency))
                for t in details.taxes
            ],
            total=_amount(invoice.total_minor, currency),
            credit_note=invoice.kind == InvoiceKind.CREDIT_NOTE,
            po_number=invoice.po_number,
            po_date=po_date,
            discount=_amount(invoice.discount_minor, currency),
            charge=_amount(invoice.charge_minor, currency),
        )
        result = _send(
            uow,
            actor,
            partner,
            "IN",
            lambda first: [invoice_set(message, first)],
            ("810", invoice.id, invoice.number),
        )
        uow.commit()
        return result


def export_856(uow: UnitOfWork, actor: Actor, shipment_id: int) -> ExportResult:
    """Send a shipped shipment to its customer as an 856 ship notice."""
    actor.require(Permission.SHIPMENT_WRITE)
    shipment = shipping.get_shipment(uow, actor, shipment_id)
    if shipment.ship_date is None:
        raise InvalidTransition(f"shipment {shipment.number} has not shipped yet")
    with uow:
        partner = _partner_of_customer(uow, actor, shipment.customer_id)
        order = orders.get_order(uow, actor, shipment.order_id)
        customer = parties.get_customer(uow, actor, shipment.customer_id)
        company = get_company(uow, actor.company_id)
        order_lines = {line.id: line for line in order.lines}
        products = catalog.get_products(
            uow, actor.company_id, [x.product_id for x in shipment.lines]
        )
        notice = ShipNotice(
            shipment_number=shipment.number,
            created=uow.clock.now(),
            ship_date=shipment.ship_date,
            parties=[
                PartyInfo("ST", customer.name, "92", customer.code),
                PartyInfo("SF", company.name, "91", company.code),
            ],
            lines=[
                ShippedLine(
                    product_code=products[line.product_id].sku,
                    quantity=line.quantity,
                    unit=x12_unit(order_lines[line.order_line_id].unit),
                    description=order_lines[line.order_line_id].description,
                    buyer_line_id=str(order_lines[line.order_line_id].line_no),
                )
                for line in shipment.lines
            ],
            order_number=order.number,
            po_number=order.po_number,
            carrier=shipment.carrier,
            tracking=shipment.tracking,
        )
        result = _send(
            uow,
            actor,
            partner,
            "SH",
            lambda first: [ship_notice_set(notice, first)],
            ("856", shipment.id, shipment.number),
        )
        uow.commit()
        return result


def document_id(uow: UnitOfWork, actor: Actor, kind: str, number: str) -> int:
    """The id of the invoice (810) or shipment (856) numbered `number`, for the CLI."""
    actor.require(Permission.LEDGER_READ)
    table: type[Invoice] | type[Shipment] = Invoice if kind == "810" else Shipment
    with uow:
        found = uow.session.scalar(
            select(table.id).where(table.company_id == actor.company_id, table.number == number)
        )
    if found is None:
        raise NotFound("invoice" if kind == "810" else "shipment", number)
    return found
