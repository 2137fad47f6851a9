"""`o2c credit ...`: put customers on credit hold and release them."""

from __future__ import annotations

from typing import Annotated

import typer

from o2c.credit.service import active_holds, place_hold, release_hold
from o2c.db.deps import context_of
from o2c.kernel.errors import NotFound
from o2c.parties.service import customer_codes, customer_ids

app = typer.Typer(help="Credit holds on customers.", no_args_is_help=True)


def _id(ctx: typer.Context, code: str) -> int:
    context = context_of(ctx.obj)
    found = customer_ids(context.uow(), context.actor().company_id, [code])
    if code not in found:
        raise NotFound("customer", code)
    return found[code]


@app.command("hold")
def hold(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Put a customer on hold: its new orders are not confirmed until released."""
    context = context_of(ctx.obj)
    placed = place_hold(context.uow(), context.actor(), _id(ctx, customer), reason)
    typer.echo(f"{customer} on credit hold since {placed.placed_at:%Y-%m-%d}: {placed.reason}")


@app.command("release")
def release(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Release a customer's hold."""
    context = context_of(ctx.obj)
    release_hold(context.uow(), context.actor(), _id(ctx, customer), reason)
    typer.echo(f"{customer} released from credit hold")


@app.command("holds")
def holds(ctx: typer.Context) -> None:
    """Customers on hold."""
    context = context_of(ctx.obj)
    actor = context.actor()
    found = active_holds(context.uow(), actor)
    codes = customer_codes(context.uow(), actor.company_id, found)
    for customer_id, h in found.items():
        typer.echo(
            f"{codes.get(customer_id, customer_id)}\t{h.placed_at:%Y-%m-%d}\t{h.source}\t{h.reason}"
        )
