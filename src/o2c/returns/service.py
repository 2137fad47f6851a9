"""Return use cases: authorise a return of shipped goods, receive it, credit it, or cancel it.

Authorising locks the order's row, so two clerks authorising returns of the same order at
once are served one after the other and never return more than was shipped together.
Receiving restocks through inventory (a `return` stock move, referenced by the RMA number)
or scraps; crediting asks billing for one credit note per invoice that billed the returned
units, each posted as a balanced journal entry and applied to what is open on its invoice.
Each step runs in one transaction with its audit record and outbox event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from o2c.billing.model import CreditLine, InvoiceKind, InvoiceStatus
from o2c.billing.service import create_credit_note
from o2c.billing.tables import Invoice, InvoiceLine
from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.inventory.model import show
from o2c.inventory.service import MoveCommand, return_stock
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.orders.numbering import next_number
from o2c.orders.tables import SalesOrder
from o2c.returns.model import (
    Creditable,
    Disposition,
    LineRoom,
    ReturnStatus,
    allocate_credits,
    return_problems,
    transition,
)
from o2c.returns.tables import ReturnAuthorization, ReturnLine
from o2c.security.model import Actor, Permission
from o2c.security.service import audit
from o2c.shipping.tables import ShipmentLine

RETURN_SERIES = "RMA"
_SCOPE = "return.authorise"


@dataclass(frozen=True)
class ReturnFilter:
    order_id: int | None = None
    customer_id: int | None = None
    statuses: Sequence[ReturnStatus] = field(default_factory=tuple)


def authorise_return(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal],
    reason: str,
    idempotency_key: str | None = None,
) -> ReturnAuthorization:
    """Allow the customer to send back shipped units (order line id → quantity).

    Refuses more than a line shipped minus what is on its other returns (not cancelled).
    A retry with the same key answers the first authorisation.
    """
    actor.require(Permission.SHIPMENT_WRITE)
    fingerprint = _fingerprint(order_id, dict(quantities), reason)
    try:
        return _authorise(uow, actor, order_id, quantities, reason, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its return.
        with uow:
            earlier = _earlier(uow, actor, idempotency_key, fingerprint)
            if earlier is None:
                raise
            return _return(uow, actor.company_id, earlier)


def _authorise(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal],
    reason: str,
    idempotency_key: str | None,
    fingerprint: str,
) -> ReturnAuthorization:
    with uow:
        earlier = _earlier(uow, actor, idempotency_key, fingerprint)
        if earlier is not None:
            return _return(uow, actor.company_id, earlier)
        order = _lock_order(uow, actor.company_id, order_id)
        room = _line_room(uow, order)
        errors = return_problems(dict(quantities), room, order.number)
        if not reason.strip():
            errors.append(FieldError("reason", "a return needs a reason"))
        if errors:
            raise ValidationFailed(errors)
        now = uow.clock.now()
        lines = {line.id: line for line in order.lines}
        rma = ReturnAuthorization(
            company_id=actor.company_id,
            number=next_number(uow, actor.company_id, RETURN_SERIES, uow.clock.today()),
            order_id=order.id,
            customer_id=order.customer_id,
            status=ReturnStatus.AUTHORISED.value,
            reason=reason.strip()[:200],
            credit_note_ids=[],
            created_at=now,
            created_by=actor.name,
            updated_at=now,
        )
        rma.lines = [
            ReturnLine(
                company_id=actor.company_id,
                order_line_id=line_id,
                product_id=lines[line_id].product_id,
                stocked=lines[line_id].stocked,
                quantity=quantity,
            )
            for line_id, quantity in quantities.items()
        ]
        uow.session.add(rma)
        uow.session.flush()
        if idempotency_key is not None:
            remember_result(
                uow.session, actor.company_id, _SCOPE, idempotency_key, fingerprint, rma.id, now
            )
        _changed(uow, actor, rma, "authorised")
        uow.commit()
        return rma


def _line_room(uow: UnitOfWork, order: SalesOrder) -> dict[int, LineRoom]:
    rows = uow.session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnAuthorization, ReturnAuthorization.id == ReturnLine.return_id)
        .where(
            ReturnAuthorization.company_id == order.company_id,
            ReturnAuthorization.order_id == order.id,
            ReturnAuthorization.status != ReturnStatus.CANCELLED.value,
        )
        .group_by(ReturnLine.order_line_id)
    )
    returned: dict[int, Decimal] = {row[0]: row[1] for row in rows}
    return {
        line.id: LineRoom(line.line_no, line.quantity_shipped, returned.get(line.id, Decimal(0)))
        for line in order.lines
    }


def receive_return(
    uow: UnitOfWork,
    actor: Actor,
    return_id: int,
    disposition: Disposition,
    warehouse_id: int | None = None,
    received_on: date | None = None,
) -> ReturnAuthorization:
    """Record the goods' arrival: restock them into `warehouse_id`, or scrap them.

    Restocking books one `return` stock move per stocked line (services have no stock);
    the warehouse defaults to the one the order shipped from.
    """
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        rma = _lock_return(uow, actor.company_id, return_id)
        status = transition(ReturnStatus(rma.status), ReturnStatus.RECEIVED)
        day = received_on or uow.clock.today()
        if disposition is Disposition.RESTOCK:
            order = owned(uow.session, SalesOrder, actor.company_id, rma.order_id, "sales order")
            target = warehouse_id or order.warehouse_id
            goods = [line for line in rma.lines if line.stocked]
            if goods and target is None:
                raise ValidationFailed(
                    [FieldError("warehouse_id", "restocked goods need a warehouse")]
                )
            for line in goods:
                assert target is not None
                command = MoveCommand(
                    line.product_id,
                    target,
                    line.quantity,
                    reason=f"customer return: {rma.reason}"[:200],
                    reference=rma.number,
                    move_date=day,
                )
                return_stock(uow, actor, command)
            rma.warehouse_id = target
        rma.status = status.value
        rma.disposition = disposition.value
        rma.received_on = day
        rma.updated_at = uow.clock.now()
        _changed(uow, actor, rma, "received")
        uow.commit()
        return rma


def credit_return(uow: UnitOfWork, actor: Actor, return_id: int) -> ReturnAuthorization:
    """Credit a received return at the invoiced prices: one credit note per invoice.

    Refused, with nothing issued, when returned units were never invoiced or were credited
    already (a credit note raised by hand): the customer is never credited twice for a unit.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        rma = _lock_return(uow, actor.company_id, return_id)
        status = transition(ReturnStatus(rma.status), ReturnStatus.CREDITED)
        returned = {line.order_line_id: line.quantity for line in rma.lines}
        credits, short = allocate_credits(
            returned, _creditable(uow, actor.company_id, rma.order_id)
        )
        if short:
            raise ValidationFailed(
                [
                    FieldError(
                        f"lines[{line_id}].quantity",
                        f"{show(quantity)} returned but not invoiced or credited already",
                    )
                    for line_id, quantity in short.items()
                ]
            )
        notes = [
            create_credit_note(
                uow,
                actor,
                invoice_id,
                [CreditLine(line_id, quantity) for line_id, quantity in lines.items()],
                f"Return {rma.number}: {rma.reason}",
            )
            for invoice_id, lines in credits.items()
        ]
        rma.credit_note_ids = [note.id for note in notes]
        rma.status = status.value
        rma.updated_at = uow.clock.now()
        _changed(uow, actor, rma, "credited")
        uow.commit()
        return rma


