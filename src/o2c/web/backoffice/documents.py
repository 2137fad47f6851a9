"""Orders and shipments: newest-first lists with a search, and each document's detail."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from o2c.app.web_auth import StaffActor
from o2c.db.deps import UowDep
from o2c.orders.service import OrderFilter, get_order, list_orders
from o2c.parties.service import get_customers
from o2c.shipping.service import ShipmentFilter, get_shipment, list_shipments
from o2c.web.backoffice.page import money, page

router = APIRouter()
PAGE_SIZE = 50


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    q: str = "",
    customer_id: int | None = None,
    offset: int = 0,
) -> HTMLResponse:
    where = OrderFilter(customer_id=customer_id, search=q.strip() or None)
    orders, total = list_orders(uow, actor, where, PAGE_SIZE, max(offset, 0))
    customers = get_customers(uow, actor.company_id, {o.customer_id for o in orders})
    context = {
        "title": "Sales orders",
        "rows": [
            (o, customers.get(o.customer_id), money(o.total_minor, o.currency)) for o in orders
        ],
        "total": total,
        "q": q,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    return page(request, actor, "orders.html", context)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, uow: UowDep, actor: StaffActor, order_id: int) -> HTMLResponse:
    order = get_order(uow, actor, order_id)
    customer = get_customers(uow, actor.company_id, [order.customer_id]).get(order.customer_id)
    shipments, _ = list_shipments(uow, actor, ShipmentFilter(order_id=order.id), PAGE_SIZE)
    context = {
        "title": f"Order {order.number}",
        "order": order,
        "customer": customer,
        "lines": [(line, money(line.line_net_minor, order.currency)) for line in order.lines],
        "net": money(order.net_minor, order.currency),
        "tax": money(order.tax_minor, order.currency),
        "total_amount": money(order.total_minor, order.currency),
        "shipments": shipments,
    }
    return page(request, actor, "order.html", context)


@router.get("/shipments", response_class=HTMLResponse)
def shipments_page(
    request: Request, uow: UowDep, actor: StaffActor, offset: int = 0
) -> HTMLResponse:
    shipments, total = list_shipments(uow, actor, ShipmentFilter(), PAGE_SIZE, max(offset, 0))
    customers = get_customers(uow, actor.company_id, {s.customer_id for s in shipments})
    context = {
        "title": "Shipments",
        "rows": [(s, customers.get(s.customer_id)) for s in shipments],
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    return page(request, actor, "shipments.html", context)


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment_page(
    request: Request, uow: UowDep, actor: StaffActor, shipment_id: int
) -> HTMLResponse:
    shipment = get_shipment(uow, actor, shipment_id)
    order = get_order(uow, actor, shipment.order_id)
    descriptions = {line.id: line.description for line in order.lines}
    context = {
        "title": f"Shipment {shipment.number}",
        "shipment": shipment,
        "order": order,
        "lines": [(line, descriptions.get(line.order_line_id, "")) for line in shipment.lines],
    }
    return page(request, actor, "shipment.html", context)
