"""`o2c subscriptions ...`: plans, subscribe, change plan, cancel, and the billing run.

Customers and plans are named by code, subscriptions by id; dates are ISO (YYYY-MM-DD).
Output is tab-separated with a header line, for scripts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.kernel.money import Money
from o2c.parties.service import find_customer
from o2c.subscriptions import service
from o2c.subscriptions.model import Interval, PlanCreate

app = typer.Typer(
    help="Subscriptions: plans, proration on change and cancel, the billing run.",
    no_args_is_help=True,
)

Day = Annotated[str, typer.Option(help="ISO date, YYYY-MM-DD")]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {text!r}") from None


def _charge_line(charge: service.Charge) -> str:
    return (
        f"{charge.subscription_id}\t{charge.kind}\t{charge.period_start}\t{charge.period_end}"
        f"\t{charge.invoice_id}\t{charge.amount.amount}\t{charge.amount.currency}"
    )


CHARGE_HEADER = "subscription\tkind\tperiod_start\tperiod_end\tinvoice_id\tnet\tcurrency"


@app.command("plan")
def add_plan(
    ctx: typer.Context,
    code: str,
    name: str,
    price: Annotated[str, typer.Argument(help="Net price of one full period, e.g. 49.00")],
    currency: str,
    interval: Annotated[Interval, typer.Option()] = Interval.MONTH,
    tax_category: Annotated[str, typer.Option()] = "standard",
) -> None:
    """Add a plan."""
    context = context_of(ctx.obj)
    plan = service.create_plan(
        context.uow(),
        context.actor(),
        PlanCreate(code, name, Money(Decimal(price), currency), interval, tax_category),
    )
    typer.echo(f"plan {plan.id}: {plan.code}")


@app.command("plans")
def plans(ctx: typer.Context) -> None:
    """Every plan, by code."""
    context = context_of(ctx.obj)
    typer.echo("id\tcode\tname\tprice\tcurrency\tinterval")
    for plan in service.list_plans(context.uow(), context.actor()):
        price = Money.from_minor(plan.price_minor, plan.currency).amount
        typer.echo(
            f"{plan.id}\t{plan.code}\t{plan.name}\t{price}\t{plan.currency}\t{plan.interval}"
        )


@app.command("subscribe")
def subscribe(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    plan: Annotated[str, typer.Argument(help="Plan code")],
    start: Day,
    anchor_day: Annotated[int | None, typer.Option(min=1, max=31)] = None,
) -> None:
    """Put a customer on a plan from START; the billing run invoices each period when due."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    customer_id = find_customer(uow, actor, customer).id
    plan_id = service.find_plan(uow, actor, plan).id
    made = service.start_subscription(uow, actor, customer_id, plan_id, _day(start), anchor_day)
    typer.echo(f"subscription {made.id}: {customer} on {plan} from {made.start_date}")


@app.command("change")
def change(
    ctx: typer.Context,
    subscription_id: int,
    plan: Annotated[str, typer.Argument(help="Code of the new plan")],
    on: Day,
) -> None:
    """Upgrade or downgrade from ON; the rest of a billed period is settled by days."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    plan_id = service.find_plan(uow, actor, plan).id
    charge = service.change_plan(uow, actor, subscription_id, plan_id, _day(on))
    typer.echo(CHARGE_HEADER)
    if charge is not None:
        typer.echo(_charge_line(charge))


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    subscription_id: int,
    on: Day,
    no_refund: Annotated[bool, typer.Option("--no-refund", help="Keep unused days")] = False,
) -> None:
    """End a subscription before ON; unused billed days are credited unless --no-refund."""
    context = context_of(ctx.obj)
    charge = service.cancel_subscription(
        context.uow(), context.actor(), subscription_id, _day(on), refund_unused=not no_refund
    )
    typer.echo(CHARGE_HEADER)
    if charge is not None:
        typer.echo(_charge_line(charge))


@app.command("bill")
def bill(ctx: typer.Context, as_of: Annotated[str, typer.Option("--as-of")]) -> None:
    """Invoice every period begun by --as-of and not billed yet (safe to run again)."""
    context = context_of(ctx.obj)
    charges = service.run_billing(context.uow(), context.actor(), _day(as_of))
    typer.echo(CHARGE_HEADER)
    for charge in charges:
        typer.echo(_charge_line(charge))
    typer.echo(f"{len(charges)} charges", err=True)


@app.command("list")
def list_subscriptions(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(help="Customer code")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Subscriptions, oldest first."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    customer_id = find_customer(uow, actor, customer).id if customer else None
    rows, total = service.list_subscriptions(uow, actor, customer_id, limit=limit)
    typer.echo("id\tcustomer_id\tplan_id\tstatus\tstart\tnext_start\tends_on")
    for row in rows:
        typer.echo(
            f"{row.id}\t{row.customer_id}\t{row.plan_id}\t{row.status}\t{row.start_date}"
            f"\t{row.next_start}\t{row.ends_on or ''}"
        )
    typer.echo(f"{len(rows)} of {total}", err=True)
