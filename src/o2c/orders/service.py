"""Order use cases: create and edit drafts, confirm (reserving stock), cancel, close, read.

Lines are resolved and priced when written (`orders.lines`) and frozen on the order.
Confirming reserves each stocked line in the order's warehouse; what is short is
backordered, not refused. Shipping and billing report their progress through
`record_shipped` and `record_invoiced`, from which the order's state follows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from o2c.credit.rules import Stage
from o2c.credit.service import require_no_hold
from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.inventory.model import show
from o2c.inventory.service import StockQuantity, release_many, reserve_many
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.orders.credit_check import require_credit
from o2c.orders.lines import OrderLineCreate as OrderLineCreate
from o2c.orders.lines import (
    ResolvedLine,
    header_errors,
    kept_lines,
    resolve_lines,
    set_lines,
)
from o2c.orders.model import (
    INVOICEABLE,
    SHIPPABLE,
    BillableLine,
    LineProgress,
    OrderStatus,
    backordered,
    line_problems,
    progress_status,
    require_status,
    transition,
)
from o2c.orders.numbering import ORDER_SERIES, next_number
from o2c.orders.pricing import prorate
from o2c.orders.tables import SalesOrder, SalesOrderLine
from o2c.parties.model import Customer
from o2c.parties.service import get_customer
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


@dataclass(frozen=True)
class OrderCreate:
    """A new draft order; `currency` defaults to the customer's, `order_date` to today."""

    customer_id: int
    lines: Sequence[OrderLineCreate]
    order_discount_percent: Decimal = Decimal(0)
    currency: str | None = None
    order_date: date | None = None
    warehouse_id: int | None = None
    po_number: str | None = None


@dataclass(frozen=True)
class OrderUpdate:
    """Changes to a draft; None leaves a field as it is, and `lines` replaces all lines."""

    lines: Sequence[OrderLineCreate] | None = None
    order_discount_percent: Decimal | None = None
    order_date: date | None = None
    warehouse_id: int | None = None
    po_number: str | None = None


@dataclass(frozen=True)
class OrderFilter:
    customer_id: int | None = None
    statuses: Sequence[OrderStatus] = field(default_factory=tuple)
    date_from: date | None = None
    date_to: date | None = None
    search: str | None = None
    """Part of the order number or the customer's PO number."""


