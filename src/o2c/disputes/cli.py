"""`o2c disputes ...`: work dispute cases and deductions from a terminal.

Cases and deductions are named by id; commands that work on either take `--deduction` to
mean a deduction (a case otherwise). Amounts in are minor units, as in the API.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from o2c.billing.model import LineCreate
from o2c.db.deps import context_of
from o2c.disputes import cases, outcomes, policy, service
from o2c.disputes.metrics import dispute_metrics
from o2c.disputes.model import (
    CaseCreate,
    CaseLineCreate,
    CaseStatus,
    CreditPart,
    CreditRequest,
    DeductionStatus,
    Priority,
    Subject,
)
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.kernel.money import Money

app = typer.Typer(help="Dispute cases and deductions: workflow and outcomes.", no_args_is_help=True)

DeductionFlag = Annotated[bool, typer.Option("--deduction", help="The id is a deduction's")]
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def _subject(deduction: bool) -> Subject:
    return Subject.DEDUCTION if deduction else Subject.CASE


def _money(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency))


def _pair(text: str, what: str) -> tuple[int, int]:
    """`ITEM:AMOUNT_MINOR` (a case line) or `LINE:QUANTITY` style arguments."""
    head, _, tail = text.partition(":")
    if not head.isdigit() or not tail.isdigit():
        raise ValidationFailed([FieldError(what, f"expected ID:NUMBER, got {text!r}")])
    return int(head), int(tail)


@app.command("raise")
def raise_case(
    ctx: typer.Context,
    customer_id: int,
    reason: str,
    lines: Annotated[list[str], typer.Argument(metavar="ITEM:AMOUNT_MINOR...")],
    title: str = "",
    priority: Priority = Priority.NORMAL,
) -> None:
    """Raise a dispute on invoices (open item id and disputed minor units each)."""
    context = context_of(ctx.obj)
    parts = [CaseLineCreate(*_pair(text, "lines")) for text in lines]
    command = CaseCreate(customer_id, reason, parts, title=title, priority=priority)
    case = cases.raise_case(context.uow(), context.actor(), command)
    typer.echo(f"dispute {case.id} opened: {case.owner or case.team}, due {case.due_date}")


@app.command("cases")
def list_cases(
    ctx: typer.Context,
    status: CaseStatus | None = None,
    overdue: bool = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Dispute cases, most urgent due date first."""
    context = context_of(ctx.obj)
    filters = cases.CaseFilter(status=status, overdue=overdue, limit=limit)
    rows, total = cases.list_cases(context.uow(), context.actor(), filters)
    table = Table(title=f"Disputes ({total})")
    for column in ("Id", "Customer", "Reason", "Status", "Amount", "Owner", "Due"):
        table.add_column(column)
    for c in rows:
        table.add_row(
            str(c.id),
            str(c.customer_id),
            c.reason,
            c.status,
            _money(c.amount_minor, c.currency),
            c.owner or c.team,
            str(c.due_date),
        )
    Console().print(table)


