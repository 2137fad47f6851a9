"""Inventory use cases: warehouses, physical moves, reservations for orders, availability.

Every change to a stock level locks its row first (`SELECT ... FOR UPDATE`, in product and
warehouse order so that concurrent callers never deadlock), so on PostgreSQL two orders racing
for the last units are served one after the other and only the first gets them. Only stocked
products are tracked here; callers skip lines of services and other unstocked products.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from o2c.catalog.service import get_products
from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.inventory.model import (
    MoveKind,
    StockPosition,
    issue_problem,
    quantity_problem,
    reservable,
    show,
)
from o2c.inventory.tables import StockLevel, StockMove, Warehouse
from o2c.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

LevelKey = tuple[int, int]


@dataclass(frozen=True)
class StockQuantity:
    """A quantity of one product in one warehouse: what to reserve or release."""

    product_id: int
    warehouse_id: int
    quantity: Decimal


@dataclass(frozen=True)
class ShipLine:
    """Units leaving a warehouse; `from_reservation` of them were reserved for the order."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    from_reservation: Decimal = Decimal(0)


@dataclass(frozen=True)
class MoveCommand:
    """A receipt, return or adjustment (signed) of one product in one warehouse."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    reason: str | None = None
    reference: str | None = None
    move_date: date | None = None


@dataclass(frozen=True)
class Availability:
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


def create_warehouse(
    uow: UnitOfWork, actor: Actor, code: str, name: str, allow_negative: bool = False
) -> Warehouse:
    """Add a stock location; `allow_negative` suits drop-ship or not-yet-booked stock."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = []
    if not code.strip():
        errors.append(FieldError("code", "must not be empty"))
    if not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if errors:
        raise ValidationFailed(errors)
    with uow:
        taken = uow.session.scalar(
            select(Warehouse.id).where(
                Warehouse.company_id == actor.company_id, Warehouse.code == code
            )
        )
        if taken is not None:
            raise Conflict(f"warehouse {code!r} already exists")
        warehouse = Warehouse(
            company_id=actor.company_id,
            code=code,
            name=name,
            allow_negative=allow_negative,
            active=True,
        )
        uow.session.add(warehouse)
        uow.session.flush()
        audit(uow, actor, "warehouse.create", "warehouse", warehouse.id, {"code": code})
        uow.commit()
        return warehouse


def list_warehouses(uow: UnitOfWork, actor: Actor) -> list[Warehouse]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(Warehouse)
                .where(Warehouse.company_id == actor.company_id)
                .order_by(Warehouse.code)
            )
        )


def get_warehouse(uow: UnitOfWork, actor: Actor, warehouse_id: int) -> Warehouse:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _warehouse(uow, actor.company_id, warehouse_id)


def receive_stock(
    uow: UnitOfWork, actor: Actor, command: MoveCommand, idempotency_key: str | None = None
) -> StockMove:
    """Book goods in: on hand grows by the (positive) quantity."""
    return _book_move(uow, actor, MoveKind.RECEIPT, command, idempotency_key)


def return_stock(
    uow: UnitOfWork, actor: Actor, command: MoveCommand, idempotency_key: str | None = None
) -> StockMove:
    """Book a customer's return back into stock (positive quantity)."""
    return _book_move(uow, actor, MoveKind.RETURN, command, idempotency_key)


def adjust_stock(
    uow: UnitOfWork, actor: Actor, command: MoveCommand, idempotency_key: str | None = None
) -> StockMove:
    """Correct on hand after a count or damage; signed quantity, and the reason is required."""
    return _book_move(uow, actor, MoveKind.ADJUSTMENT, command, idempotency_key)


