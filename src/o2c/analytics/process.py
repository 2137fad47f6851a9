"""The order-to-cash process as it ran: cycle times per customer, and an OCEL 2.0 event log.

A case is a posted invoice, with the order it bills and the shipment it follows when there
are such (invoices imported or raised without an order have only their own steps). Stages:
order → ship (order date to ship date), ship → invoice, invoice → cash (issue to the day the
invoice was cleared) and order → cash end to end. Per customer the mean days of each stage
over the cases that have both ends, and the stage where the most time goes.

The event log follows OCEL 2.0's JSON format (objects with typed relationships, events
relating to objects with qualifiers) so process-mining tools (pm4py, Celonis, ocpa) read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from statistics import fmean
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import Application, OpenItem
from o2c.orders.tables import SalesOrder
from o2c.parties.service import customer_codes
from o2c.security.model import Actor, Permission
from o2c.shipping.tables import Shipment

STAGES = ("order_to_ship", "ship_to_invoice", "invoice_to_cash", "order_to_cash")
EVENT_TYPES = (
    "place order",
    "ship goods",
    "issue invoice",
    "receive payment",
    "apply payment",
    "clear invoice",
)


@dataclass(frozen=True, slots=True)
class Case:
    invoice_id: int
    invoice_number: str
    customer_id: int
    order_id: int | None
    order_number: str | None
    ordered_on: date | None
    shipment_id: int | None
    shipment_number: str | None
    shipped_on: date | None
    invoiced_on: date
    item_id: int | None
    cleared_on: date | None

    def stages(self) -> dict[str, int | None]:
        def days(start: date | None, end: date | None) -> int | None:
            return None if start is None or end is None else (end - start).days

        return {
            "order_to_ship": days(self.ordered_on, self.shipped_on),
            "ship_to_invoice": days(self.shipped_on, self.invoiced_on),
            "invoice_to_cash": days(self.invoiced_on, self.cleared_on),
            "order_to_cash": days(self.ordered_on, self.cleared_on),
        }


def _cases_query(company_id: int, start: date, end: date) -> Any:
    shipment = aliased(Shipment)
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            SalesOrder.id,
            SalesOrder.number,
            SalesOrder.order_date,
            shipment.id,
            shipment.number,
            shipment.ship_date,
            Invoice.issue_date,
            OpenItem.id,
            OpenItem.closed_on,
        )
        .outerjoin(SalesOrder, SalesOrder.id == Invoice.order_id)
        .outerjoin(shipment, shipment.id == Invoice.shipment_id)
        .outerjoin(
            OpenItem,
            (OpenItem.company_id == Invoice.company_id)
            & (OpenItem.kind == ItemKind.INVOICE.value)
            & (OpenItem.source_id == Invoice.id),
        )
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.status == "posted",
            Invoice.issue_date.between(start, end),
        )
        .order_by(Invoice.issue_date, Invoice.id)
    )


def cases(uow: UnitOfWork, actor: Actor, start: date, end: date) -> list[Case]:
    """Posted invoices issued from `start` to `end` with their order, shipment and clearing."""
    actor.require(Permission.LEDGER_READ)
    if end < start:
        raise ValidationFailed([FieldError("to", "must not be before the start")])
    with uow:
        rows = uow.session.execute(_cases_query(actor.company_id, start, end)).all()
    # Columns in Case's field order; an invoice without a number yet reads as "".
    return [Case(invoice, number or "", *rest) for invoice, number, *rest in rows]


@dataclass(frozen=True)
class CycleTimes:
    """Mean days per stage of one customer's cases (None: no case has both ends)."""

    customer: str
    cases: int
    mean_days: dict[str, float | None]

    @property
    def slowest_stage(self) -> str | None:
        """Where the most time goes, among the stages between order and cash."""
        parts = {s: self.mean_days[s] for s in STAGES[:3] if self.mean_days[s] is not None}
        return max(parts, key=lambda s: parts[s] or 0.0) if parts else None


def cycle_times(
    uow: UnitOfWork, actor: Actor, start: date, end: date
) -> tuple[CycleTimes, list[CycleTimes]]:
    """The company's cycle times and each customer's, over invoices issued in the range."""
    found = cases(uow, actor, start, end)
    codes = customer_codes(uow, actor.company_id, (c.customer_id for c in found))
    by_customer: dict[int, list[Case]] = defaultdict(list)
    for case in found:
        by_customer[case.customer_id].append(case)
    customers = [
        _times(codes.get(customer_id, str(customer_id)), group)
        for customer_id, group in by_customer.items()
    ]
    return _times("company", found), sorted(customers, key=lambda t: t.customer)


def _times(label: str, group: list[Case]) -> CycleTimes:
    values: dict[str, list[int]] = defaultdict(list)
    for case in group:
        for stage, days in case.stages().items():
            if days is not None:
                values[stage].append(days)
    means = {s: round(fmean(values[s]), 2) if values[s] else None for s in STAGES}
    return CycleTimes(label, len(group), means)