def _creditable(uow: UnitOfWork, company_id: int, order_id: int) -> list[Creditable]:
    """The posted invoice lines that billed the order's lines, oldest first, less credits."""
    rows = uow.session.execute(
        select(
            Invoice.id,
            Invoice.shipment_id,
            InvoiceLine.id,
            InvoiceLine.source_line_id,
            InvoiceLine.quantity,
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.company_id == company_id,
            Invoice.order_id == order_id,
            Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status == InvoiceStatus.POSTED.value,
        )
        .order_by(Invoice.issue_date, Invoice.id, InvoiceLine.position)
    ).all()
    if not rows:
        return []
    shipment_lines = {row[3] for row in rows if row[1] is not None}
    via_shipment: dict[int, int] = {
        row[0]: row[1]
        for row in uow.session.execute(
            select(ShipmentLine.id, ShipmentLine.order_line_id).where(
                ShipmentLine.company_id == company_id, ShipmentLine.id.in_(shipment_lines)
            )
        )
    }
    credited = _credited(uow, company_id, [row[2] for row in rows])
    result = []
    for invoice_id, shipment_id, line_id, source_id, quantity in rows:
        if source_id is None:
            continue
        order_line = via_shipment.get(source_id) if shipment_id is not None else source_id
        if order_line is None:
            continue
        left = quantity - credited.get(line_id, Decimal(0))
        result.append(Creditable(invoice_id, line_id, order_line, left))
    return result


