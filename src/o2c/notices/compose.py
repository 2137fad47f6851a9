"""What each notice says: from one outbox event to a template, its values and its recipients.

One function per event topic reads the documents the event names (the payload is only a
pointer: the mail shows the document as it is when the notice is sent). Customer notices go
to the customer's purchasing contacts, or to its own address when it has none, in the
customer's language; the credit-hold notice goes to the company's staff address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from o2c.billing.service import get_invoice
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.orders.service import get_order
from o2c.orders.tables import SalesOrder
from o2c.parties.contacts import list_contacts
from o2c.parties.model import ContactRole, Customer
from o2c.parties.service import get_customer
from o2c.returns.service import get_return
from o2c.security.model import Actor
from o2c.security.service import get_company
from o2c.shipping.service import get_shipment


@dataclass(frozen=True)
class Composed:
    """A notice ready to render: the template, its values, who receives it, what it is about."""

    kind: str
    customer_id: int
    language: str
    recipients: tuple[str, ...]
    context: dict[str, Any]
    source_kind: str
    source_id: int
    timeline: str
    """The notice on the customer's timeline; "sent to <recipients>" is added when queued."""


@dataclass(frozen=True)
class Audience:
    """Where the credit-hold notice goes: the company's staff address (None: not sent)."""

    staff_address: str | None = None


def _lines(order: SalesOrder, quantities: Mapping[int, Decimal]) -> list[dict[str, Any]]:
    described = {line.id: line.description for line in order.lines}
    return [
        {"description": described.get(line_id, ""), "quantity": quantity}
        for line_id, quantity in quantities.items()
    ]


def _customer_notice(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    order: SalesOrder,
    values: dict[str, Any],
    source: tuple[str, int],
    timeline: str,
) -> Composed:
    customer = get_customer(uow, actor, order.customer_id)
    purchasing = list_contacts(uow, actor, customer.id, ContactRole.PURCHASING)
    recipients = tuple(dict.fromkeys(c.email for c in purchasing if c.email))
    if not recipients and customer.email:
        recipients = (customer.email,)
    contact = next((c.name for c in purchasing if c.email), None)
    context = {
        **_common(uow, actor, customer),
        "contact_name": contact,
        "order_number": order.number,
        "lines": [],
        **values,
    }
    return Composed(
        kind, customer.id, customer.language, recipients, context, *source, timeline=timeline
    )


def _common(uow: UnitOfWork, actor: Actor, customer: Customer) -> dict[str, Any]:
    with uow:
        company = get_company(uow, actor.company_id).name
    return {"company_name": company, "customer_name": customer.name, "customer_code": customer.code}


def order_confirmation(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    order = get_order(uow, actor, int(payload["order_id"]))
    values = {
        "order_date": order.order_date,
        "po_number": order.po_number,
        "total": Money.from_minor(order.total_minor, order.currency),
        "lines": _lines(order, {line.id: line.quantity for line in order.lines}),
    }
    return _customer_notice(
        uow,
        actor,
        "order_confirmation",
        order,
        values,
        ("sales_order", order.id),
        f"Order confirmation {order.number}",
    )


def backorder_notice(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    order = get_order(uow, actor, int(payload["order_id"]))
    short = {int(line["line_id"]): Decimal(str(line["quantity"])) for line in payload["lines"]}
    return _customer_notice(
        uow,
        actor,
        "backorder_notice",
        order,
        {"lines": _lines(order, short)},
        ("sales_order", order.id),
        f"Backorder notice for {order.number}",
    )


def shipment_notice(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    shipment = get_shipment(uow, actor, int(payload["shipment_id"]))
    order = get_order(uow, actor, shipment.order_id)
    values = {
        "shipment_number": shipment.number,
        "ship_date": shipment.ship_date,
        "carrier": shipment.carrier,
        "tracking": shipment.tracking,
        "lines": _lines(order, {line.order_line_id: line.quantity for line in shipment.lines}),
    }
    tracking = (
        f" ({shipment.carrier or 'carrier'} {shipment.tracking})" if shipment.tracking else ""
    )
    return _customer_notice(
        uow,
        actor,
        "shipment_notice",
        order,
        values,
        ("shipment", shipment.id),
        f"Shipment notice {shipment.number}{tracking}",
    )


def delivery_confirmation(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    shipment = get_shipment(uow, actor, int(payload["shipment_id"]))
    order = get_order(uow, actor, shipment.order_id)
    values = {"shipment_number": shipment.number, "delivered_on": shipment.delivered_on}
    return _customer_notice(
        uow,
        actor,
        "delivery_confirmation",
        order,
        values,
        ("shipment", shipment.id),
        f"Delivery confirmation {shipment.number}",
    )


def return_received(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    rma = get_return(uow, actor, int(payload["return_id"]))
    order = get_order(uow, actor, rma.order_id)
    values = {
        "return_number": rma.number,
        "received_on": rma.received_on,
        "lines": _lines(order, {line.order_line_id: line.quantity for line in rma.lines}),
    }
    return _customer_notice(
        uow,
        actor,
        "return_received",
        order,
        values,
        ("return_authorization", rma.id),
        f"Return received notice {rma.number}",
    )


def return_credited(uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any]) -> Composed:
    rma = get_return(uow, actor, int(payload["return_id"]))
    order = get_order(uow, actor, rma.order_id)
    notes = [get_invoice(uow, actor, note_id) for note_id in rma.credit_note_ids]
    total = sum(note.total_minor for note in notes)
    numbers = ", ".join(note.number or str(note.id) for note in notes)
    values = {
        "return_number": rma.number,
        "credit_notes": numbers,
        "total": Money.from_minor(total, order.currency),
    }
    return _customer_notice(
        uow,
        actor,
        "return_credited",
        order,
        values,
        ("return_authorization", rma.id),
        f"Return credit notice {rma.number} ({numbers})",
    )


def credit_hold_notice(
    uow: UnitOfWork, actor: Actor, payload: Mapping[str, Any], audience: Audience
) -> Composed:
    """To staff, not to the customer: the order waits for a credit decision.

    The rules that failed come with the event (`failures`, each with a readable `reason`).
    """
    order = get_order(uow, actor, int(payload["order_id"]))
    customer = get_customer(uow, actor, order.customer_id)
    context = {
        **_common(uow, actor, customer),
        "contact_name": None,
        "order_number": order.number,
        "total": Money.from_minor(order.total_minor, order.currency),
        "reasons": [str(f.get("reason", "")) for f in payload.get("failures", [])],
        "lines": [],
    }
    recipients = (audience.staff_address,) if audience.staff_address else ()
    return Composed(
        "credit_hold_notice",
        customer.id,
        "en",
        recipients,
        context,
        "sales_order",
        order.id,
        timeline=f"Credit hold notice for {order.number}",
    )


Composer = Callable[[UnitOfWork, Actor, Mapping[str, Any], Audience], Composed]


def _for_customer(
    compose: Callable[[UnitOfWork, Actor, Mapping[str, Any]], Composed],
) -> Composer:
    return lambda uow, actor, payload, _audience: compose(uow, actor, payload)


COMPOSERS: dict[str, Composer] = {
    "order.confirmed": _for_customer(order_confirmation),
    "order.backordered": _for_customer(backorder_notice),
    "shipment.shipped": _for_customer(shipment_notice),
    "shipment.delivered": _for_customer(delivery_confirmation),
    "return.received": _for_customer(return_received),
    "return.credited": _for_customer(return_credited),
    "order.credit_held": credit_hold_notice,
}
"""Outbox topic → the notice it causes."""