def _instant(day: date) -> str:
    return datetime.combine(day, time(), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _object(kind: str, key: int, name: str, related: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {
        "id": f"{kind}:{key}",
        "type": kind,
        "attributes": [{"name": "number", "time": _instant(date(1970, 1, 1)), "value": name}],
        "relationships": [{"objectId": o, "qualifier": q} for o, q in related],
    }


def _event(number: int, kind: str, day: date, related: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {
        "id": f"e{number}",
        "type": kind,
        "time": _instant(day),
        "attributes": [],
        "relationships": [{"objectId": o, "qualifier": q} for o, q in related],
    }


def _payments(uow: UnitOfWork, company_id: int, item_ids: list[int]) -> list[Any]:
    """(invoice item id, payment item id, payment number, received on, applied on)."""
    payment = aliased(OpenItem)
    query = (
        select(
            Application.debit_item_id,
            payment.id,
            payment.document_number,
            payment.doc_date,
            Application.applied_on,
        )
        .join(payment, payment.id == Application.credit_item_id)
        .where(
            Application.company_id == company_id,
            Application.reversed.is_(False),
            Application.reverses_id.is_(None),
            payment.kind == ItemKind.PAYMENT.value,
            Application.debit_item_id.in_(item_ids),
        )
    )
    with uow:
        return list(uow.session.execute(query)) if item_ids else []


class _Log:
    """Objects by id and events in the making, for one OCEL export."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []

    def event(self, kind: str, day: date | None, related: list[tuple[str, str]]) -> None:
        if day is not None:
            self.events.append(_event(len(self.events) + 1, kind, day, related))

    def case(self, case: Case, customer_code: str) -> None:
        """The customer, order, shipment and invoice of a case, and their events."""
        customer = f"customer:{case.customer_id}"
        self.objects[customer] = _object("customer", case.customer_id, customer_code, [])
        invoice = f"invoice:{case.invoice_id}"
        related = [(customer, "billed to")]
        if case.order_id is not None:
            order = f"order:{case.order_id}"
            self.objects[order] = _object("order", case.order_id, case.order_number or "", related)
            related.append((order, "bills"))
            self.event("place order", case.ordered_on, [(order, "order"), (customer, "customer")])
        if case.shipment_id is not None:
            shipment = f"shipment:{case.shipment_id}"
            self.objects[shipment] = _object(
                "shipment", case.shipment_id, case.shipment_number or "", related[1:]
            )
            related.append((shipment, "follows"))
            self.event("ship goods", case.shipped_on, [(shipment, "shipment"), *related[1:2]])
        self.objects[invoice] = _object("invoice", case.invoice_id, case.invoice_number, related)
        self.event("issue invoice", case.invoiced_on, [(invoice, "invoice"), *related])
        self.event("clear invoice", case.cleared_on, [(invoice, "invoice")])

    def payments(self, rows: list[Any], invoices: dict[int, int]) -> None:
        """Each payment received once, and each of its applications to a case's invoice."""
        received: set[str] = set()
        for item_id, payment_id, number, received_on, applied_on in rows:
            payment = f"payment:{payment_id}"
            self.objects.setdefault(payment, _object("payment", payment_id, number, []))
            if payment not in received:
                received.add(payment)
                self.event("receive payment", received_on, [(payment, "payment")])
            invoice = f"invoice:{invoices[item_id]}"
            self.event("apply payment", applied_on, [(payment, "payment"), (invoice, "invoice")])


def ocel_log(uow: UnitOfWork, actor: Actor, start: date, end: date) -> dict[str, Any]:
    """An OCEL 2.0 (JSON) log of the invoices issued in the range and what led to and
    followed them: objects customer, order, shipment, invoice, payment; events place
    order, ship goods, issue invoice, receive payment, apply payment, clear invoice."""
    found = cases(uow, actor, start, end)
    codes = customer_codes(uow, actor.company_id, (c.customer_id for c in found))
    log = _Log()
    for case in found:
        log.case(case, codes.get(case.customer_id, f"customer:{case.customer_id}"))
    invoices = {c.item_id: c.invoice_id for c in found if c.item_id is not None}
    log.payments(_payments(uow, actor.company_id, list(invoices)), invoices)
    # Same-day events in the order the process runs them.
    log.events.sort(key=lambda e: (e["time"], EVENT_TYPES.index(e["type"]), int(e["id"][1:])))
    return {
        "objectTypes": [
            {"name": kind, "attributes": [{"name": "number", "type": "string"}]}
            for kind in ("customer", "order", "shipment", "invoice", "payment")
        ],
        "eventTypes": [{"name": kind, "attributes": []} for kind in EVENT_TYPES],
        "objects": list(log.objects.values()),
        "events": log.events,
    }
