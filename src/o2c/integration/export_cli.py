"""`o2c export ENTITY --format csv|json --out FILE`: one entity of the company to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from o2c.db.deps import context_of
from o2c.integration.exports import ENTITIES, export_chunks


def export_command(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help=", ".join(sorted(ENTITIES)))],
    out: Annotated[Path, typer.Option("--out", help="File to write")],
    file_format: Annotated[Literal["csv", "json"], typer.Option("--format")] = "csv",
) -> None:
    """Export every row of an entity of the company (customers, invoices, journal_lines, ...)."""
    context = context_of(ctx.obj)
    chunks = export_chunks(context.uow(), context.actor(), entity, file_format)
    with out.open("w", encoding="utf-8", newline="") as stream:
        for chunk in chunks:
            stream.write(chunk)
    typer.echo(f"{entity} written to {out}")
