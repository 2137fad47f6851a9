"""Ordering from the customer's own price list and following orders and their shipments.

An order placed here is created and confirmed exactly as staff would (`orders.service`), so
the credit check and the stock reservation happen on the way; an order the credit check
stops stays a draft and the page says why.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, PortalActor
from o2c.catalog.service import get_price_list, get_products
from o2c.db.deps import UowDep
from o2c.inventory.service import list_warehouses
from o2c.kernel.errors import FieldError, NotFound, O2CError, ValidationFailed
from o2c.orders.lines import OrderLineCreate
from o2c.orders.service import (
    OrderCreate,
    OrderFilter,
    confirm_order,
    create_order,
    get_order,
    list_orders,
)
from o2c.orders.tables import SalesOrder
from o2c.parties.service import get_customer
from o2c.security.model import Actor
from o2c.shipping.service import ShipmentFilter, list_shipments
from o2c.web.flash import flash
from o2c.web.portal.page import customer_of, field_errors, money, on_behalf, page
from o2c.web.rendering import redirect

router = APIRouter()
FORM_LINES = 5


def _own_order(uow: UowDep, actor: Actor, order_id: int) -> SalesOrder:
    order = get_order(uow, actor, order_id)
    if order.customer_id != actor.customer_id:
        raise NotFound("order", order_id)
    return order


def _catalogue(uow: UowDep, actor: Actor) -> list[tuple[int, str, Decimal, str]]:
    """(product id, name, unit price, currency) of what the customer's price list offers."""
    customer = get_customer(uow, actor, customer_of(actor))
    if customer.price_list_id is None:
        return []
    prices = get_price_list(uow, actor, customer.price_list_id)
    with uow:
        products = get_products(uow, actor.company_id, [i.product_id for i in prices.items])
    offered: dict[int, tuple[int, str, Decimal, str]] = {}
    for item in sorted(prices.items, key=lambda i: i.min_quantity):
        product = products.get(item.product_id)
        if product is not None and item.product_id not in offered:
            name = f"{product.name} ({product.sku})"
            offered[item.product_id] = (item.product_id, name, item.price.amount, prices.currency)
    return sorted(offered.values(), key=lambda p: p[1])


@router.get("/orders", response_class=HTMLResponse)
def orders(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    customer_id = customer_of(actor)
    found, _ = list_orders(uow, actor, OrderFilter(customer_id=customer_id), limit=100)
    shipments, _ = list_shipments(uow, actor, ShipmentFilter(customer_id=customer_id), limit=100)
    context = {"title": "Orders", "orders": found, "shipments": shipments, "money": money}
    return page(request, uow, actor, "orders.html", context)


def _new_page(
    request: Request,
    uow: UowDep,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "title": "New order",
        "catalogue": _catalogue(uow, actor),
        "lines": range(FORM_LINES),
        "values": values,
        "errors": errors,
        "key": values.get("key") or uuid.uuid4().hex,
    }
    return page(request, uow, actor, "order_new.html", context, status_code)


@router.get("/orders/new", response_class=HTMLResponse)
def new_order(request: Request, uow: UowDep, actor: PortalActor) -> HTMLResponse:
    return _new_page(request, uow, actor, {}, {})


@router.post("/orders/new", dependencies=[CsrfChecked], response_model=None)
async def place_order(
    request: Request, uow: UowDep, actor: PortalActor
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    offered = {p[0] for p in _catalogue(uow, actor)}
    agent = on_behalf(actor)
    try:
        lines = _lines(values, offered)
        warehouses = list_warehouses(uow, actor)
        order = create_order(
            uow,
            agent,
            OrderCreate(
                customer_of(actor),
                lines,
                warehouse_id=warehouses[0].id if warehouses else None,
                po_number=values.get("po_number", "")[:60] or None,
            ),
            idempotency_key=f"portal-{values.get('key', '')[:80]}",
        )
    except ValidationFailed as error:
        return _new_page(request, uow, actor, values, field_errors(error), 422)
    response = redirect(f"/portal/orders/{order.id}")
    try:
        confirm_order(uow, agent, order.id)
    except O2CError as error:
        flash(
            response, f"Order {order.number} is waiting for our review: {error.detail}", "warning"
        )
        return response
    flash(response, f"Thank you: order {order.number} is confirmed.")
    return response


def _lines(values: dict[str, str], offered: set[int]) -> list[OrderLineCreate]:
    lines, errors = [], []
    for index in range(FORM_LINES):
        product, quantity = values.get(f"product_{index}", ""), values.get(f"quantity_{index}", "")
        if not product:
            continue
        try:
            amount = Decimal(quantity.strip().replace(",", "."))
        except InvalidOperation:
            amount = Decimal(0)
        if not product.isdigit() or int(product) not in offered:
            errors.append(FieldError(f"product_{index}", "not on your price list"))
        elif not amount.is_finite() or amount <= 0:
            errors.append(FieldError(f"quantity_{index}", "a quantity above zero"))
        else:
            lines.append(OrderLineCreate(int(product), amount))
    if not lines and not errors:
        errors.append(FieldError("product_0", "choose at least one product"))
    if errors:
        raise ValidationFailed(errors)
    return lines


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order(request: Request, uow: UowDep, actor: PortalActor, order_id: int) -> HTMLResponse:
    found = _own_order(uow, actor, order_id)
    shipments, _ = list_shipments(uow, actor, ShipmentFilter(order_id=found.id), limit=100)
    context = {
        "title": f"Order {found.number}",
        "order": found,
        "shipments": shipments,
        "money": money,
    }
    return page(request, uow, actor, "order.html", context)
