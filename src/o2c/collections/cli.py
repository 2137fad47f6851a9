"""`o2c collections ...`: dunning runs, actions, worklist, promises, timeline, strategies.

The contract scripts rely on:
    O2C_SMTP_HOST=127.0.0.1 O2C_SMTP_PORT=PORT o2c --database URL collections run --as-of DATE
    o2c --database URL collections actions --as-of DATE --format csv
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from o2c.collections.delivery import deliver, print_letters, queue_mails
from o2c.collections.model import CallOutcome, PromiseCreate
from o2c.collections.policy import read_strategy, strategy_yaml
from o2c.collections.promises import invoices_by_number, list_promises, record_promise
from o2c.collections.reading import ACTIONS_HEADER, action_rows
from o2c.collections.running import run_dunning
from o2c.collections.service import current_strategy, load_strategy
from o2c.collections.simulation import simulate
from o2c.collections.timeline import customer_timeline
from o2c.collections.worklist import add_note, assign_collector, log_call, worklist
from o2c.db.deps import CommandContext, context_of
from o2c.kernel.config import Settings
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.kernel.money import Money
from o2c.notify.smtp import smtp_transport_from
from o2c.parties.service import customer_codes, customer_ids

app = typer.Typer(help="Dunning runs, worklist, promises to pay, timeline.", no_args_is_help=True)
strategy_app = typer.Typer(
    help="Show, check and load the collections strategy.", no_args_is_help=True
)
app.add_typer(strategy_app, name="strategy")

Day = Annotated[date, typer.Option(parser=date.fromisoformat, metavar="DATE")]
Output = Literal["table", "csv"]


def _today(context: CommandContext, day: date | None) -> date:
    return day or context.uow().clock.today()


def _settings(obj: object) -> Settings:
    """The installation's settings the CLI was started with (O2C_* from the environment)."""
    settings = getattr(obj, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()


def _customer(context: CommandContext, code: str) -> int:
    actor = context.actor()
    found = customer_ids(context.uow(), actor.company_id, [code])
    if code not in found:
        raise ValidationFailed([FieldError("customer", f"no customer with code {code!r}")])
    return found[code]


def _print(
    title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]], output: Output
) -> None:
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    table = Table(title=title)
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    Console().print(table)


@app.command("run")
def run(
    ctx: typer.Context,
    as_of: Annotated[
        date | None, typer.Option("--as-of", parser=date.fromisoformat, metavar="DATE")
    ] = None,
    mail: Annotated[bool, typer.Option("--mail/--no-mail", help="Compose and queue mails")] = True,
) -> None:
    """Run the day's dunning: decide and record actions, queue the mails, send them over SMTP
    when O2C_SMTP_HOST is set."""
    context = context_of(ctx.obj)
    actor, day = context.actor(), _today(context, as_of)
    report = run_dunning(context.uow(), actor, day)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.by_kind.items())) or "none"
    typer.echo(
        f"dunning run {day} (strategy v{report.strategy_version}): "
        f"{report.actions} new actions ({kinds}) over {report.customers} customers"
    )
    if report.promises_kept or report.promises_broken:
        typer.echo(f"promises: {report.promises_kept} kept, {report.promises_broken} broken")
    if not mail:
        return
    queued = queue_mails(context.uow(), actor, day)
    transport = smtp_transport_from(_settings(ctx.obj))
    if transport is None:
        typer.echo(f"{queued} mails queued (no SMTP host configured: not sent)")
        return
    delivered = deliver(context.uow(), actor, transport)
    typer.echo(f"{queued} mails queued; {delivered.sent} sent, {delivered.failed} failed")


@app.command("letters")
def letters(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Folder for the PDFs")],
    as_of: Annotated[
        date | None, typer.Option("--as-of", parser=date.fromisoformat, metavar="DATE")
    ] = None,
) -> None:
    """Print the day's postal dunning letters as PDFs into OUT/DATE/ (each letter once)."""
    context = context_of(ctx.obj)
    day = _today(context, as_of)
    written = print_letters(context.uow(), context.actor(), day, out)
    typer.echo(f"{len(written)} letters printed to {out / day.isoformat()}")


