"""`o2c credit exposure|release-order|reject`: the credit commands that involve orders.

Merged into `o2c credit` by the composition root (credit, below orders, cannot hold them).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from o2c.credit.checking import CustomerExposure
from o2c.credit.exposure import Exposure
from o2c.credit.holds import active_hold_of_order
from o2c.db.deps import context_of
from o2c.kernel.errors import NotFound
from o2c.orders.credit_check import exposure_of
from o2c.orders.credit_decisions import reject_order, release_order
from o2c.parties.service import customer_codes, customer_ids

app = typer.Typer()


@app.command("exposure")
def exposure(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD")] = None,
) -> None:
    """A customer's credit exposure (and its group's) against the credit limit."""
    context = context_of(ctx.obj)
    actor = context.actor()
    found = customer_ids(context.uow(), actor.company_id, [customer])
    if customer not in found:
        raise NotFound("customer", customer)
    day = None if as_of is None else date.fromisoformat(as_of)
    result: CustomerExposure = exposure_of(context.uow(), actor, found[customer], day)
    typer.echo(_lines(customer, result.customer))
    if result.group is not None:
        codes = customer_codes(context.uow(), actor.company_id, result.group.customer_ids)
        members = ", ".join(codes.get(i, str(i)) for i in result.group.customer_ids)
        typer.echo(_lines(f"group {members}", result.group))


def _lines(title: str, e: Exposure) -> str:
    limit = "no limit" if e.limit is None else f"limit {e.limit}, available {e.available}"
    return (
        f"{title} on {e.as_of}: exposure {e.total} ({limit})\n"
        f"  open items {e.open_items}\n"
        f"  confirmed, not invoiced {e.ordered}\n"
        f"  shipped, not invoiced {e.shipped}"
    )


@app.command("release-order")
def release(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order number")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Release an order on credit hold; one held at confirmation is confirmed now."""
    context = context_of(ctx.obj)
    hold = active_hold_of_order(context.uow(), context.actor(), order)
    release_order(context.uow(), context.actor(), hold.id, reason)
    typer.echo(f"{order} released from credit hold ({hold.stage})")


@app.command("reject")
def reject(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order number")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Reject an order on credit hold: the order is cancelled."""
    context = context_of(ctx.obj)
    hold = active_hold_of_order(context.uow(), context.actor(), order)
    reject_order(context.uow(), context.actor(), hold.id, reason)
    typer.echo(f"{order} rejected and cancelled")
