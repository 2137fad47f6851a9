"""`o2c rma ...`: authorise, receive, credit and cancel customer returns from a terminal.

Orders and returns are named by number, order lines by their line number, warehouses by
code, as they are printed on documents.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.inventory.service import list_warehouses
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.orders.service import find_order
from o2c.returns.model import Disposition, ReturnStatus
from o2c.returns.service import (
    ReturnFilter,
    authorise_return,
    cancel_return,
    credit_return,
    find_return,
    list_returns,
    receive_return,
)
from o2c.returns.tables import ReturnAuthorization

app = typer.Typer(help="Customer returns (RMA): authorise, receive, credit.", no_args_is_help=True)


def _line(text: str) -> tuple[int, Decimal]:
    """`LINE_NO:QUANTITY`, e.g. `2:1.5`."""
    head, _, tail = text.partition(":")
    try:
        return int(head), Decimal(tail)
    except (ValueError, InvalidOperation):
        raise ValidationFailed(
            [FieldError("lines", f"expected LINE_NO:QUANTITY, got {text!r}")]
        ) from None


def _show(rma: ReturnAuthorization) -> None:
    lines = ", ".join(
        f"{line.quantity.normalize():f} of line {line.order_line_id}" for line in rma.lines
    )
    extra = f" credit notes {rma.credit_note_ids}" if rma.credit_note_ids else ""
    typer.echo(f"{rma.number}\t{rma.status}\t{rma.reason}\t{lines}{extra}")


@app.command("authorise")
def authorise(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order number")],
    lines: Annotated[list[str], typer.Argument(help="LINE_NO:QUANTITY, one per returned line")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Allow a customer to send back shipped units of an order."""
    context = context_of(ctx.obj)
    actor = context.actor()
    found = find_order(context.uow(), actor, order)
    by_no = {line.line_no: line.id for line in found.lines}
    wanted: dict[int, Decimal] = {}
    for text in lines:
        line_no, quantity = _line(text)
        if line_no not in by_no:
            raise ValidationFailed([FieldError("lines", f"{order} has no line {line_no}")])
        wanted[by_no[line_no]] = wanted.get(by_no[line_no], Decimal(0)) + quantity
    _show(authorise_return(context.uow(), actor, found.id, wanted, reason))


@app.command("receive")
def receive(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="Return number")],
    scrap: Annotated[bool, typer.Option("--scrap", help="Scrap instead of restocking")] = False,
    warehouse: Annotated[
        str | None, typer.Option("--warehouse", help="Restock here (default: the order's)")
    ] = None,
) -> None:
    """The goods arrived: restock them (a `return` stock move) or scrap them."""
    context = context_of(ctx.obj)
    actor = context.actor()
    rma = find_return(context.uow(), actor, number)
    warehouse_id = None
    if warehouse is not None:
        codes = {w.code: w.id for w in list_warehouses(context.uow(), actor)}
        if warehouse not in codes:
            raise NotFound("warehouse", warehouse)
        warehouse_id = codes[warehouse]
    disposition = Disposition.SCRAP if scrap else Disposition.RESTOCK
    _show(receive_return(context.uow(), actor, rma.id, disposition, warehouse_id))


@app.command("credit")
def credit(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="Return number")]
) -> None:
    """Credit the returned units at their invoiced prices (one credit note per invoice)."""
    context = context_of(ctx.obj)
    actor = context.actor()
    _show(credit_return(context.uow(), actor, find_return(context.uow(), actor, number).id))


@app.command("cancel")
def cancel(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="Return number")]
) -> None:
    """Withdraw an authorisation before the goods arrive."""
    context = context_of(ctx.obj)
    actor = context.actor()
    _show(cancel_return(context.uow(), actor, find_return(context.uow(), actor, number).id))


@app.command("list")
def list_command(
    ctx: typer.Context,
    order: Annotated[str | None, typer.Option("--order", help="Only this order's")] = None,
    status: Annotated[ReturnStatus | None, typer.Option("--status")] = None,
) -> None:
    """Returns, newest first."""
    context = context_of(ctx.obj)
    actor = context.actor()
    order_id = find_order(context.uow(), actor, order).id if order else None
    where = ReturnFilter(order_id=order_id, statuses=(status,) if status else ())
    found, _ = list_returns(context.uow(), actor, where, limit=500)
    for rma in found:
        _show(rma)