@app.command("actions")
def actions(
    ctx: typer.Context,
    as_of: Annotated[
        date | None, typer.Option("--as-of", parser=date.fromisoformat, metavar="DATE")
    ] = None,
    output: Annotated[Output, typer.Option("--format")] = "table",
) -> None:
    """The actions of a day (CSV: customer_id,action,level,channel,invoice_numbers,amount,
    currency,status)."""
    context = context_of(ctx.obj)
    day = _today(context, as_of)
    rows = action_rows(context.uow(), context.actor(), day)
    _print(f"Collection actions {day}", ACTIONS_HEADER, rows, output)


@app.command("worklist")
def worklist_command(
    ctx: typer.Context,
    collector: Annotated[str | None, typer.Option("--collector")] = None,
    as_of: Annotated[
        date | None, typer.Option("--as-of", parser=date.fromisoformat, metavar="DATE")
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    output: Annotated[Output, typer.Option("--format")] = "table",
) -> None:
    """Customers to call, most valuable call first (overdue × risk × age)."""
    context = context_of(ctx.obj)
    rows = worklist(context.uow(), context.actor(), _today(context, as_of), collector, limit)
    header = (
        "customer",
        "name",
        "collector",
        "risk",
        "overdue_base",
        "oldest_days",
        "value",
        "tasks",
    )
    _print(
        "Worklist",
        header,
        [
            (
                r.code,
                r.name,
                r.collector or "",
                r.risk_class,
                r.overdue_base_minor,
                r.oldest_days,
                f"{r.value:.0f}",
                "; ".join(f"#{t.id} {t.kind}: {t.note}" for t in r.tasks),
            )
            for r in rows
        ],
        output,
    )


@app.command("assign")
def assign(
    ctx: typer.Context,
    collector: Annotated[str, typer.Argument(help="Collector's user name")],
    customers: Annotated[list[str], typer.Argument(help="Customer codes")],
) -> None:
    """Give customers to a collector."""
    context = context_of(ctx.obj)
    ids = [_customer(context, code) for code in customers]
    count = assign_collector(context.uow(), context.actor(), ids, collector)
    typer.echo(f"{count} customers assigned to {collector}")


def _money(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"not an amount: {text!r}") from None


@app.command("promise")
def promise(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    amount: Annotated[Decimal, typer.Option("--amount", parser=_money)],
    pay_by: Annotated[date, typer.Option("--by", parser=date.fromisoformat, metavar="DATE")],
    invoices: Annotated[list[str], typer.Option("--invoice", help="Invoice number (repeat)")],
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Record a promise to pay; its invoices are not dunned while it is pending."""
    context = context_of(ctx.obj)
    actor, customer_id = context.actor(), _customer(context, customer)
    uow = context.uow()
    items = invoices_by_number(uow, actor, customer_id, invoices)
    missing = [
        FieldError(f"invoice[{i}]", f"no invoice {n} of {customer}")
        for i, n in enumerate(invoices)
        if n not in items
    ]
    if missing:
        raise ValidationFailed(missing)
    currency = items[invoices[0]][1]
    made = record_promise(
        uow,
        actor,
        PromiseCreate(
            customer_id,
            tuple(items[n][0] for n in invoices),
            Money(amount, currency).minor,
            currency,
            pay_by,
            note,
        ),
    )
    typer.echo(f"promise {made.id}: {Money(amount, currency)} by {pay_by}")


@app.command("promises")
def promises(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    output: Annotated[Output, typer.Option("--format")] = "table",
) -> None:
    """Promises to pay and whether they were kept."""
    context = context_of(ctx.obj)
    actor = context.actor()
    customer_id = _customer(context, customer) if customer else None
    found = list_promises(context.uow(), actor, customer_id, status)
    codes = customer_codes(context.uow(), actor.company_id, {p.customer_id for p, _ in found})
    header = ("id", "customer", "invoices", "amount", "currency", "pay_by", "status", "paid")
    _print(
        "Promises to pay",
        header,
        [
            (
                p.id,
                codes.get(p.customer_id, p.customer_id),
                " ".join(n),
                Money.from_minor(p.amount_minor, p.currency).amount,
                p.currency,
                p.pay_by,
                p.status,
                Money.from_minor(p.paid_minor, p.currency).amount,
            )
            for p, n in found
        ],
        output,
    )


@app.command("call")
def call(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    outcome: Annotated[CallOutcome, typer.Option("--outcome")],
    note: Annotated[str, typer.Option("--note")] = "",
    task: Annotated[int | None, typer.Option("--task", help="The call task it closes")] = None,
) -> None:
    """Log a call with a customer (closing its call task, if named)."""
    context = context_of(ctx.obj)
    log_call(context.uow(), context.actor(), _customer(context, customer), outcome, note, task)
    typer.echo("call logged")


@app.command("note")
def note_command(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    text: Annotated[str, typer.Argument(help="The note")],
) -> None:
    """Put a note on a customer's timeline."""
    context = context_of(ctx.obj)
    add_note(context.uow(), context.actor(), _customer(context, customer), text)
    typer.echo("note added")


@app.command("timeline")
def timeline(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    output: Annotated[Output, typer.Option("--format")] = "table",
) -> None:
    """Everything that happened with a customer, oldest first."""
    context = context_of(ctx.obj)
    entries = customer_timeline(context.uow(), context.actor(), _customer(context, customer))
    rows = [(e.at.isoformat(timespec="minutes"), e.kind, e.summary) for e in entries]
    _print(f"Timeline of {customer}", ("at", "kind", "summary"), rows, output)


@app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    strategy: Annotated[Path, typer.Option("--strategy", exists=True, dir_okay=False)],
    start: Annotated[date, typer.Option("--from", parser=date.fromisoformat, metavar="DATE")],
    end: Annotated[date, typer.Option("--to", parser=date.fromisoformat, metavar="DATE")],
    output: Annotated[Output, typer.Option("--format")] = "table",
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the CSV here")] = None,
) -> None:
    """Replay history day by day under a strategy file; writes nothing to the database."""
    context = context_of(ctx.obj)
    actor = context.actor()
    policy = read_strategy(strategy.read_text(encoding="utf-8"))
    fired = simulate(context.uow(), actor, policy, start, end)
    codes = customer_codes(context.uow(), actor.company_id, {a.customer_id for a in fired})
    header = (
        "date",
        "customer",
        "segment",
        "step",
        "action",
        "level",
        "channel",
        "invoice_numbers",
        "amount",
        "currency",
    )
    rows = [
        (
            a.day,
            codes.get(a.customer_id, a.customer_id),
            a.segment,
            a.step,
            a.kind,
            a.level,
            a.channel,
            " ".join(a.invoice_numbers),
            Money.from_minor(a.amount_minor, a.currency).amount,
            a.currency,
        )
        for a in fired
    ]
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    _print(f"Simulation {start} to {end}: {len(rows)} actions", header, rows, output)


@strategy_app.command("show")
def strategy_show(ctx: typer.Context) -> None:
    """Print the active strategy as YAML."""
    context = context_of(ctx.obj)
    version, policy = current_strategy(context.uow(), context.actor())
    typer.echo(
        f"# version {version.version}, loaded {version.created_at:%Y-%m-%d} by {version.created_by}"
    )
    typer.echo(strategy_yaml(policy), nl=False)


@strategy_app.command("validate")
def strategy_validate(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Check a strategy file; every problem is named by the path of its field."""
    policy = read_strategy(file.read_text(encoding="utf-8"))
    steps = sum(len(s.steps) for s in policy.segments)
    typer.echo(f"{file}: valid ({len(policy.segments)} segments, {steps} steps)")


@strategy_app.command("load")
def strategy_load(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]
) -> None:
    """Check a strategy file and make it the active version."""
    context = context_of(ctx.obj)
    version = load_strategy(context.uow(), context.actor(), file.read_text(encoding="utf-8"))
    typer.echo(f"strategy {version.name!r} loaded as version {version.version} (active)")
