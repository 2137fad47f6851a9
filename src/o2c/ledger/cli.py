"""`o2c ledger ...`: the chart of accounts, period close and exchange rates from a terminal.

The reports that name customers (aging, statements) are top-level `o2c` commands, where the
composition root can print customer codes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from o2c.db.deps import context_of
from o2c.ledger.service import close_period, list_accounts, set_fx_rate

app = typer.Typer(help="Chart of accounts, period close and exchange rates.", no_args_is_help=True)


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {text!r}") from None


@app.command("accounts")
def accounts(ctx: typer.Context) -> None:
    """List the chart of accounts and the posting role of each account."""
    context = context_of(ctx.obj)
    actor = context.actor()
    uow = context.uow()
    table = Table(title="Chart of accounts")
    for column in ("Code", "Name", "Kind", "Role"):
        table.add_column(column)
    with uow:
        for account in list_accounts(uow, actor.company_id):
            table.add_row(account.code, account.name, account.kind, account.role or "")
    Console().print(table)


@app.command("close-period")
def close(
    ctx: typer.Context,
    through: Annotated[
        date, typer.Option("--through", parser=date.fromisoformat, help="Last day to lock")
    ],
) -> None:
    """Lock the books through a date: nothing can be posted on or before it any more."""
    context = context_of(ctx.obj)
    close_period(context.uow(), context.actor(), through)
    typer.echo(f"books locked through {through}")


@app.command("fx-rate")
def fx_rate(
    ctx: typer.Context,
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. USD")],
    rate: Annotated[
        Decimal, typer.Argument(parser=_decimal, help="Base-currency units for one unit")
    ],
    valid_from: Annotated[date, typer.Option("--from", parser=date.fromisoformat)],
) -> None:
    """Record the exchange rate in force from a date on."""
    context = context_of(ctx.obj)
    set_fx_rate(context.uow(), context.actor(), currency.upper(), valid_from, rate)
    typer.echo(f"{currency.upper()} = {rate} from {valid_from}")
