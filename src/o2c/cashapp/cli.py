"""`o2c cashapp ...`: import bank files, match them, review the queue, export the results."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from o2c.cashapp.service import (
    EXPORT_HEADER,
    export,
    import_remittance,
    import_statement,
    match,
    queue,
)
from o2c.cashapp.sources import decimal_of
from o2c.db.deps import context_of
from o2c.formats.csvbank import ColumnMapping
from o2c.kernel.errors import FieldError, ValidationFailed

app = typer.Typer(help="Cash application: bank files in, invoices closed.", no_args_is_help=True)

InFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, metavar="FILE")]


def _profile(text: str | None) -> ColumnMapping | None:
    """A CSV column mapping given inline as JSON or as the path of a JSON file."""
    if text is None:
        return None
    raw = Path(text).read_text() if Path(text).is_file() else text
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValidationFailed([FieldError("profile", f"not JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("profile", "a JSON object")])
    return ColumnMapping.from_dict(data)


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: InFile,
    profile: Annotated[
        str | None, typer.Option("--profile", metavar="JSON", help="CSV column mapping")
    ] = None,
) -> None:
    """Import a bank statement (BAI2, camt.05x, MT940/942, OFX, CSV with --profile)."""
    context = context_of(ctx.obj)
    summary = import_statement(
        context.uow(), context.actor(), file.read_bytes(), str(file), _profile(profile)
    )
    if summary.duplicate_file:
        typer.echo(f"{file}: already imported, nothing new ({summary.lines} lines)")
        return
    typer.echo(
        f"imported {summary.format}: {summary.statements} statements, {summary.new_lines} new "
        f"lines ({summary.credits} credits, {summary.debits} debits), "
        f"{summary.known_lines} already known"
    )


@app.command("remittance")
def remittance(ctx: typer.Context, file: InFile) -> None:
    """Import a remittance advice (X12 820 or CSV) for the next match run."""
    context = context_of(ctx.obj)
    summary = import_remittance(context.uow(), context.actor(), file.read_bytes(), str(file))
    what = "already imported" if summary.duplicate_file else "imported"
    typer.echo(f"{what} {summary.remittances} remittances, {summary.items} items")


@app.command("match")
def run_match(
    ctx: typer.Context,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Confidence to apply automatically")
    ] = None,
) -> None:
    """Match every waiting bank line; post what clears the threshold."""
    context = context_of(ctx.obj)
    summary = match(context.uow(), context.actor(), threshold=threshold)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.by_status.items()))
    typer.echo(f"matched {summary.lines} lines: {counts or 'nothing waiting'}")


@app.command("export")
def run_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(dir_okay=False, writable=True, metavar="OUT.csv")],
) -> None:
    """Write the results: one row per applied invoice, else one per bank line."""
    context = context_of(ctx.obj)
    rows = export(context.uow(), context.actor())
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows(rows)
    typer.echo(f"wrote {len(rows)} rows to {out}")


@app.command("queue")
def show_queue(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """The exception queue: lines waiting for a person, with the best suggestion."""
    context = context_of(ctx.obj)
    views, total = queue(context.uow(), context.actor(), limit, offset)
    table = Table(title=f"Exception queue ({total} lines)")
    for column in ("Line", "Ref", "Amount", "Payer", "Status", "Best suggestion"):
        table.add_column(column)
    for view in views:
        line = view.line
        suggestions = (view.decision or {}).get("suggestions") or []
        best = (
            f"{suggestions[0]['confidence']:.2f} {suggestions[0]['reason']}" if suggestions else ""
        )
        amount = f"{decimal_of(line.amount_minor, line.currency)} {line.currency}"
        table.add_row(
            str(line.id), line.bank_ref, amount, line.counterparty_name, line.status, best
        )
    Console(width=160).print(table)
