"""`o2c webhook add|list|disable|deliveries|redeliver`: webhook subscriptions and deliveries.

The worker sends due deliveries every minute (job `integration.webhooks`); to send now:
`o2c jobs run-once --kind integration.webhooks`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from o2c.db.deps import context_of
from o2c.integration import webhooks

app = typer.Typer(help="Outbound webhooks: subscriptions and deliveries.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    url: str,
    topics: Annotated[
        list[str], typer.Option("--topic", help="invoice.posted, invoice.* or * (repeatable)")
    ],
    secret: Annotated[str | None, typer.Option(help="Signing secret (default: generated)")] = None,
    description: str = "",
) -> None:
    """Subscribe URL to the topics; prints the signing secret once."""
    context = context_of(ctx.obj)
    command = webhooks.SubscriptionCreate(url, topics, secret, description)
    row = webhooks.add_subscription(context.uow(), context.actor(), command)
    typer.echo(f"webhook {row.id} -> {row.url} ({', '.join(row.topics)})")
    typer.echo(f"secret: {row.secret}")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    context = context_of(ctx.obj)
    table = Table("id", "url", "topics", "active", "description")
    for row in webhooks.list_subscriptions(context.uow(), context.actor()):
        table.add_row(
            str(row.id),
            row.url,
            ", ".join(row.topics),
            "yes" if row.active else "no",
            row.description,
        )
    Console().print(table)


@app.command()
def disable(ctx: typer.Context, subscription_id: int) -> None:
    context = context_of(ctx.obj)
    row = webhooks.disable_subscription(context.uow(), context.actor(), subscription_id)
    typer.echo(f"webhook {row.id} disabled")


@app.command()
def deliveries(
    ctx: typer.Context,
    subscription: Annotated[int | None, typer.Option(help="Only this subscription")] = None,
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead")] = None,
    limit: int = 50,
) -> None:
    """The newest deliveries with their last answer."""
    context = context_of(ctx.obj)
    found = webhooks.list_deliveries(context.uow(), context.actor(), subscription, status, limit)
    table = Table("id", "webhook", "event", "topic", "status", "attempts", "last answer", "ms")
    for delivery, attempts in found:
        last = attempts[-1] if attempts else None
        answer = "" if last is None else (last.error or str(last.status_code))
        table.add_row(
            str(delivery.id),
            str(delivery.subscription_id),
            str(delivery.event_id),
            delivery.topic,
            delivery.status,
            str(delivery.attempts),
            answer,
            "" if last is None else str(last.latency_ms),
        )
    Console(width=160).print(table)


@app.command()
def redeliver(ctx: typer.Context, delivery_id: int) -> None:
    """Try a dead delivery again (from its first attempt)."""
    context = context_of(ctx.obj)
    delivery = webhooks.redeliver(context.uow(), context.actor(), delivery_id)
    typer.echo(f"delivery {delivery.id} is pending again")
