"""`o2c demo`: set the database up if needed and load the demo company into it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from o2c.app.context import AppContext
from o2c.app.demo import load_demo
from o2c.app.schema import create_schema


def _day(text: str) -> date:
    return date.fromisoformat(text)


def demo(
    ctx: typer.Context,
    today: Annotated[
        date | None,
        typer.Option("--today", parser=_day, metavar="DATE", help="Last day of history"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same company")] = 42,
) -> None:
    """Load the demo company: ~50 customers, ~200 products, two years of history."""
    context = ctx.obj
    assert isinstance(context, AppContext)
    create_schema(context.engine)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        summary = load_demo(
            context.engine,
            today=today or context.clock.today(),
            seed=seed,
            progress=progress,
        )
    typer.echo(summary.line())
