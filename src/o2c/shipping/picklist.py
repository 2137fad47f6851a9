"""Pick lists: what to take from the shelves of one warehouse for the shipments planned there.

A draft shipment is the plan of what leaves; its lines, for every draft shipment of the
warehouse, sorted by where the goods lie, are the picker's walk. The list is read-only: it
changes nothing, and picking is confirmed by shipping the shipment.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from o2c.catalog.service import get_products
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.inventory.model import show
from o2c.inventory.service import locations
from o2c.inventory.tables import Warehouse
from o2c.notify.pdf import PrintedDocument
from o2c.orders.tables import SalesOrder
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Permission
from o2c.shipping.model import ShipmentStatus
from o2c.shipping.tables import Shipment, ShipmentLine


@dataclass(frozen=True)
class PickLine:
    location: str | None
    sku: str
    product: str
    quantity: Decimal
    shipment: str
    order: str
    customer: str


@dataclass(frozen=True)
class PickList:
    warehouse_code: str
    warehouse_name: str
    made_at: datetime
    lines: tuple[PickLine, ...]


def pick_list(uow: UnitOfWork, actor: Actor, warehouse_id: int) -> PickList:
    """Every line of the warehouse's draft shipments, in walking order: location, then SKU.

    Lines without a location come last, so the known shelves are walked first.
    """
    actor.require(Permission.LEDGER_READ)
    with uow:
        warehouse = owned(uow.session, Warehouse, actor.company_id, warehouse_id, "warehouse")
        rows = uow.session.execute(
            select(
                ShipmentLine.product_id,
                ShipmentLine.quantity,
                Shipment.number,
                SalesOrder.number,
                Customer.code,
            )
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .join(SalesOrder, SalesOrder.id == Shipment.order_id)
            .join(Customer, Customer.id == Shipment.customer_id)
            .where(
                Shipment.company_id == actor.company_id,
                Shipment.warehouse_id == warehouse_id,
                Shipment.status == ShipmentStatus.DRAFT.value,
            )
            .order_by(Shipment.id, ShipmentLine.id)
        ).all()
        product_ids = {row[0] for row in rows}
        products = get_products(uow, actor.company_id, product_ids)
        places = locations(uow, actor.company_id, warehouse_id, product_ids)
        lines = [
            PickLine(
                places.get(product_id),
                products[product_id].sku,
                products[product_id].name,
                quantity,
                shipment,
                order,
                customer,
            )
            for product_id, quantity, shipment, order, customer in rows
        ]
        lines.sort(key=lambda li: (li.location is None, li.location or "", li.sku))
        return PickList(warehouse.code, warehouse.name, uow.clock.now(), tuple(lines))


HEADERS = ("location", "sku", "product", "quantity", "shipment", "order", "customer")


def pick_list_csv(picks: PickList) -> str:
    """The list as CSV with a header row, for a handheld scanner or a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    for li in picks.lines:
        writer.writerow(
            (
                li.location or "",
                li.sku,
                li.product,
                show(li.quantity),
                li.shipment,
                li.order,
                li.customer,
            )
        )
    return out.getvalue()


def pick_list_pdf(picks: PickList) -> bytes:
    """The list printed on A4 for a picker without a scanner, with a tick column."""
    title = f"Pick list {picks.warehouse_code}"
    document = PrintedDocument(title=title, author="o2c", created=picks.made_at)
    document.heading(f"{title} - {picks.warehouse_name}")
    document.small(f"{picks.made_at:%Y-%m-%d %H:%M} UTC, {len(picks.lines)} lines")
    document.space()
    rows = [
        (li.location or "", li.sku, li.product, show(li.quantity), li.shipment, li.customer, "")
        for li in picks.lines
    ]
    document.table(
        ("Location", "SKU", "Product", "Qty", "Shipment", "Customer", "Picked"),
        rows,
        widths=(20, 24, 44, 14, 30, 22, 16),
        align=("L", "L", "L", "R", "L", "L", "C"),
    )
    return document.output()
