"""`o2c audit ...`: seal and verify the hash chains, export the audit trail for auditors.

o2c audit seal                                  seal every company's pending records now
o2c audit verify [--no-seal] [--company CODE]   exit 0 when every chain is intact, else 1
o2c audit export --from DATE --to DATE --out FILE.csv|FILE.jsonl
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from o2c.app.audit_trail import (
    SEAL_WITHIN,
    audit_rows,
    company_ids,
    seal_company,
    verify_all,
    write_audit_export,
)
from o2c.app.context import AppContext
from o2c.app.identity import company_id_for
from o2c.kernel.errors import FieldError, ValidationFailed

app = typer.Typer(help="Tamper-evident audit trail: seal, verify, export.", no_args_is_help=True)


def _context(ctx: typer.Context) -> AppContext:
    context = ctx.obj
    assert isinstance(context, AppContext)
    return context


def _companies(context: AppContext) -> list[int]:
    """The company named by --company, else every company of the installation."""
    if context.company_code:
        return [company_id_for(context.uow(), context.company_code)]
    return company_ids(context.uow())


@app.command()
def seal(ctx: typer.Context) -> None:
    """Seal every record not yet in its chain (the worker does this every minute)."""
    context = _context(ctx)
    for company_id in _companies(context):
        sealed = seal_company(context.uow(), company_id)
        counts = ", ".join(f"{count} {chain}" for chain, count in sealed.items())
        typer.echo(f"company {company_id}: sealed {counts}")


@app.command()
def verify(
    ctx: typer.Context,
    seal_first: Annotated[
        bool,
        typer.Option(
            "--seal/--no-seal",
            help="Seal pending records first, as the worker's job would (default), or only check.",
        ),
    ] = True,
    sealed_within: Annotated[
        int,
        typer.Option(help="With --no-seal: minutes after which an unsealed record is a finding."),
    ] = int(SEAL_WITHIN.total_seconds() // 60),
) -> None:
    """Recompute every hash chain; name the first broken record and exit 1 when one is."""
    context = _context(ctx)
    companies = _companies(context)
    if seal_first:
        for company_id in companies:
            seal_company(context.uow(), company_id)
    result = verify_all(context.uow(), companies, timedelta(minutes=sealed_within))
    walked = ", ".join(f"{count} {chain}" for chain, count in result.links.items())
    if not result.findings:
        typer.echo(f"intact: {walked} in {len(companies)} companies")
        return
    first, *others = result.findings
    typer.echo(f"error: broken: {first.describe()}", err=True)
    for finding in others[:50]:
        typer.echo(f"also: {finding.describe()}", err=True)
    if len(others) > 50:
        typer.echo(f"and {len(others) - 50} more findings", err=True)
    raise typer.Exit(1)


@app.command()
def export(
    ctx: typer.Context,
    first: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    last: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    out: Annotated[Path, typer.Option("--out", help="FILE.csv or FILE.jsonl")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: by the file's suffix)")
    ] = None,
) -> None:
    """The company's audit records of the period with each record's chain position and hash."""
    chosen = file_format or out.suffix.lstrip(".").lower()
    if chosen not in ("csv", "jsonl"):
        raise ValidationFailed([FieldError("format", "csv or jsonl (or a .csv/.jsonl file)")])
    context = _context(ctx)
    start: date = first.date()
    rows = audit_rows(context.uow(), context.actor(), start, last.date())
    count = write_audit_export(rows, out, chosen)
    typer.echo(f"{count} audit records written to {out}")
