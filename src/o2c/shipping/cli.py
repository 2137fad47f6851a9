"""`o2c picklist ...`: what to pick in a warehouse, on screen, as CSV or as a printable PDF."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.inventory.model import show as show_quantity
from o2c.inventory.service import list_warehouses
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.shipping.picklist import pick_list, pick_list_csv, pick_list_pdf

app = typer.Typer(help="Pick lists for planned shipments.", no_args_is_help=True)


class Format(StrEnum):
    TEXT = "text"
    CSV = "csv"
    PDF = "pdf"


@app.command("show")
def show(
    ctx: typer.Context,
    warehouse: Annotated[str, typer.Argument(help="Warehouse code")],
    output: Annotated[Format, typer.Option("--format")] = Format.TEXT,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file")] = None,
) -> None:
    """Every line of the warehouse's draft shipments, in walking order (location, SKU)."""
    context = context_of(ctx.obj)
    actor = context.actor()
    codes = {w.code: w.id for w in list_warehouses(context.uow(), actor)}
    if warehouse not in codes:
        raise NotFound("warehouse", warehouse)
    picks = pick_list(context.uow(), actor, codes[warehouse])
    if output is Format.PDF:
        if out is None:
            raise ValidationFailed([FieldError("out", "a PDF needs --out FILE")])
        out.write_bytes(pick_list_pdf(picks))
        typer.echo(f"{len(picks.lines)} lines written to {out}")
        return
    if output is Format.CSV:
        text = pick_list_csv(picks)
    else:
        text = "".join(
            f"{li.location or '-'}\t{li.sku}\t{show_quantity(li.quantity)}\t{li.shipment}"
            f"\t{li.customer}\t{li.product}\n"
            for li in picks.lines
        )
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(picks.lines)} lines written to {out}")