def _credited(uow: UnitOfWork, company_id: int, line_ids: list[int]) -> dict[int, Decimal]:
    """Quantity credited so far on each invoice line, by posted credit notes."""
    rows = uow.session.execute(
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.status == InvoiceStatus.POSTED.value,
            InvoiceLine.credited_line_id.in_(line_ids),
        )
        .group_by(InvoiceLine.credited_line_id)
    )
    return {line_id: quantity for line_id, quantity in rows if line_id is not None}


def cancel_return(uow: UnitOfWork, actor: Actor, return_id: int) -> ReturnAuthorization:
    """Withdraw an authorisation before the goods arrive; its units become returnable again."""
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        rma = _lock_return(uow, actor.company_id, return_id)
        rma.status = transition(ReturnStatus(rma.status), ReturnStatus.CANCELLED).value
        rma.updated_at = uow.clock.now()
        _changed(uow, actor, rma, "cancelled")
        uow.commit()
        return rma


def get_return(uow: UnitOfWork, actor: Actor, return_id: int) -> ReturnAuthorization:
    """A return with its lines (loaded, so they can be read after the unit of work ends)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _return(uow, actor.company_id, return_id)


def find_return(uow: UnitOfWork, actor: Actor, number: str) -> ReturnAuthorization:
    actor.require(Permission.LEDGER_READ)
    with uow:
        rma = uow.session.scalar(
            select(ReturnAuthorization).where(
                ReturnAuthorization.company_id == actor.company_id,
                ReturnAuthorization.number == number,
            )
        )
        if rma is None:
            raise NotFound("return", number)
        return rma


def list_returns(
    uow: UnitOfWork,
    actor: Actor,
    where: ReturnFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReturnAuthorization], int]:
    """One page of returns, newest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    where = where or ReturnFilter()
    conditions = [ReturnAuthorization.company_id == actor.company_id]
    if where.order_id is not None:
        conditions.append(ReturnAuthorization.order_id == where.order_id)
    if where.customer_id is not None:
        conditions.append(ReturnAuthorization.customer_id == where.customer_id)
    if where.statuses:
        conditions.append(ReturnAuthorization.status.in_([s.value for s in where.statuses]))
    with uow:
        count = uow.session.scalar(
            select(func.count()).select_from(ReturnAuthorization).where(*conditions)
        )
        found = uow.session.scalars(
            select(ReturnAuthorization)
            .where(*conditions)
            .order_by(ReturnAuthorization.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(found), count or 0


# ---- loading ----------------------------------------------------------------------------


def _return(uow: UnitOfWork, company_id: int, return_id: int) -> ReturnAuthorization:
    return owned(uow.session, ReturnAuthorization, company_id, return_id, "return")


def _lock_return(uow: UnitOfWork, company_id: int, return_id: int) -> ReturnAuthorization:
    return owned(
        uow.session, ReturnAuthorization, company_id, return_id, "return", lock=True, refresh=True
    )


def _lock_order(uow: UnitOfWork, company_id: int, order_id: int) -> SalesOrder:
    """The order row-locked, so concurrent authorisations of its lines queue."""
    return owned(
        uow.session, SalesOrder, company_id, order_id, "sales order", lock=True, refresh=True
    )


def _changed(uow: UnitOfWork, actor: Actor, rma: ReturnAuthorization, what: str) -> None:
    summary = _summary(rma)
    audit(uow, actor, f"return.{what}", "return_authorization", rma.id, summary)
    uow.publish(actor.company_id, f"return.{what}", summary)


def _summary(rma: ReturnAuthorization) -> dict[str, Any]:
    return {
        "return_id": rma.id,
        "number": rma.number,
        "order_id": rma.order_id,
        "customer_id": rma.customer_id,
        "status": rma.status,
        "disposition": rma.disposition,
        "warehouse_id": rma.warehouse_id,
        "credit_note_ids": list(rma.credit_note_ids),
        "lines": [
            {"order_line_id": line.order_line_id, "quantity": str(line.quantity)}
            for line in rma.lines
        ],
    }


def _earlier(
    uow: UnitOfWork, actor: Actor, idempotency_key: str | None, fingerprint: str
) -> int | None:
    if idempotency_key is None:
        return None
    return previous_result(uow.session, actor.company_id, _SCOPE, idempotency_key, fingerprint)


def _fingerprint(*parts: object) -> str:
    body = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
