"""`o2c fraud ...`: scan now, read the review queue, confirm or dismiss an alert."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.fraud.model import AlertStatus, Decision, Rule
from o2c.fraud.service import AlertFilter, get_alert, list_alerts, review_alert, scan
from o2c.kernel.errors import ValidationFailed
from o2c.kernel.masking import mask_text

app = typer.Typer(help="Fraud and billing-inconsistency alerts.", no_args_is_help=True)


@app.command("scan")
def scan_command(
    ctx: typer.Context,
    as_of: Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Run every rule over the recent documents and queue new alerts."""
    context = context_of(ctx.obj)
    result = scan(context.uow(), context.actor(), None if as_of is None else as_of.date())
    typer.echo(f"scanned {result.since} to {result.as_of}")
    for rule in Rule:
        found, raised = result.found.get(rule.value, 0), result.raised.get(rule.value, 0)
        if found:
            typer.echo(f"{rule.value}: {found} found, {raised} new")
    typer.echo(f"{len(result.alert_ids)} new alerts")


@app.command("alerts")
def alerts_command(
    ctx: typer.Context,
    status: Annotated[AlertStatus | None, typer.Option("--status")] = AlertStatus.OPEN,
    rule: Annotated[Rule | None, typer.Option("--rule")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
) -> None:
    """The review queue (open alerts unless --status says otherwise), newest first."""
    context = context_of(ctx.obj)
    rows, total = list_alerts(context.uow(), context.actor(), AlertFilter(status, rule), limit)
    for row in rows:
        typer.echo(f"{row.id}\t{row.severity}\t{row.status}\t{row.rule}\t{mask_text(row.summary)}")
    typer.echo(f"{len(rows)} of {total} alerts")


@app.command("show")
def show_command(ctx: typer.Context, alert_id: int) -> None:
    """One alert with its evidence (JSON; account numbers masked)."""
    context = context_of(ctx.obj)
    alert = get_alert(context.uow(), context.actor(), alert_id)
    typer.echo(f"{alert.id} {alert.rule} {alert.severity} {alert.status}: {alert.summary}")
    typer.echo(mask_text(json.dumps(alert.evidence, indent=2, sort_keys=True)))


@app.command("review")
def review_command(
    ctx: typer.Context,
    alert_id: int,
    note: Annotated[str, typer.Option("--note", help="Why: read by the next reviewer")],
    confirm: Annotated[bool, typer.Option("--confirm", help="The finding is real")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="A false alarm")] = False,
) -> None:
    """Confirm or dismiss an open alert."""
    if confirm == dismiss:
        raise ValidationFailed("give exactly one of --confirm or --dismiss")
    context = context_of(ctx.obj)
    decision = Decision.CONFIRM if confirm else Decision.DISMISS
    alert = review_alert(context.uow(), context.actor(), alert_id, decision, note)
    typer.echo(f"alert {alert.id} {alert.status} by {alert.reviewer}")
