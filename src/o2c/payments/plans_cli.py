"""`o2c payment-plans ...`: stored methods, instalment plans, schedules and the autopay run.

Customers are named by code, invoices by number, plans by id; dates are ISO (YYYY-MM-DD).
Output is tab-separated with a header line, for scripts.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.kernel.money import Money
from o2c.parties.service import find_customer
from o2c.payments import plans
from o2c.payments.autopay import run_autopay
from o2c.payments.gateway import LoopbackGateway, PaymentGateway
from o2c.payments.model import PaymentMethod

app = typer.Typer(
    help="Payment plans: instalments on an invoice or a balance, autopay with retries.",
    no_args_is_help=True,
)


class Gateway(StrEnum):
    """Providers the CLI can charge through; real ones come with the customer portal."""

    LOOPBACK = "loopback"


def _gateway(name: Gateway) -> PaymentGateway:
    return {Gateway.LOOPBACK: LoopbackGateway}[name]()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {text!r}") from None


@app.command("method")
def add_method(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    provider: Annotated[str, typer.Option()],
    token: Annotated[str, typer.Option(help="The provider's reference of the method")],
    label: Annotated[str, typer.Option()] = "",
    method: Annotated[PaymentMethod, typer.Option()] = PaymentMethod.CARD,
) -> None:
    """Store a customer's payment method (a gateway token) for autopay."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    customer_id = find_customer(uow, actor, customer).id
    stored = plans.add_payment_method(uow, actor, customer_id, provider, token, label, method)
    typer.echo(f"payment method {stored.id}: {customer} via {provider}")


@app.command("create")
def create(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    instalments: Annotated[int, typer.Option(min=1, max=120)],
    first_due: Annotated[str, typer.Option(help="ISO date of the first instalment")],
    currency: Annotated[str, typer.Option()] = "EUR",
    invoice: Annotated[str | None, typer.Option(help="Invoice number; else the balance")] = None,
    every_months: Annotated[int, typer.Option(min=1, max=12)] = 1,
    method_id: Annotated[int | None, typer.Option("--method", help="Autopay method id")] = None,
    retry_days: Annotated[str, typer.Option(help="Days between retries, e.g. 1,3,7")] = "1,3,7",
) -> None:
    """Split what is open on an invoice (or the customer's balance) into instalments."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    command = plans.PlanCreate(
        customer_id=find_customer(uow, actor, customer).id,
        currency=currency,
        instalments=instalments,
        first_due=_day(first_due),
        invoice_id=plans.invoice_numbered(uow, actor, invoice) if invoice else None,
        every_months=every_months,
        payment_method_id=method_id,
        retry_days=tuple(int(days) for days in retry_days.split(",") if days.strip()),
    )
    plan = plans.create_payment_plan(uow, actor, command)
    total = Money.from_minor(plan.total_minor, plan.currency)
    typer.echo(f"payment plan {plan.id}: {total.amount} {total.currency} in {instalments}")


@app.command("list")
def list_plans(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(help="Customer code")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Payment plans, newest first."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    customer_id = find_customer(uow, actor, customer).id if customer else None
    rows, total = plans.list_payment_plans(uow, actor, customer_id, limit=limit)
    typer.echo("id\tcustomer_id\tinvoice_id\ttotal\tcurrency\tstatus\tautopay")
    for plan in rows:
        amount = Money.from_minor(plan.total_minor, plan.currency).amount
        typer.echo(
            f"{plan.id}\t{plan.customer_id}\t{plan.invoice_id or ''}\t{amount}\t{plan.currency}"
            f"\t{plan.status}\t{'yes' if plan.payment_method_id else 'no'}"
        )
    typer.echo(f"{len(rows)} of {total}", err=True)


@app.command("schedule")
def schedule(ctx: typer.Context, plan_id: int) -> None:
    """A plan's instalments with their state."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    currency = plans.get_payment_plan(uow, actor, plan_id).currency
    typer.echo("sequence\tdue_on\tamount\tcurrency\tstatus\tattempts\tnext_attempt_on")
    for row in plans.instalments(uow, actor, plan_id):
        amount = Money.from_minor(row.amount_minor, currency).amount
        typer.echo(
            f"{row.sequence}\t{row.due_on}\t{amount}\t{currency}\t{row.status}"
            f"\t{row.attempts}\t{row.next_attempt_on}"
        )


@app.command("autopay")
def autopay(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of")],
    gateway: Annotated[Gateway, typer.Option(help="Provider to charge through")],
) -> None:
    """Charge every autopay instalment due by --as-of (safe to run again the same day)."""
    context = context_of(ctx.obj)
    results = run_autopay(context.uow(), context.actor(), _gateway(gateway), _day(as_of))
    typer.echo("instalment_id\tattempt\tapproved\tpayment_id\tnext_attempt_on")
    for result in results:
        typer.echo(
            f"{result.instalment_id}\t{result.attempt}\t{'yes' if result.approved else 'no'}"
            f"\t{result.payment_id or ''}\t{result.next_attempt_on or ''}"
        )
    typer.echo(f"{len(results)} charges", err=True)
