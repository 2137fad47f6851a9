"""Shipment use cases: plan a shipment of order lines, ship it, confirm delivery, bill it.

Shipping is the one step that moves goods: `ship` takes the units out of stock (consuming the
order's reservation) and counts them shipped on the order, in one transaction. Billing asks
what of a shipment is still to invoice and reports the invoice back here, which also counts
the units invoiced on the order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from o2c.credit.rules import Stage
from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.inventory.model import quantity_problem, show
from o2c.inventory.service import ShipLine, ship_stock
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.orders.credit_check import require_credit
from o2c.orders.model import SHIPPABLE, OrderStatus, require_status
from o2c.orders.numbering import SHIPMENT_SERIES, next_number
from o2c.orders.service import billable_line, get_order, record_invoiced, record_shipped
from o2c.orders.tables import SalesOrder
from o2c.security.model import Actor, Permission
from o2c.security.service import audit
from o2c.shipping.model import (
    INVOICEABLE,
    ShipmentBillableLine,
    ShipmentStatus,
    remaining,
    transition,
)
from o2c.shipping.tables import Shipment, ShipmentLine


@dataclass(frozen=True)
class ShipmentFilter:
    order_id: int | None = None
    customer_id: int | None = None
    statuses: Sequence[ShipmentStatus] = field(default_factory=tuple)
    date_from: date | None = None
    date_to: date | None = None
    uninvoiced: bool = False
    """Only shipped or delivered shipments with something still to invoice (a billing run)."""


def create_shipment(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal] | None = None,
    ship_date: date | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
    idempotency_key: str | None = None,
) -> Shipment:
    """Plan a shipment of order lines (order line id → quantity; None: all that remains).

    Refuses more than a line has left, counting units on other draft shipments as taken.
    Stock is checked when the shipment is shipped, not here.
    """
    actor.require(Permission.SHIPMENT_WRITE)
    fingerprint = _fingerprint(
        order_id, dict(quantities or {}), quantities is None, ship_date, carrier, tracking
    )
    plan = (order_id, quantities, ship_date, carrier, tracking)
    try:
        return _create_shipment(uow, actor, *plan, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its shipment.
        with uow:
            earlier = _earlier(uow, actor, idempotency_key, fingerprint)
            if earlier is None:
                raise
            return _shipment(uow, actor.company_id, earlier)


def _create_shipment(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal] | None,
    ship_date: date | None,
    carrier: str | None,
    tracking: str | None,
    idempotency_key: str | None,
    fingerprint: str,
) -> Shipment:
    with uow:
        earlier = _earlier(uow, actor, idempotency_key, fingerprint)
        if earlier is not None:
            return _shipment(uow, actor.company_id, earlier)
        order = get_order(uow, actor, order_id)
        require_status(OrderStatus(order.status), SHIPPABLE, "ship")
        wanted = _planned_quantities(uow, order, quantities)
        shipment = Shipment(
            company_id=actor.company_id,
            number=next_number(
                uow, actor.company_id, SHIPMENT_SERIES, ship_date or uow.clock.today()
            ),
            order_id=order.id,
            customer_id=order.customer_id,
            warehouse_id=order.warehouse_id,
            status=ShipmentStatus.DRAFT.value,
            ship_date=ship_date,
            carrier=carrier,
            tracking=tracking,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        shipment.lines = _shipment_lines(order, wanted)
        uow.session.add(shipment)
        uow.session.flush()
        if idempotency_key is not None:
            remember_result(
                uow.session,
                actor.company_id,
                "shipment.create",
                idempotency_key,
                fingerprint,
                shipment.id,
                uow.clock.now(),
            )
        audit(uow, actor, "shipment.create", "shipment", shipment.id, _summary(shipment))
        uow.publish(actor.company_id, "shipment.created", _summary(shipment))
        uow.commit()
        return shipment


def _shipment_lines(order: SalesOrder, wanted: Mapping[int, Decimal]) -> list[ShipmentLine]:
    products = {line.id: line.product_id for line in order.lines}
    return [
        ShipmentLine(
            company_id=order.company_id,
            order_line_id=line_id,
            product_id=products[line_id],
            quantity=quantity,
            quantity_invoiced=Decimal(0),
        )
        for line_id, quantity in wanted.items()
    ]


def _planned_quantities(
    uow: UnitOfWork, order: SalesOrder, quantities: Mapping[int, Decimal] | None
) -> dict[int, Decimal]:
    """The quantities to plan per order line, checked against what each line has left."""
    planned = _planned_elsewhere(uow, order)
    left = {
        line.id: remaining(line.quantity, line.quantity_shipped, planned.get(line.id, Decimal(0)))
        for line in order.lines
    }
    if quantities is None:
        wanted = {line_id: rest for line_id, rest in left.items() if rest > 0}
        if not wanted:
            raise ValidationFailed([FieldError("lines", f"nothing left to ship on {order.number}")])
        return wanted
    errors = []
    if not quantities:
        errors.append(FieldError("lines", "no quantities given"))
    for line_id, quantity in quantities.items():
        where = f"lines[{line_id}]"
        if line_id not in left:
            errors.append(FieldError(where, f"not a line of order {order.number}"))
            continue
        problem = quantity_problem(quantity)
        if problem:
            errors.append(FieldError(f"{where}.quantity", problem))
        elif quantity > left[line_id]:
            errors.append(
                FieldError(f"{where}.quantity", f"only {show(left[line_id])} left to ship")
            )
    if errors:
        raise ValidationFailed(errors)
    return dict(quantities)


def _planned_elsewhere(uow: UnitOfWork, order: SalesOrder) -> dict[int, Decimal]:
    """Units of each order line already on draft shipments."""
    rows = uow.session.execute(
        select(ShipmentLine.order_line_id, ShipmentLine.quantity)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            Shipment.company_id == order.company_id,
            Shipment.order_id == order.id,
            Shipment.status == ShipmentStatus.DRAFT.value,
        )
    )
    planned: dict[int, Decimal] = {}
    for line_id, quantity in rows:
        planned[line_id] = planned.get(line_id, Decimal(0)) + quantity
    return planned


def ship(
    uow: UnitOfWork,
    actor: Actor,
    shipment_id: int,
    ship_date: date | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
) -> Shipment:
    """Send a draft shipment: stock goes out, the order counts the units shipped.

    All or nothing: if a line exceeds what the order still has to ship or what stock can
    give, nothing moves. The carrier and tracking number are often known only when the
    parcel leaves, so they can be given here too (None keeps what the plan said).
    """
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        order_id = _shipment(uow, actor.company_id, shipment_id).order_id
    require_credit(uow, actor, order_id, Stage.SHIPMENT)
    with uow:
        shipment = _lock_shipment(uow, actor.company_id, shipment_id)
        status = transition(ShipmentStatus(shipment.status), ShipmentStatus.SHIPPED)
        day = ship_date or shipment.ship_date or uow.clock.today()
        quantities = {line.order_line_id: line.quantity for line in shipment.lines}
        from_reservation = record_shipped(uow, actor, shipment.order_id, quantities)
        order = get_order(uow, actor, shipment.order_id)
        stocked = {line.id for line in order.lines if line.stocked}
        goods = [line for line in shipment.lines if line.order_line_id in stocked]
        warehouse_id = shipment.warehouse_id
        if goods and warehouse_id is None:
            raise ValidationFailed([FieldError("warehouse_id", "stocked lines need a warehouse")])
        ship_stock(
            uow,
            actor,
            [
                ShipLine(
                    line.product_id,
                    warehouse_id,
                    line.quantity,
                    from_reservation[line.order_line_id],
                )
                for line in goods
                if warehouse_id is not None
            ],
            reference=shipment.number,
            on=day,
        )
        shipment.status = status.value
        shipment.ship_date = day
        shipment.shipped_at = uow.clock.now()
        shipment.carrier = carrier or shipment.carrier
        shipment.tracking = tracking or shipment.tracking
        audit(uow, actor, "shipment.ship", "shipment", shipment.id, _summary(shipment))
        uow.publish(actor.company_id, "shipment.shipped", _summary(shipment))
        uow.commit()
        return shipment


def confirm_delivery(
    uow: UnitOfWork, actor: Actor, shipment_id: int, delivered_on: date | None = None
) -> Shipment:
    """Record that the customer received a shipped shipment (proof of delivery)."""
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        shipment = _lock_shipment(uow, actor.company_id, shipment_id)
        status = transition(ShipmentStatus(shipment.status), ShipmentStatus.DELIVERED)
        day = delivered_on or uow.clock.today()
        if shipment.ship_date is not None and day < shipment.ship_date:
            raise ValidationFailed(
                [FieldError("delivered_on", f"cannot be before the ship date {shipment.ship_date}")]
            )
        shipment.status = status.value
        shipment.delivered_on = day
        audit(uow, actor, "shipment.deliver", "shipment", shipment.id, {"delivered_on": str(day)})
        uow.publish(actor.company_id, "shipment.delivered", _summary(shipment))
        uow.commit()
        return shipment


def cancel_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    """Drop a draft shipment; its units become free to plan again."""
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        shipment = _lock_shipment(uow, actor.company_id, shipment_id)
        shipment.status = transition(
            ShipmentStatus(shipment.status), ShipmentStatus.CANCELLED
        ).value
        audit(uow, actor, "shipment.cancel", "shipment", shipment.id)
        uow.publish(actor.company_id, "shipment.cancelled", _summary(shipment))
        uow.commit()
        return shipment


def get_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    """A shipment with its lines (loaded, so they can be read after the unit of work ends)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _shipment(uow, actor.company_id, shipment_id)


