"""`o2c credit ...`: customer holds, held orders, scores and credit limit reviews.

The commands that change orders (release-order, reject) and the exposure are in
`orders.credit_cli`, merged into this group by the composition root.
"""

from __future__ import annotations

from typing import Annotated

import typer

from o2c.credit.holds import list_order_holds, reasons_of
from o2c.credit.reviews import ReviewStatus, decide_review, list_reviews
from o2c.credit.scores import get_score
from o2c.credit.service import active_holds, place_hold, release_hold
from o2c.db.deps import context_of
from o2c.kernel.errors import NotFound
from o2c.kernel.money import Money
from o2c.parties.service import customer_codes, customer_ids

app = typer.Typer(help="Credit: holds, exposure, scores, limit reviews.", no_args_is_help=True)


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
    """Customers on hold, then orders on credit hold with the rules they failed."""
    context = context_of(ctx.obj)
    actor = context.actor()
    found = active_holds(context.uow(), actor)
    orders = list_order_holds(context.uow(), actor)
    codes = customer_codes(
        context.uow(), actor.company_id, {*found, *(h.customer_id for h in orders)}
    )
    for customer_id, h in found.items():
        typer.echo(
            f"{codes.get(customer_id, customer_id)}\t{h.placed_at:%Y-%m-%d}\t{h.source}\t{h.reason}"
        )
    for o in orders:
        typer.echo(
            f"{o.order_number}\t{codes.get(o.customer_id, o.customer_id)}\t{o.held_at:%Y-%m-%d}"
            f"\t{o.stage}\t{o.requested_by}\t{'; '.join(reasons_of(o))}"
        )


@app.command("score")
def score(
    ctx: typer.Context, customer: Annotated[str, typer.Argument(help="Customer code")]
) -> None:
    """A customer's credit score, risk class and the points of each factor."""
    context = context_of(ctx.obj)
    row = get_score(context.uow(), context.actor(), _id(ctx, customer))
    typer.echo(f"{customer}: {row.points} points, risk class {row.risk_class} (as of {row.as_of})")
    for f in row.factors["factors"]:
        typer.echo(f"  {f['name']}\t{f['points']}/{f['max_points']}\t{f['explanation']}")


@app.command("reviews")
def reviews(ctx: typer.Context) -> None:
    """Credit limit proposals waiting for a decision."""
    context = context_of(ctx.obj)
    actor = context.actor()
    found = list_reviews(context.uow(), actor)
    codes = customer_codes(context.uow(), actor.company_id, {r.customer_id for r in found})
    for r in found:
        current = Money.from_minor(r.current_minor, r.currency)
        proposed = Money.from_minor(r.proposed_minor, r.currency)
        typer.echo(
            f"{r.id}\t{codes.get(r.customer_id, r.customer_id)}\t{current} -> {proposed}"
            f"\tclass {r.risk_class}\t{r.reason}"
        )


@app.command("accept")
def accept(
    ctx: typer.Context,
    review: Annotated[int, typer.Argument(help="Review id (see `o2c credit reviews`)")],
    reason: Annotated[str, typer.Option("--reason")] = "",
) -> None:
    """Accept a limit proposal: the customer's credit limit becomes the proposed one."""
    context = context_of(ctx.obj)
    done = decide_review(context.uow(), context.actor(), review, ReviewStatus.ACCEPTED, reason)
    typer.echo(
        f"limit review {done.id} accepted: {Money.from_minor(done.proposed_minor, done.currency)}"
    )


@app.command("decline")
def decline(
    ctx: typer.Context,
    review: Annotated[int, typer.Argument(help="Review id (see `o2c credit reviews`)")],
    reason: Annotated[str, typer.Option("--reason")] = "",
) -> None:
    """Reject a limit proposal: the credit limit stays as it is."""
    context = context_of(ctx.obj)
    done = decide_review(context.uow(), context.actor(), review, ReviewStatus.REJECTED, reason)
    typer.echo(f"limit review {done.id} rejected")