@app.command("deductions")
def list_deductions(
    ctx: typer.Context,
    status: DeductionStatus | None = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Deductions, newest first, with the rule they met and their owner."""
    context = context_of(ctx.obj)
    filters = service.DeductionFilter(status=status, limit=limit)
    rows, total = service.list_deductions(context.uow(), context.actor(), filters)
    table = Table(title=f"Deductions ({total})")
    for column in ("Id", "Item", "Amount", "Reason", "Rule", "Status", "Owner"):
        table.add_column(column)
    for d in rows:
        table.add_row(
            str(d.id),
            str(d.item_id),
            _money(d.amount_minor, d.currency),
            d.reason,
            d.rule,
            d.status,
            d.owner or d.team,
        )
    Console().print(table)


@app.command("move")
def move(ctx: typer.Context, case_id: int, status: CaseStatus, note: str = "") -> None:
    """Move a case: open, in_review, awaiting_customer."""
    context = context_of(ctx.obj)
    case = cases.move_case(context.uow(), context.actor(), case_id, status, note)
    typer.echo(f"dispute {case.id} is {case.status}")


@app.command("comment")
def comment(
    ctx: typer.Context,
    subject_id: int,
    body: str,
    deduction: DeductionFlag = False,
    to_customer: bool = False,
) -> None:
    """Add a note (`--to-customer`: a note the customer is sent)."""
    context = context_of(ctx.obj)
    cases.add_comment(
        context.uow(), context.actor(), _subject(deduction), subject_id, body, to_customer
    )
    typer.echo("noted")


@app.command("attach")
def attach(
    ctx: typer.Context,
    subject_id: int,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    content_type: Annotated[str | None, typer.Option(help="Default: from the extension")] = None,
    deduction: DeductionFlag = False,
) -> None:
    """Keep a file (PDF, PNG, JPEG, TIFF, text, CSV, e-mail; at most 10 MB) with it."""
    context = context_of(ctx.obj)
    kind = content_type or CONTENT_TYPES.get(file.suffix.lower(), "text/plain")
    attachment = cases.add_attachment(
        context.uow(),
        context.actor(),
        _subject(deduction),
        subject_id,
        file.name,
        kind,
        file.read_bytes(),
    )
    typer.echo(f"attached {attachment.filename} ({attachment.size_bytes} bytes)")


@app.command("history")
def show_history(ctx: typer.Context, subject_id: int, deduction: DeductionFlag = False) -> None:
    """Every event of a case or deduction, oldest first."""
    context = context_of(ctx.obj)
    trail = cases.trail_of(context.uow(), context.actor(), _subject(deduction), subject_id)
    for event in trail.events:
        move = f"{event.from_status or '-'} -> {event.to_status}" if event.to_status else ""
        typer.echo(f"{event.at:%Y-%m-%d %H:%M} {event.actor}: {event.action} {move}".rstrip())
    for note in trail.comments:
        typer.echo(f"{note.at:%Y-%m-%d %H:%M} {note.author} wrote: {note.body}")


@app.command("credit")
def credit(
    ctx: typer.Context,
    subject_id: int,
    lines: Annotated[list[str] | None, typer.Argument(metavar="[LINE:QUANTITY...]")] = None,
    invoice_id: int | None = None,
    deduction: DeductionFlag = False,
) -> None:
    """Settle by a credit note: of whole units of invoice lines, or of the whole invoice."""
    context = context_of(ctx.obj)
    parts = None
    if lines:
        parts = tuple(
            CreditPart(line_id, Decimal(quantity))
            for line_id, quantity in (_pair(text, "lines") for text in lines)
        )
    request = CreditRequest(invoice_id, parts)
    note_id = outcomes.credit(
        context.uow(), context.actor(), _subject(deduction), subject_id, request
    )
    typer.echo(f"credited by credit note {note_id}")


@app.command("write-off")
def write_off(
    ctx: typer.Context, subject_id: int, note: str = "", deduction: DeductionFlag = False
) -> None:
    """Write the disputed amount off (above the limit: a request for someone else to approve)."""
    context = context_of(ctx.obj)
    result = outcomes.write_off(
        context.uow(), context.actor(), _subject(deduction), subject_id, note
    )
    if result.request_id is not None:
        typer.echo(f"above the approval limit: write-off request {result.request_id} waits")
    else:
        typer.echo("written off")


@app.command("approve")
def approve(ctx: typer.Context, request_id: int) -> None:
    """Approve a write-off request (someone other than the requester)."""
    context = context_of(ctx.obj)
    outcomes.approve_write_off(context.uow(), context.actor(), request_id)
    typer.echo(f"write-off request {request_id} approved and posted")


@app.command("rebill")
def rebill(
    ctx: typer.Context,
    subject_id: int,
    description: str,
    quantity: str,
    unit_price: str,
    tax_category: str | None = None,
    invoice_id: int | None = None,
    deduction: DeductionFlag = False,
) -> None:
    """Credit the invoice in full and bill one corrected line instead."""
    context = context_of(ctx.obj)
    line = LineCreate(
        description, Decimal(quantity), Decimal(unit_price), tax_category=tax_category
    )
    new_id = outcomes.rebill(
        context.uow(), context.actor(), _subject(deduction), subject_id, [line], invoice_id
    )
    typer.echo(f"re-billed as invoice {new_id}")


@app.command("reject")
def reject(
    ctx: typer.Context, subject_id: int, note_to_customer: str, deduction: DeductionFlag = False
) -> None:
    """Reject: the amount is owed again and the customer is sent the note."""
    context = context_of(ctx.obj)
    outcomes.reject(
        context.uow(), context.actor(), _subject(deduction), subject_id, note_to_customer
    )
    typer.echo("rejected; back to collections")


@app.command("chargeback")
def chargeback(ctx: typer.Context, deduction_id: int, note: str = "") -> None:
    """Bill an invalid deduction again as a new invoice."""
    context = context_of(ctx.obj)
    invoice_id = outcomes.chargeback(context.uow(), context.actor(), deduction_id, note)
    typer.echo(f"charged back as invoice {invoice_id}")


@app.command("reasons")
def reasons(ctx: typer.Context) -> None:
    """The reason codes with their SLA, team, owner and X12 codes."""
    context = context_of(ctx.obj)
    table = Table(title="Dispute reasons")
    for column in ("Code", "Name", "SLA days", "Team", "Owner", "X12"):
        table.add_column(column)
    for r in policy.list_reasons(context.uow(), context.actor()):
        table.add_row(r.code, r.name, str(r.sla_days), r.team, r.owner, ",".join(r.x12_codes))
    Console().print(table)


@app.command("metrics")
def metrics(ctx: typer.Context) -> None:
    """Open disputes by reason and age, cycle time, amount at risk, valid rate, recovered."""
    context = context_of(ctx.obj)
    m = dispute_metrics(context.uow(), context.actor())
    table = Table(title=f"Open disputes and deductions on {m.as_of}")
    for column in ("Reason", "Age", "Count", "Amount"):
        table.add_column(column)
    for b in m.open_by_reason_and_age:
        table.add_row(b.reason, b.age, str(b.count), _money(b.amount_minor, b.currency))
    Console().print(table)
    at_risk = ", ".join(_money(v, c) for c, v in sorted(m.at_risk_minor.items())) or "nothing"
    recovered = ", ".join(_money(v, c) for c, v in sorted(m.recovered_minor.items())) or "nothing"
    rate = "n/a" if m.valid_rate is None else f"{m.valid_rate:.0%}"
    cycle = "n/a" if m.average_cycle_days is None else f"{m.average_cycle_days} days"
    typer.echo(f"at risk: {at_risk}; recovered: {recovered}")
    typer.echo(f"average cycle: {cycle} over {m.closed_count} closed; deductions valid: {rate}")
