"""The `o2c` command line: set-up, the server, the ledger's reports, and every domain's commands.

Errors print one readable line on stderr (`error: ...`) and exit 1; usage mistakes exit 2.
A file that fails validation prints each problem on its own line with its line number and
field, and changes nothing.
"""

from __future__ import annotations

import enum
import sys
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup

from o2c.app.audit_trail import seal_recent
from o2c.app.commands import COMMANDS
from o2c.app.context import AppContext
from o2c.app.demo.cli import demo as demo_command
from o2c.app.imports import app as import_commands
from o2c.app.installation import install_company
from o2c.app.jobs_cli import worker_command
from o2c.app.logs import configure_logging
from o2c.app.schema import create_schema
from o2c.app.serving import run_server
from o2c.app.terminal import (
    aging_csv,
    aging_json,
    aging_lines,
    aging_table,
    statement_view,
    trial_balance_table,
)
from o2c.collections.service import install_default_strategies
from o2c.integration.export_cli import export_command
from o2c.kernel.config import Settings
from o2c.kernel.errors import InvalidFile, O2CError
from o2c.ledger.aging import DEFAULT_BUCKETS, parse_buckets
from o2c.ledger.reports import aging, customer_statement, trial_balance
from o2c.parties.service import customer_codes, find_customer
from o2c.security.service import get_company

DEFAULT_DATABASE = "sqlite:///o2c.db"


def report_error(error: Exception) -> None:
    """One line per problem on stderr, never a traceback."""
    if isinstance(error, InvalidFile):
        for problem in error.problems:
            typer.echo(f"error: {error.path}: {problem}", err=True)
    elif isinstance(error, O2CError):
        typer.echo(f"error: {error.detail}", err=True)
    else:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        typer.echo(f"error: database: {first} (is it set up? run `o2c init`)", err=True)


class ErrorReportingGroup(TyperGroup):
    """Turns the errors o2c raises on purpose (and database failures) into `error:` lines."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            result = super().invoke(ctx)
            if isinstance(ctx.obj, AppContext) and ctx.obj.database_opened:
                seal_recent(ctx.obj.uow())  # what the command wrote is sealed when it returns
            return result
        except (O2CError, SQLAlchemyError) as error:
            report_error(error)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="o2c",
    cls=ErrorReportingGroup,
    help="Order-to-cash and accounts receivable.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(import_commands, name="import")
for name, sub_app in COMMANDS:
    app.add_typer(sub_app, name=name)
app.command("demo")(demo_command)
app.command("export")(export_command)
app.command("worker")(worker_command)


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@app.callback()
def root(
    ctx: typer.Context,
    database: Annotated[
        str,
        typer.Option(
            "--database",
            envvar="O2C_DATABASE_URL",
            metavar="URL",
            help="sqlite:///path.db or postgresql://user@host/db",
        ),
    ] = DEFAULT_DATABASE,
    company: Annotated[
        str | None,
        typer.Option(
            "--company", envvar="O2C_COMPANY", metavar="CODE", help="Company (default: first)"
        ),
    ] = None,
) -> None:
    """Order-to-cash and accounts receivable."""
    context = AppContext(Settings(database_url=database), company)
    ctx.obj = context
    ctx.call_on_close(context.close)


def _context(ctx: typer.Context) -> AppContext:
    context = ctx.obj
    assert isinstance(context, AppContext)
    return context


@app.command()
def init(
    ctx: typer.Context,
    company_code: Annotated[str, typer.Option("--company-code")] = "DEMO",
    name: Annotated[str, typer.Option("--name")] = "Demo Company",
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
) -> None:
    """Create or upgrade the schema and, on a new database, the first company."""
    context = _context(ctx)
    create_schema(context.engine)
    installed = install_company(context.uow(), company_code, name, currency.upper())
    install_default_strategies(context.uow())
    what = "created" if installed.created else "already set up"
    typer.echo(f"database ready: {context.engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"company {installed.company_code} ({installed.base_currency}) {what}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind", envvar="O2C_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", envvar="O2C_PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes (PostgreSQL)")] = 1,
    jobs: Annotated[
        bool | None,
        typer.Option("--jobs/--no-jobs", help="Run the jobs in this process (default: SQLite)"),
    ] = None,
) -> None:
    """Run the HTTP API (after bringing the schema up to date)."""
    context = _context(ctx)
    configure_logging(context.settings.log_format, context.settings.log_level)
    create_schema(context.engine)
    base = f"http://{host}:{port}"
    typer.echo(f"API docs: {base}/docs")
    typer.echo(f"OpenAPI:  {base}/openapi.json")
    typer.echo(f"Health:   {base}/health")
    typer.echo(f"Metrics:  {base}/metrics")
    run_server(context, host, port, workers, jobs)


@app.command("aging")
def aging_report(
    ctx: typer.Context,
    as_of: Annotated[date, typer.Option("--as-of", parser=date.fromisoformat)],
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
    buckets: Annotated[str, typer.Option("--buckets", metavar="SPEC")] = DEFAULT_BUCKETS,
) -> None:
    """Open balances by customer, currency and bucket of days past due."""
    context = _context(ctx)
    actor = context.actor()
    parsed = parse_buckets(buckets)
    rows = aging(context.uow(), actor, as_of, parsed)
    codes = customer_codes(context.uow(), actor.company_id, (r.customer_id for r in rows))
    lines = aging_lines(rows, codes, parsed)
    if output is OutputFormat.CSV:
        sys.stdout.write(aging_csv(lines))
    elif output is OutputFormat.JSON:
        typer.echo(aging_json(lines, as_of, parsed))
    else:
        Console().print(aging_table(lines, as_of, parsed))


@app.command()
def statement(
    ctx: typer.Context,
    customer_code: Annotated[str, typer.Argument(metavar="CUSTOMER_CODE")],
    start: Annotated[date, typer.Option("--from", parser=date.fromisoformat)],
    end: Annotated[date, typer.Option("--to", parser=date.fromisoformat)],
) -> None:
    """A customer's statement of account for a period."""
    context = _context(ctx)
    actor = context.actor()
    customer = find_customer(context.uow(), actor, customer_code)
    report = customer_statement(context.uow(), actor, customer.id, start, end)
    Console().print(statement_view(report, customer_code))


@app.command("trial-balance")
def trial_balance_report(
    ctx: typer.Context,
    as_of: Annotated[date, typer.Option("--as-of", parser=date.fromisoformat)],
) -> None:
    """Balance of every account per currency."""
    context = _context(ctx)
    actor = context.actor()
    rows = trial_balance(context.uow(), actor, as_of)
    uow = context.uow()
    with uow:
        base = get_company(uow, actor.company_id).base_currency
    Console().print(trial_balance_table(rows, as_of, base))


def main() -> None:
    app()