def _book_move(
    uow: UnitOfWork,
    actor: Actor,
    kind: MoveKind,
    command: MoveCommand,
    idempotency_key: str | None,
) -> StockMove:
    actor.require(Permission.SHIPMENT_WRITE)
    scope = f"stock.{kind.value}"
    fingerprint = _fingerprint(command)
    try:
        return _new_move(uow, actor, kind, command, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its move.
        with uow:
            earlier = _earlier(uow, actor, scope, idempotency_key, fingerprint)
            if earlier is None:
                raise
            return _move(uow, actor.company_id, earlier)


def _new_move(
    uow: UnitOfWork,
    actor: Actor,
    kind: MoveKind,
    command: MoveCommand,
    idempotency_key: str | None,
    fingerprint: str,
) -> StockMove:
    scope = f"stock.{kind.value}"
    with uow:
        earlier = _earlier(uow, actor, scope, idempotency_key, fingerprint)
        if earlier is not None:
            return _move(uow, actor.company_id, earlier)
        _check_move(uow, actor.company_id, kind, command)
        _change_on_hand(uow, actor.company_id, command)
        move = StockMove(
            company_id=actor.company_id,
            product_id=command.product_id,
            warehouse_id=command.warehouse_id,
            kind=kind.value,
            quantity=command.quantity,
            reason=command.reason,
            reference=command.reference,
            move_date=command.move_date or uow.clock.today(),
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(move)
        uow.session.flush()
        if idempotency_key is not None:
            remember_result(
                uow.session,
                actor.company_id,
                scope,
                idempotency_key,
                fingerprint,
                move.id,
                uow.clock.now(),
            )
        data = _move_data(move)
        audit(uow, actor, f"stock.{kind.value}", "stock_move", move.id, data)
        uow.publish(actor.company_id, _TOPICS[kind], {"move_id": move.id, **data})
        uow.commit()
        return move


def _change_on_hand(uow: UnitOfWork, company_id: int, command: MoveCommand) -> None:
    warehouse = _warehouse(uow, company_id, command.warehouse_id)
    key = (command.product_id, command.warehouse_id)
    level = _lock_levels(uow, company_id, [key])[key]
    on_hand = level.on_hand + command.quantity
    if on_hand < 0 and not warehouse.allow_negative:
        reason = f"would leave {show(on_hand)} on hand; stock cannot go negative"
        raise ValidationFailed([FieldError("quantity", reason)])
    level.on_hand = on_hand


_TOPICS = {
    MoveKind.RECEIPT: "stock.received",
    MoveKind.RETURN: "stock.returned",
    MoveKind.ADJUSTMENT: "stock.adjusted",
}


def _check_move(uow: UnitOfWork, company_id: int, kind: MoveKind, command: MoveCommand) -> None:
    errors = []
    problem = quantity_problem(command.quantity, signed=kind is MoveKind.ADJUSTMENT)
    if problem:
        errors.append(FieldError("quantity", problem))
    if kind is MoveKind.ADJUSTMENT and not (command.reason or "").strip():
        errors.append(FieldError("reason", "an adjustment needs a reason"))
    errors.extend(_product_errors(uow, company_id, [command.product_id], "product_id"))
    if errors:
        raise ValidationFailed(errors)


def _move_data(move: StockMove) -> dict[str, Any]:
    return {
        "product_id": move.product_id,
        "warehouse_id": move.warehouse_id,
        "quantity": str(move.quantity),
        "reason": move.reason,
        "reference": move.reference,
        "move_date": move.move_date.isoformat(),
    }


def reserve(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    warehouse_id: int,
    quantity: Decimal,
    partial: bool = False,
) -> Decimal:
    """Earmark units for an order; returns how many were reserved.

    Refuses when fewer are available, unless `partial`, which reserves what there is (the
    rest is the caller's backorder).
    """
    [reserved] = reserve_many(
        uow, actor, [StockQuantity(product_id, warehouse_id, quantity)], partial
    )
    return reserved


def reserve_many(
    uow: UnitOfWork, actor: Actor, requests: Sequence[StockQuantity], partial: bool = False
) -> list[Decimal]:
    """Reserve for several lines at once, in request order; returns what each got."""
    actor.require(Permission.ORDER_WRITE)
    if not requests:
        return []
    with uow:
        _check_quantities(uow, actor.company_id, requests)
        levels = _lock_levels(
            uow, actor.company_id, [(r.product_id, r.warehouse_id) for r in requests]
        )
        negative_ok = _negative_allowed(uow, actor.company_id, requests)
        granted = []
        errors = []
        for index, request in enumerate(requests):
            level = levels[(request.product_id, request.warehouse_id)]
            position = StockPosition(level.on_hand, level.reserved)
            got = reservable(position, request.quantity, negative_ok[request.warehouse_id])
            if got < request.quantity and not partial:
                errors.append(
                    FieldError(
                        f"lines[{index}].quantity",
                        f"only {show(position.available)} available"
                        f" of product {request.product_id}",
                    )
                )
            level.reserved += got
            granted.append(got)
        if errors:
            raise ValidationFailed(errors)
        uow.commit()
        return granted


def release_reservation(
    uow: UnitOfWork, actor: Actor, product_id: int, warehouse_id: int, quantity: Decimal
) -> None:
    """Give reserved units back to availability (a cancelled or short-closed order)."""
    release_many(uow, actor, [StockQuantity(product_id, warehouse_id, quantity)])


def release_many(uow: UnitOfWork, actor: Actor, releases: Sequence[StockQuantity]) -> None:
    actor.require(Permission.ORDER_WRITE)
    if not releases:
        return
    with uow:
        _check_quantities(uow, actor.company_id, releases)
        levels = _lock_levels(
            uow, actor.company_id, [(r.product_id, r.warehouse_id) for r in releases]
        )
        errors = []
        for index, release in enumerate(releases):
            level = levels[(release.product_id, release.warehouse_id)]
            if release.quantity > level.reserved:
                errors.append(
                    FieldError(
                        f"lines[{index}].quantity",
                        f"only {show(level.reserved)} reserved of product {release.product_id}",
                    )
                )
            else:
                level.reserved -= release.quantity
        if errors:
            raise ValidationFailed(errors)
        uow.commit()


def ship_stock(
    uow: UnitOfWork,
    actor: Actor,
    lines: Sequence[ShipLine],
    reference: str,
    on: date | None = None,
) -> list[int]:
    """Take shipped units out of stock, consuming their reservations; returns the move ids.

    All lines or none: stock never goes negative unless the warehouse allows it, and units
    that were not reserved come only from what is available.
    """
    actor.require(Permission.SHIPMENT_WRITE)
    if not lines:
        return []
    with uow:
        _check_quantities(uow, actor.company_id, lines)
        levels = _lock_levels(
            uow, actor.company_id, [(li.product_id, li.warehouse_id) for li in lines]
        )
        negative_ok = _negative_allowed(uow, actor.company_id, lines)
        errors = []
        for index, line in enumerate(lines):
            level = levels[(line.product_id, line.warehouse_id)]
            position = StockPosition(level.on_hand, level.reserved)
            problem = issue_problem(
                position, line.quantity, line.from_reservation, negative_ok[line.warehouse_id]
            )
            if problem:
                errors.append(
                    FieldError(f"lines[{index}].quantity", f"product {line.product_id}: {problem}")
                )
                continue
            level.on_hand -= line.quantity
            level.reserved -= line.from_reservation
        if errors:
            raise ValidationFailed(errors)
        move_ids = _insert_shipment_moves(uow, actor, lines, reference, on or uow.clock.today())
        uow.commit()
        return move_ids


def _insert_shipment_moves(
    uow: UnitOfWork, actor: Actor, lines: Sequence[ShipLine], reference: str, on: date
) -> list[int]:
    now = uow.clock.now()
    rows = [
        {
            "company_id": actor.company_id,
            "product_id": line.product_id,
            "warehouse_id": line.warehouse_id,
            "kind": MoveKind.SHIPMENT.value,
            "quantity": -line.quantity,
            "reason": None,
            "reference": reference,
            "move_date": on,
            "created_at": now,
            "created_by": actor.name,
        }
        for line in lines
    ]
    returning = insert(StockMove).returning(StockMove.id, sort_by_parameter_order=True)
    return list(uow.session.scalars(returning, rows))


def availability(uow: UnitOfWork, actor: Actor, product_id: int) -> list[Availability]:
    """On hand, reserved and available of one product in every active warehouse."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        errors = _product_errors(uow, actor.company_id, [product_id], "product_id")
        if errors:
            raise ValidationFailed(errors)
        rows = uow.session.execute(
            select(Warehouse.id, Warehouse.code, StockLevel.on_hand, StockLevel.reserved)
            .outerjoin(
                StockLevel,
                (StockLevel.warehouse_id == Warehouse.id)
                & (StockLevel.product_id == product_id)
                & (StockLevel.company_id == actor.company_id),
            )
            .where(Warehouse.company_id == actor.company_id, Warehouse.active.is_(True))
            .order_by(Warehouse.code)
        ).all()
        result = []
        for warehouse_id, code, on_hand, reserved in rows:
            position = StockPosition(on_hand or Decimal(0), reserved or Decimal(0))
            result.append(
                Availability(
                    warehouse_id, code, position.on_hand, position.reserved, position.available
                )
            )
        return result


def set_location(
    uow: UnitOfWork, actor: Actor, product_id: int, warehouse_id: int, location: str | None
) -> None:
    """Record where a product lies in a warehouse (None: nowhere in particular)."""
    actor.require(Permission.MASTER_DATA_WRITE)
    place = (location or "").strip() or None
    if place is not None and len(place) > 30:
        raise ValidationFailed([FieldError("location", "at most 30 characters")])
    with uow:
        errors = _product_errors(uow, actor.company_id, [product_id], "product_id")
        if errors:
            raise ValidationFailed(errors)
        _warehouse(uow, actor.company_id, warehouse_id)
        key = (product_id, warehouse_id)
        level = _lock_levels(uow, actor.company_id, [key])[key]
        level.location = place
        audit(
            uow,
            actor,
            "stock.locate",
            "stock_level",
            level.id,
            {"product_id": product_id, "warehouse_id": warehouse_id, "location": place},
        )
        uow.commit()


def locations(
    uow: UnitOfWork, company_id: int, warehouse_id: int, product_ids: Iterable[int]
) -> dict[int, str]:
    """Where each of the products lies in the warehouse, for those that have a place."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(StockLevel.product_id, StockLevel.location).where(
            StockLevel.company_id == company_id,
            StockLevel.warehouse_id == warehouse_id,
            StockLevel.product_id.in_(wanted),
            StockLevel.location.is_not(None),
        )
    )
    return {row.product_id: row.location for row in rows}


