"""`o2c refunds ...`: pay back a credit, and decide the refunds that wait for approval.

A refund above the company's approval limit becomes a request; another person approves
it (then it is posted) or rejects it. The operator is the actor, so an operator never
approves a refund they requested. Amounts are decimal; dates are ISO (YYYY-MM-DD).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.kernel.money import Money
from o2c.payments import refund_requests
from o2c.payments.model import PaymentMethod
from o2c.payments.refund_requests import RequestStatus
from o2c.payments.service import refund
from o2c.payments.tables import RefundRequest

app = typer.Typer(
    help="Refunds of credits; those above the approval limit wait for a second person.",
    no_args_is_help=True,
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {text!r}") from None


def _money(amount: str, currency: str) -> Money:
    """The amount exactly: refused, not rounded, when it has more decimals than the currency."""
    try:
        money = Money(amount, currency)
    except ValueError as wrong:
        raise typer.BadParameter(str(wrong)) from None
    if money.amount != Decimal(amount):
        raise typer.BadParameter(f"{amount} is not an amount of {currency}")
    return money


def _amount(request: RefundRequest) -> str:
    money = Money.from_minor(request.amount_minor, request.currency)
    return f"{money.amount} {money.currency}"


@app.command("issue")
def issue(
    ctx: typer.Context,
    credit_item_id: Annotated[int, typer.Argument(help="Open item of the payment or credit note")],
    amount: Annotated[str, typer.Argument(help="Decimal amount, e.g. 40.00")],
    currency: Annotated[str, typer.Option()],
    on: Annotated[str, typer.Option(help="ISO date the money leaves")],
    method: Annotated[PaymentMethod, typer.Option()] = PaymentMethod.WIRE,
    reference: Annotated[str | None, typer.Option()] = None,
    to_account: Annotated[str | None, typer.Option(help="IBAN the money goes to")] = None,
) -> None:
    """Refund a credit; above the approval limit it becomes a request instead."""
    context = context_of(ctx.obj)
    result = refund(
        context.uow(),
        context.actor(),
        credit_item_id,
        _money(amount, currency),
        method,
        _day(on),
        reference,
        to_account=to_account,
    )
    if isinstance(result, RefundRequest):
        typer.echo(f"above the approval limit: refund request {result.id} waits for approval")
    else:
        typer.echo(f"refund {result.number} posted ({result.id})")


@app.command("requests")
def list_requests(
    ctx: typer.Context,
    status: Annotated[RequestStatus, typer.Option()] = RequestStatus.PENDING,
) -> None:
    """Refund requests with the given status (pending by default), oldest first."""
    context = context_of(ctx.obj)
    rows = refund_requests.list_refund_requests(context.uow(), context.actor(), status)
    typer.echo("id\tcredit_item_id\tamount\ton\tstatus\trequested_by\tdecided_by\trefund_id")
    for row in rows:
        typer.echo(
            f"{row.id}\t{row.credit_item_id}\t{_amount(row)}\t{row.refund_on}\t{row.status}"
            f"\t{row.requested_by}\t{row.decided_by or ''}\t{row.refund_id or ''}"
        )


@app.command("approve")
def approve(ctx: typer.Context, request_id: int) -> None:
    """Approve a refund request and post the refund (someone other than the requester)."""
    context = context_of(ctx.obj)
    request = refund_requests.approve_refund_request(context.uow(), context.actor(), request_id)
    typer.echo(f"refund request {request_id} approved: refund {request.refund_id} posted")


@app.command("reject")
def reject(
    ctx: typer.Context,
    request_id: int,
    note: Annotated[str, typer.Option(help="Why it was rejected")] = "",
) -> None:
    """Reject a refund request; the credit stays open."""
    context = context_of(ctx.obj)
    refund_requests.reject_refund_request(context.uow(), context.actor(), request_id, note)
    typer.echo(f"refund request {request_id} rejected")


@app.command("limit")
def limit(
    ctx: typer.Context,
    set_to: Annotated[
        int | None, typer.Option("--set", min=0, help="New limit, base currency minor units")
    ] = None,
) -> None:
    """Show (or --set) the amount above which a refund needs a second person."""
    context = context_of(ctx.obj)
    uow, actor = context.uow(), context.actor()
    if set_to is None:
        current = refund_requests.get_refund_limit(uow, actor)
    else:
        current = refund_requests.set_refund_limit(uow, actor, set_to)
    typer.echo(f"refunds above {current} (base currency minor units) need approval")
