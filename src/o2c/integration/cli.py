"""`o2c edi ...`: trading partners, orders in (X12 850, UBL, CII), 810 and 856 out, the record.

`o2c edi import FILE` takes any order file a customer sends and detects its syntax by content:
an XML file is a UBL Order or Invoice, an Order-X order or a CII invoice; anything else is an
X12 interchange of 850s (answered with a 997 written by `--ack-out`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.formats.x12 import Delimiters
from o2c.integration.delivery import Outcome, deliver_documents, set_delivery_channel
from o2c.integration.inbound import list_inbound_documents, receive
from o2c.integration.interchanges import InterchangeFilter, list_interchanges
from o2c.integration.model import PartnerCreate
from o2c.integration.service import create_partner, document_id, export_810, export_856
from o2c.kernel.config import Settings
from o2c.parties.service import find_customer

app = typer.Typer(
    help="EDI with trading partners: X12 850, UBL and CII orders in; 997, 810 and 856 out.",
    no_args_is_help=True,
)


@app.command("partner")
def partner(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    isa_id: Annotated[str, typer.Option("--id", help="The partner's ISA06 interchange id")],
    our_id: Annotated[str, typer.Option("--our-id", help="Our ISA06 id as the partner knows it")],
    qualifier: Annotated[str, typer.Option("--qualifier")] = "ZZ",
    our_qualifier: Annotated[str, typer.Option("--our-qualifier")] = "ZZ",
    test: Annotated[bool, typer.Option("--test", help="Mark interchanges T (test)")] = False,
    separators: Annotated[
        str, typer.Option("--separators", help="element, component, segment characters")
    ] = "*>~",
) -> None:
    """Register a customer as an EDI trading partner."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    with uow:
        customer_id = find_customer(uow, actor, customer).id
    element, component, segment = [*separators, "", "", ""][:3]
    created = create_partner(
        uow,
        actor,
        PartnerCreate(
            customer_id,
            qualifier,
            isa_id,
            our_qualifier,
            our_id,
            delimiters=Delimiters(element, component, segment),
            usage="T" if test else "P",
        ),
    )
    typer.echo(f"partner {created.id}: {customer} as {qualifier}/{created.isa_id}")


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    ack_out: Annotated[
        Path | None, typer.Option("--ack-out", help="Write the 997 acknowledgement here (X12)")
    ] = None,
) -> None:
    """Import an order file (X12 850, UBL Order/Invoice, Order-X, CII): one draft order each."""
    context = context_of(ctx.obj)
    received = receive(context.uow(), context.actor(), file.read_bytes(), str(file))
    for order in received.orders:
        typer.echo(f"{order.order_number}\tPO {order.reference}\t{received.format}")
    if received.duplicate:
        typer.echo("already imported: nothing new created")
    if received.totals_differ:
        typer.echo("note: the document's line total differs from the draft order's; check it")
    if ack_out is not None and received.acknowledgement is not None:
        ack_out.write_bytes(received.acknowledgement)


@app.command("interchanges")
def interchanges(
    ctx: typer.Context,
    direction: Annotated[str | None, typer.Option(help="in or out")] = None,
    kind: Annotated[str | None, typer.Option("--type", help="850, 810, 856 or 997")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Interchanges sent and received, newest first (tab-separated)."""
    context = context_of(ctx.obj)
    where = InterchangeFilter(direction=direction, document_type=kind, limit=limit)
    rows, total = list_interchanges(context.uow(), context.actor(), where)
    typer.echo("id\tdirection\ttype\tcontrol\treference\tcreated_at")
    for row in rows:
        typer.echo(
            f"{row.id}\t{row.direction}\t{row.document_type}\t{row.control_number}"
            f"\t{row.reference}\t{row.created_at.isoformat()}"
        )
    typer.echo(f"{len(rows)} of {total}", err=True)


@app.command("documents")
def documents(ctx: typer.Context, limit: Annotated[int, typer.Option(min=1, max=500)] = 50) -> None:
    """Inbound UBL and CII documents and the draft orders they opened (tab-separated)."""
    context = context_of(ctx.obj)
    rows, total = list_inbound_documents(context.uow(), context.actor(), limit)
    typer.echo("syntax\tdocument_id\torder\tcurrency\torder_net\tdocument_total")
    for row in rows:
        typer.echo(
            f"{row.syntax}\t{row.document_id}\t{row.order_number}\t{row.currency}"
            f"\t{row.order_net}\t{'' if row.document_total is None else row.document_total}"
        )
    typer.echo(f"{len(rows)} of {total}", err=True)


@app.command("export")
def export(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="810 (invoice) or 856 (ship notice)")],
    number: Annotated[str, typer.Argument(help="Invoice or shipment number")],
    out: Annotated[Path, typer.Option("--out", help="File to write the interchange to")],
) -> None:
    """Send a posted invoice (810) or a shipped shipment (856) as an X12 interchange."""
    if kind not in {"810", "856"}:
        raise typer.BadParameter("810 or 856", param_hint="KIND")
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    found = document_id(uow, actor, kind, number)
    result = (export_810 if kind == "810" else export_856)(uow, actor, found)
    out.write_bytes(result.content)
    typer.echo(f"{kind} {number}: interchange {result.control_number} written to {out}")


@app.command("channel")
def channel(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code")],
    via: Annotated[str, typer.Argument(help="email, portal, edi or peppol")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf, ubl, cii or facturx (per channel)")
    ] = None,
) -> None:
    """Choose how a customer's invoices and credit notes are delivered."""
    context = context_of(ctx.obj)
    actor, uow = context.actor(), context.uow()
    with uow:
        customer_id = find_customer(uow, actor, customer).id
    chosen = set_delivery_channel(uow, actor, customer_id, via, fmt)
    typer.echo(f"{customer}: {chosen.channel.value} ({chosen.format})")


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    numbers: Annotated[list[str] | None, typer.Argument(help="Document numbers")] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Every document issued up to then"),
    ] = None,
    drop_dir: Annotated[
        Path | None,
        typer.Option("--peppol-dir", help="Peppol drop directory (default: O2C_PEPPOL_DROP_DIR)"),
    ] = None,
) -> None:
    """Deliver posted documents not yet delivered, each on its customer's channel."""
    context = context_of(ctx.obj)
    settings = getattr(ctx.obj, "settings", None)
    configured = settings.peppol_drop_dir if isinstance(settings, Settings) else None
    if drop_dir is None and configured:
        drop_dir = Path(configured)
    outcomes = deliver_documents(
        context.uow(),
        context.actor(),
        numbers=numbers or None if as_of is None else None,
        as_of=None if as_of is None else as_of.date(),
        peppol_drop_dir=drop_dir,
    )
    typer.echo("number\tchannel\toutcome\tdetail")
    for outcome in outcomes:
        channel = "" if outcome.channel is None else outcome.channel.value
        typer.echo(f"{outcome.number}\t{channel}\t{outcome.outcome.value}\t{outcome.detail or ''}")
    failed = sum(1 for o in outcomes if o.outcome is Outcome.FAILED)
    typer.echo(f"{len(outcomes)} documents, {failed} failed", err=True)
    if failed:
        raise typer.Exit(1)