def create_order(
    uow: UnitOfWork, actor: Actor, cmd: OrderCreate, idempotency_key: str | None = None
) -> SalesOrder:
    """Open a draft order, priced and numbered; a retry with the same key returns the first."""
    actor.require(Permission.ORDER_WRITE)
    fingerprint = _fingerprint(cmd)
    try:
        return _create_order(uow, actor, cmd, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its order.
        with uow:
            earlier = _earlier(uow, actor, idempotency_key, fingerprint)
            if earlier is None:
                raise
            return _order(uow, actor.company_id, earlier)


def _create_order(
    uow: UnitOfWork,
    actor: Actor,
    cmd: OrderCreate,
    idempotency_key: str | None,
    fingerprint: str,
) -> SalesOrder:
    with uow:
        earlier = _earlier(uow, actor, idempotency_key, fingerprint)
        if earlier is not None:
            return _order(uow, actor.company_id, earlier)
        customer, currency, resolved = _checked(uow, actor, cmd)
        order_date = cmd.order_date or uow.clock.today()
        now = uow.clock.now()
        order = SalesOrder(
            company_id=actor.company_id,
            number=next_number(uow, actor.company_id, ORDER_SERIES, order_date),
            customer_id=customer.id,
            status=OrderStatus.DRAFT.value,
            currency=currency,
            order_date=order_date,
            warehouse_id=cmd.warehouse_id,
            price_list_id=customer.price_list_id,
            po_number=cmd.po_number,
            order_discount_percent=cmd.order_discount_percent,
            created_at=now,
            created_by=actor.name,
            updated_at=now,
        )
        set_lines(order, resolved)
        uow.session.add(order)
        uow.session.flush()
        if idempotency_key is not None:
            remember_result(
                uow.session,
                actor.company_id,
                "order.create",
                idempotency_key,
                fingerprint,
                order.id,
                now,
            )
        audit(uow, actor, "order.create", "sales_order", order.id, _summary(order))
        uow.publish(actor.company_id, "order.created", _summary(order))
        uow.commit()
        return order


def _checked(
    uow: UnitOfWork, actor: Actor, cmd: OrderCreate
) -> tuple[Customer, str, list[ResolvedLine]]:
    """The order's customer, currency and resolved lines, or every problem of the command."""
    try:
        customer = get_customer(uow, actor, cmd.customer_id)
    except NotFound:
        raise ValidationFailed(
            [FieldError("customer_id", f"customer {cmd.customer_id} not found")]
        ) from None
    currency = cmd.currency or customer.currency
    errors = header_errors(uow, actor, currency, cmd.order_discount_percent, cmd.warehouse_id)
    if not customer.active:
        errors.append(FieldError("customer_id", f"customer {customer.code} is inactive"))
    if not cmd.lines:
        errors.append(FieldError("lines", "an order needs at least one line"))
    resolved, line_errors = resolve_lines(
        uow, actor.company_id, currency, customer.price_list_id, cmd.lines
    )
    if errors or line_errors:
        raise ValidationFailed(errors + line_errors)
    return customer, currency, resolved


def update_order(uow: UnitOfWork, actor: Actor, order_id: int, cmd: OrderUpdate) -> SalesOrder:
    """Change a draft order and price it again; confirmed orders are refused."""
    actor.require(Permission.ORDER_WRITE)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        require_status(OrderStatus(order.status), {OrderStatus.DRAFT}, "edit")
        discount = (
            order.order_discount_percent
            if cmd.order_discount_percent is None
            else cmd.order_discount_percent
        )
        errors = header_errors(uow, actor, order.currency, discount, cmd.warehouse_id)
        resolved: list[ResolvedLine] | None = None
        if cmd.lines is not None:
            if not cmd.lines:
                errors.append(FieldError("lines", "an order needs at least one line"))
            resolved, line_errors = resolve_lines(
                uow, actor.company_id, order.currency, order.price_list_id, cmd.lines
            )
            errors += line_errors
        if errors:
            raise ValidationFailed(errors)
        before = _summary(order)
        order.order_discount_percent = discount
        if cmd.order_date is not None:
            order.order_date = cmd.order_date
        if cmd.warehouse_id is not None:
            order.warehouse_id = cmd.warehouse_id
        if cmd.po_number is not None:
            order.po_number = cmd.po_number
        kept = kept_lines(order)
        order.lines = []
        uow.session.flush()  # old lines go before new ones reuse their numbers
        set_lines(order, resolved if resolved is not None else kept)
        order.updated_at = uow.clock.now()
        uow.session.flush()
        audit(
            uow,
            actor,
            "order.update",
            "sales_order",
            order.id,
            {"before": before, "after": _summary(order)},
        )
        uow.commit()
        return order


def confirm_order(uow: UnitOfWork, actor: Actor, order_id: int) -> SalesOrder:
    """Accept a draft: reserve its stocked lines in its warehouse, backordering what is short.

    A short line is not an error: it is confirmed with what could be reserved, the rest is
    reported in the `order.backordered` event and reserved later by `reserve_backorders`.
    """
    actor.require(Permission.ORDER_WRITE)
    require_credit(uow, actor, order_id, Stage.CONFIRMATION)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        transition(OrderStatus(order.status), OrderStatus.CONFIRMED)
        require_no_hold(uow, actor.company_id, order.customer_id)
        stocked = [line for line in order.lines if line.stocked]
        if stocked and order.warehouse_id is None:
            raise ValidationFailed(
                [FieldError("warehouse_id", "stocked lines need a warehouse to ship from")]
            )
        order.status = OrderStatus.CONFIRMED.value
        order.confirmed_at = order.updated_at = uow.clock.now()
        backorders = _reserve(uow, actor, order, stocked)
        audit(uow, actor, "order.confirm", "sales_order", order.id, {"backordered": backorders})
        uow.publish(actor.company_id, "order.confirmed", _summary(order))
        if backorders:
            uow.publish(
                actor.company_id,
                "order.backordered",
                {"order_id": order.id, "number": order.number, "lines": backorders},
            )
        uow.commit()
        return order


def reserve_backorders(uow: UnitOfWork, actor: Actor, order_id: int) -> SalesOrder:
    """Try again to reserve what an open order still lacks (after a receipt, say)."""
    actor.require(Permission.ORDER_WRITE)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        require_status(OrderStatus(order.status), SHIPPABLE, "reserve stock for")
        short = [line for line in order.lines if _short(order, line) > 0]
        still_short = _reserve(uow, actor, order, short)
        audit(uow, actor, "order.reserve", "sales_order", order.id, {"backordered": still_short})
        uow.commit()
        return order


def _short(order: SalesOrder, line: SalesOrderLine) -> Decimal:
    return backordered(
        OrderStatus(order.status),
        line.stocked,
        line.quantity,
        line.quantity_shipped,
        line.quantity_reserved,
    )


def _reserve(
    uow: UnitOfWork, actor: Actor, order: SalesOrder, lines: Sequence[SalesOrderLine]
) -> list[dict[str, object]]:
    """Reserve what each line lacks, as much as there is; returns what is still short."""
    if not lines:
        return []
    assert order.warehouse_id is not None
    wanted = [_short(order, line) for line in lines]
    granted = reserve_many(
        uow,
        actor,
        [
            StockQuantity(li.product_id, order.warehouse_id, q)
            for li, q in zip(lines, wanted, strict=True)
        ],
        partial=True,
    )
    short = []
    for line, want, got in zip(lines, wanted, granted, strict=True):
        line.quantity_reserved += got
        if got < want:
            short.append(
                {"line_id": line.id, "product_id": line.product_id, "quantity": show(want - got)}
            )
    return short


def cancel_order(uow: UnitOfWork, actor: Actor, order_id: int, reason: str = "") -> SalesOrder:
    """Cancel a draft or confirmed order, giving its reservations back to stock."""
    actor.require(Permission.ORDER_WRITE)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        transition(OrderStatus(order.status), OrderStatus.CANCELLED)
        _release(uow, actor, order)
        order.status = OrderStatus.CANCELLED.value
        order.updated_at = uow.clock.now()
        audit(uow, actor, "order.cancel", "sales_order", order.id, {"reason": reason})
        uow.publish(actor.company_id, "order.cancelled", {**_summary(order), "reason": reason})
        uow.commit()
        return order


def close_order(uow: UnitOfWork, actor: Actor, order_id: int) -> SalesOrder:
    """Archive a fully invoiced order once nothing of it is left to ship."""
    actor.require(Permission.ORDER_WRITE)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        transition(OrderStatus(order.status), OrderStatus.CLOSED)
        unshipped = [line.line_no for line in order.lines if line.quantity_shipped < line.quantity]
        if unshipped:
            raise InvalidTransition(
                f"order {order.number} still has lines to ship: {', '.join(map(str, unshipped))}"
            )
        order.status = OrderStatus.CLOSED.value
        order.updated_at = uow.clock.now()
        audit(uow, actor, "order.close", "sales_order", order.id)
        uow.publish(actor.company_id, "order.closed", _summary(order))
        uow.commit()
        return order


def _release(uow: UnitOfWork, actor: Actor, order: SalesOrder) -> None:
    held = [line for line in order.lines if line.quantity_reserved > 0]
    if not held:
        return
    assert order.warehouse_id is not None
    release_many(
        uow,
        actor,
        [StockQuantity(li.product_id, order.warehouse_id, li.quantity_reserved) for li in held],
    )
    for line in held:
        line.quantity_reserved = Decimal(0)


def get_order(uow: UnitOfWork, actor: Actor, order_id: int) -> SalesOrder:
    """An order with its lines (loaded, so they can be read after the unit of work ends)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        order = _order(uow, actor.company_id, order_id)
        actor.require_customer_scope(order.customer_id, "sales order", order_id)
        return order


def find_order(uow: UnitOfWork, actor: Actor, number: str) -> SalesOrder:
    actor.require(Permission.LEDGER_READ)
    with uow:
        order = uow.session.scalar(
            select(SalesOrder).where(
                SalesOrder.company_id == actor.company_id, SalesOrder.number == number
            )
        )
        if order is None:
            raise NotFound("sales order", number)
        actor.require_customer_scope(order.customer_id, "sales order", number)
        return order


def list_orders(
    uow: UnitOfWork,
    actor: Actor,
    where: OrderFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SalesOrder], int]:
    """One page of orders, newest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    where = where or OrderFilter()
    conditions = [SalesOrder.company_id == actor.company_id]
    customer_id = actor.customer_filter(where.customer_id)
    if customer_id is not None:
        conditions.append(SalesOrder.customer_id == customer_id)
    if where.statuses:
        conditions.append(SalesOrder.status.in_([s.value for s in where.statuses]))
    if where.date_from is not None:
        conditions.append(SalesOrder.order_date >= where.date_from)
    if where.date_to is not None:
        conditions.append(SalesOrder.order_date <= where.date_to)
    if where.search:
        pattern = f"%{where.search}%"
        conditions.append(
            or_(SalesOrder.number.ilike(pattern), SalesOrder.po_number.ilike(pattern))
        )
    with uow:
        count = (
            uow.session.scalar(select(func.count()).select_from(SalesOrder).where(*conditions)) or 0
        )
        orders = uow.session.scalars(
            select(SalesOrder)
            .where(*conditions)
            .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(orders), count


# ---- progress reported by shipping and billing ----------------------------------------


def record_shipped(
    uow: UnitOfWork, actor: Actor, order_id: int, quantities: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    """Count shipped units on the lines (order line id → quantity) and move the order's state.

    Returns, per line, how much of the shipped quantity came out of its reservation, for the
    caller to consume in stock (`inventory.service.ship_stock`) in the same transaction.
    """
    actor.require(Permission.SHIPMENT_WRITE)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        require_status(OrderStatus(order.status), SHIPPABLE, "ship")
        lines = _lines_for(order, quantities, lambda li: li.quantity - li.quantity_shipped)
        consumed: dict[int, Decimal] = {}
        for line in lines:
            quantity = quantities[line.id]
            taken = min(quantity, line.quantity_reserved)
            line.quantity_reserved -= taken
            line.quantity_shipped += quantity
            consumed[line.id] = taken
        _progress(uow, actor, order)
        uow.commit()
        return consumed


def record_invoiced(
    uow: UnitOfWork, actor: Actor, order_id: int, quantities: Mapping[int, Decimal]
) -> SalesOrder:
    """Count invoiced units on the lines (order line id → quantity); never beyond the order.

    Billing calls this in the transaction that posts the invoice, so the two stay in step.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        order = _lock_order(uow, actor.company_id, order_id)
        require_status(OrderStatus(order.status), INVOICEABLE, "invoice")
        for line in _lines_for(order, quantities, lambda li: li.quantity - li.quantity_invoiced):
            line.quantity_invoiced += quantities[line.id]
        _progress(uow, actor, order)
        uow.commit()
        return order


def uninvoiced_lines(uow: UnitOfWork, actor: Actor, order_id: int) -> list[BillableLine]:
    """What of a confirmed order is still to be invoiced (billing on order), line by line."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        order = _order(uow, actor.company_id, order_id)
        if OrderStatus(order.status) not in INVOICEABLE:
            return []
        return [
            billable_line(order, line, line.quantity - line.quantity_invoiced)
            for line in order.lines
            if line.quantity_invoiced < line.quantity
        ]


def billable_line(order: SalesOrder, line: SalesOrderLine, quantity: Decimal) -> BillableLine:
    """`quantity` of `line`, following what is invoiced already, as an invoice would take it."""
    done = line.quantity_invoiced
    return BillableLine(
        order_id=order.id,
        order_line_id=line.id,
        line_no=line.line_no,
        product_id=line.product_id,
        description=line.description,
        unit=line.unit,
        quantity=quantity,
        currency=order.currency,
        unit_price_minor=line.unit_price_minor,
        discount_percent=line.discount_percent,
        tax_category=line.tax_category,
        tax_percent=line.tax_percent,
        net_minor=prorate(line.line_net_minor, line.quantity, done, quantity),
        order_discount_minor=prorate(line.order_discount_minor, line.quantity, done, quantity),
    )


def _lines_for(
    order: SalesOrder,
    quantities: Mapping[int, Decimal],
    room: Callable[[SalesOrderLine], Decimal],
) -> list[SalesOrderLine]:
    """The lines named in `quantities`, after checking each quantity fits in `room(line)`."""
    by_id = {line.id: line for line in order.lines}
    errors = []
    if not quantities:
        errors.append(FieldError("lines", "no quantities given"))
    for line_id, quantity in quantities.items():
        line = by_id.get(line_id)
        where = f"lines[{line_id}]"
        if line is None:
            errors.append(FieldError(where, f"not a line of order {order.number}"))
            continue
        problem = line_problems(where, quantity, None, Decimal(0), order.currency)
        if problem:
            errors += problem
        elif quantity > room(line):
            errors.append(
                FieldError(
                    f"{where}.quantity", f"only {show(room(line))} left on line {line.line_no}"
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return [by_id[line_id] for line_id in quantities]


def _progress(uow: UnitOfWork, actor: Actor, order: SalesOrder) -> None:
    before = OrderStatus(order.status)
    after = progress_status(
        LineProgress(li.quantity, li.quantity_shipped, li.quantity_invoiced) for li in order.lines
    )
    if after != before:
        order.status = transition(before, after).value
    order.updated_at = uow.clock.now()
    lines = {
        str(li.id): {"shipped": str(li.quantity_shipped), "invoiced": str(li.quantity_invoiced)}
        for li in order.lines
    }
    audit(
        uow,
        actor,
        "order.progress",
        "sales_order",
        order.id,
        {"status": after.value, "lines": lines},
    )
    if after != before:
        uow.publish(actor.company_id, f"order.{after.value}", _summary(order))


# ---- loading ----------------------------------------------------------------------------


def _order(uow: UnitOfWork, company_id: int, order_id: int) -> SalesOrder:
    return owned(uow.session, SalesOrder, company_id, order_id, "sales order")


def _lock_order(uow: UnitOfWork, company_id: int, order_id: int) -> SalesOrder:
    """The order, row-locked until the transaction ends, with fresh lines."""
    order = uow.session.scalar(
        select(SalesOrder)
        .where(SalesOrder.id == order_id, SalesOrder.company_id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("sales order", order_id)
    return order


def _summary(order: SalesOrder) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "number": order.number,
        "customer_id": order.customer_id,
        "status": order.status,
        "currency": order.currency,
        "total_minor": order.total_minor,
    }


def _earlier(
    uow: UnitOfWork, actor: Actor, idempotency_key: str | None, fingerprint: str
) -> int | None:
    if idempotency_key is None:
        return None
    return previous_result(
        uow.session, actor.company_id, "order.create", idempotency_key, fingerprint
    )


def _fingerprint(cmd: OrderCreate) -> str:
    body = json.dumps(asdict(cmd), default=str, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
