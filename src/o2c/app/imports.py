"""`o2c import ...`: customers and opening open items from CSV files.

A file is checked whole before anything is written: a bad one prints every problem (line and
field) and changes nothing; a good one is loaded in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from o2c.app.terminal import amount
from o2c.billing.importing import import_open_items
from o2c.catalog.payment_terms import PaymentTermMaker
from o2c.db.deps import context_of
from o2c.parties.importing import import_customers

app = typer.Typer(help="Load customers and open items from CSV files.", no_args_is_help=True)

CsvFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, metavar="FILE.csv")
]


@app.command("customers")
def customers(ctx: typer.Context, file: CsvFile) -> None:
    """Customers: customer_id, name, and optionally iban, country, parent_id, currency, ..."""
    context = context_of(ctx.obj)
    with Console(stderr=True).status(f"importing customers from {file}"):
        result = import_customers(context.uow(), context.actor(), file, terms=PaymentTermMaker())
    terms = result.payment_terms_created
    typer.echo(
        f"imported {result.customers} customers, {result.bank_accounts} bank accounts, "
        f"{result.parents_linked} parent links"
        + (f"; new payment terms {', '.join(terms)}" if terms else "")
    )


@app.command("open-items")
def open_items(ctx: typer.Context, file: CsvFile) -> None:
    """Open invoices and credit notes from a previous system, with their open amounts."""
    context = context_of(ctx.obj)
    with Console(stderr=True).status(f"importing open items from {file}"):
        result = import_open_items(context.uow(), context.actor(), file)
    balances = ", ".join(f"{amount(v, c)} {c}" for c, v in sorted(result.open_by_currency.items()))
    typer.echo(
        f"imported {result.invoices} invoices and {result.credit_notes} credit notes"
        + (f"; open {balances}" if balances else "")
    )