def list_shipments(
    uow: UnitOfWork,
    actor: Actor,
    where: ShipmentFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Shipment], int]:
    """One page of shipments, newest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    where = where or ShipmentFilter()
    conditions = [Shipment.company_id == actor.company_id]
    if where.order_id is not None:
        conditions.append(Shipment.order_id == where.order_id)
    if where.customer_id is not None:
        conditions.append(Shipment.customer_id == where.customer_id)
    if where.statuses:
        conditions.append(Shipment.status.in_([s.value for s in where.statuses]))
    if where.date_from is not None:
        conditions.append(Shipment.ship_date >= where.date_from)
    if where.date_to is not None:
        conditions.append(Shipment.ship_date <= where.date_to)
    if where.uninvoiced:
        conditions.append(Shipment.status.in_([s.value for s in INVOICEABLE]))
        conditions.append(
            exists().where(
                ShipmentLine.shipment_id == Shipment.id,
                ShipmentLine.quantity_invoiced < ShipmentLine.quantity,
            )
        )
    with uow:
        count = uow.session.scalar(select(func.count()).select_from(Shipment).where(*conditions))
        shipments = uow.session.scalars(
            select(Shipment)
            .where(*conditions)
            .order_by(Shipment.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(shipments), count or 0


# ---- billing ----------------------------------------------------------------------------


def uninvoiced_shipment_lines(
    uow: UnitOfWork, actor: Actor, shipment_id: int
) -> list[ShipmentBillableLine]:
    """What of a shipped shipment is still to be invoiced, with its order lines' prices."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        shipment = _shipment(uow, actor.company_id, shipment_id)
        if ShipmentStatus(shipment.status) not in INVOICEABLE:
            return []
        order = get_order(uow, actor, shipment.order_id)
        order_lines = {line.id: line for line in order.lines}
        result = []
        for line in shipment.lines:
            if line.quantity_invoiced >= line.quantity:
                continue
            base = billable_line(
                order, order_lines[line.order_line_id], line.quantity - line.quantity_invoiced
            )
            values = {f.name: getattr(base, f.name) for f in fields(base)}
            result.append(
                ShipmentBillableLine(**values, shipment_id=shipment.id, shipment_line_id=line.id)
            )
        return result