def list_moves(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    warehouse_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StockMove]:
    """A product's stock history, newest first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        query = select(StockMove).where(
            StockMove.company_id == actor.company_id, StockMove.product_id == product_id
        )
        if warehouse_id is not None:
            query = query.where(StockMove.warehouse_id == warehouse_id)
        return list(
            uow.session.scalars(
                query.order_by(StockMove.move_date.desc(), StockMove.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )


def _check_quantities(
    uow: UnitOfWork, company_id: int, lines: Sequence[StockQuantity | ShipLine]
) -> None:
    errors = []
    for index, line in enumerate(lines):
        problem = quantity_problem(line.quantity)
        if problem:
            errors.append(FieldError(f"lines[{index}].quantity", problem))
        reservation = getattr(line, "from_reservation", Decimal(0))
        if reservation < 0:
            errors.append(FieldError(f"lines[{index}].from_reservation", "must not be negative"))
    errors.extend(_product_errors(uow, company_id, [li.product_id for li in lines], "product_id"))
    if errors:
        raise ValidationFailed(errors)


def _product_errors(
    uow: UnitOfWork, company_id: int, product_ids: Iterable[int], field: str
) -> list[FieldError]:
    """Products must exist in the company and be stocked to have stock at all."""
    wanted = set(product_ids)
    products = get_products(uow, company_id, wanted)
    errors = []
    for product_id in sorted(wanted):
        product = products.get(product_id)
        if product is None:
            errors.append(FieldError(field, f"product {product_id} not found"))
        elif not product.stocked:
            errors.append(FieldError(field, f"product {product.sku} is not stocked"))
    return errors


def _warehouse(uow: UnitOfWork, company_id: int, warehouse_id: int) -> Warehouse:
    return owned(uow.session, Warehouse, company_id, warehouse_id, "warehouse")


def _negative_allowed(
    uow: UnitOfWork, company_id: int, lines: Sequence[StockQuantity | ShipLine]
) -> dict[int, bool]:
    ids = {line.warehouse_id for line in lines}
    rows = uow.session.execute(
        select(Warehouse.id, Warehouse.allow_negative).where(
            Warehouse.company_id == company_id, Warehouse.id.in_(ids)
        )
    )
    found: dict[int, bool] = {row[0]: row[1] for row in rows}
    missing = ids - found.keys()
    if missing:
        raise NotFound("warehouse", min(missing))
    return found


def _lock_levels(
    uow: UnitOfWork, company_id: int, keys: Iterable[LevelKey]
) -> dict[LevelKey, StockLevel]:
    """Row-lock the stock levels of `keys` (creating missing ones), in key order.

    A missing level is inserted with ON CONFLICT DO NOTHING, so two transactions creating
    the same level do not fail: the second waits for the first and then locks its row.
    """
    wanted = sorted(set(keys))
    levels = _select_levels(uow, company_id, wanted)
    missing = [key for key in wanted if key not in levels]
    if missing:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = make_insert(StockLevel).on_conflict_do_nothing(
            index_elements=["company_id", "product_id", "warehouse_id"]
        )
        uow.session.execute(
            statement,
            [
                {
                    "company_id": company_id,
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "on_hand": Decimal(0),
                    "reserved": Decimal(0),
                }
                for product_id, warehouse_id in missing
            ],
        )
        levels.update(_select_levels(uow, company_id, missing))
    return levels


def _select_levels(
    uow: UnitOfWork, company_id: int, keys: Sequence[LevelKey]
) -> dict[LevelKey, StockLevel]:
    rows = uow.session.scalars(
        select(StockLevel)
        .where(
            StockLevel.company_id == company_id,
            tuple_(StockLevel.product_id, StockLevel.warehouse_id).in_(keys),
        )
        .order_by(StockLevel.product_id, StockLevel.warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {(level.product_id, level.warehouse_id): level for level in rows}


def _move(uow: UnitOfWork, company_id: int, move_id: int) -> StockMove:
    return owned(uow.session, StockMove, company_id, move_id, "stock move")


def _earlier(
    uow: UnitOfWork, actor: Actor, scope: str, idempotency_key: str | None, fingerprint: str
) -> int | None:
    if idempotency_key is None:
        return None
    return previous_result(uow.session, actor.company_id, scope, idempotency_key, fingerprint)


def _fingerprint(command: MoveCommand) -> str:
    body = json.dumps(asdict(command), default=str, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
