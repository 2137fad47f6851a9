"""Credit holds: customers on hold and held orders; releasing (or rejecting) with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.credit.holds import HoldStatus, list_order_holds, reasons_of
from o2c.credit.service import active_holds, release_hold
from o2c.db.deps import UowDep
from o2c.kernel.errors import O2CError
from o2c.orders.credit_decisions import reject_order, release_order
from o2c.parties.service import get_customers
from o2c.security.model import Permission
from o2c.web.backoffice.page import done, money, page, refused

router = APIRouter()


@router.get("/credit", response_class=HTMLResponse)
def holds_page(request: Request, uow: UowDep, actor: StaffActor) -> HTMLResponse:
    holds = active_holds(uow, actor)
    orders = list_order_holds(uow, actor, HoldStatus.HELD)
    ids = set(holds) | {o.customer_id for o in orders}
    customers = get_customers(uow, actor.company_id, ids)
    rows = [(hold, customers.get(cid)) for cid, hold in sorted(holds.items())]
    context = {
        "title": "Credit holds",
        "rows": rows,
        "orders": [
            (o, customers.get(o.customer_id), money(o.order_minor, o.currency), reasons_of(o))
            for o in orders
        ],
        "can_release": actor.can(Permission.CREDIT_HOLD),
    }
    return page(request, actor, "credit.html", context)


@router.post("/credit/{customer_id}/release", dependencies=[CsrfChecked])
def post_release(
    uow: UowDep,
    actor: StaffActor,
    customer_id: int,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    try:
        release_hold(uow, actor, customer_id, reason)
    except O2CError as error:
        return refused("/app/credit", error)
    return done("/app/credit", "Hold released; orders can be confirmed again.")


@router.post("/credit/orders/{hold_id}/decide", dependencies=[CsrfChecked])
def post_order_decision(
    uow: UowDep,
    actor: StaffActor,
    hold_id: int,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    """Release a held order (confirmed at once if it was held at confirmation) or reject it
    (cancelled)."""
    try:
        if decision == "release":
            hold = release_order(uow, actor, hold_id, reason)
            message = f"Order {hold.order_number} released."
        elif decision == "reject":
            hold = reject_order(uow, actor, hold_id, reason)
            message = f"Order {hold.order_number} rejected and cancelled."
        else:
            return done("/app/credit", f"{decision} is not a decision", "error")
    except O2CError as error:
        return refused("/app/credit", error)
    return done("/app/credit", message)