def record_shipment_invoiced(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    """Mark what was left to invoice on a shipment as invoiced, on the order too.

    Billing calls this in the transaction that posts the invoice built from
    `uninvoiced_shipment_lines`; a shipment with nothing left is refused, so it is never
    billed twice.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        shipment = _lock_shipment(uow, actor.company_id, shipment_id)
        if ShipmentStatus(shipment.status) not in INVOICEABLE:
            raise InvalidTransition(
                f"shipment {shipment.number} is {shipment.status}: only shipped goods are invoiced"
            )
        open_lines = [line for line in shipment.lines if line.quantity_invoiced < line.quantity]
        if not open_lines:
            raise InvalidTransition(f"shipment {shipment.number} is invoiced already")
        record_invoiced(
            uow,
            actor,
            shipment.order_id,
            {line.order_line_id: line.quantity - line.quantity_invoiced for line in open_lines},
        )
        for line in open_lines:
            line.quantity_invoiced = line.quantity
        audit(uow, actor, "shipment.invoiced", "shipment", shipment.id, _summary(shipment))
        uow.publish(actor.company_id, "shipment.invoiced", _summary(shipment))
        uow.commit()
        return shipment


# ---- loading ----------------------------------------------------------------------------


def _shipment(uow: UnitOfWork, company_id: int, shipment_id: int) -> Shipment:
    return owned(uow.session, Shipment, company_id, shipment_id, "shipment")


def _lock_shipment(uow: UnitOfWork, company_id: int, shipment_id: int) -> Shipment:
    shipment = uow.session.scalar(
        select(Shipment)
        .where(Shipment.id == shipment_id, Shipment.company_id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shipment is None:
        raise NotFound("shipment", shipment_id)
    return shipment


def _summary(shipment: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": shipment.id,
        "number": shipment.number,
        "order_id": shipment.order_id,
        "status": shipment.status,
        "ship_date": shipment.ship_date.isoformat() if shipment.ship_date else None,
        "carrier": shipment.carrier,
        "tracking": shipment.tracking,
        "lines": [
            {"order_line_id": line.order_line_id, "quantity": str(line.quantity)}
            for line in shipment.lines
        ],
    }


def _earlier(
    uow: UnitOfWork, actor: Actor, idempotency_key: str | None, fingerprint: str
) -> int | None:
    if idempotency_key is None:
        return None
    return previous_result(
        uow.session, actor.company_id, "shipment.create", idempotency_key, fingerprint
    )


def _fingerprint(*parts: object) -> str:
    body = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
