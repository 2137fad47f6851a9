"""`o2c edi ...`: trading partners, 850 orders in, 810 invoices and 856 ship notices out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.formats.x12 import Delimiters
from o2c.integration.model import PartnerCreate
from o2c.integration.service import (
    create_partner,
    document_id,
    export_810,
    export_856,
    import_850,
)
from o2c.parties.service import find_customer

app = typer.Typer(help="EDI X12 with trading partners: 850 and 997 in, 810 and 856 out.")


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
        Path | None, typer.Option("--ack-out", help="Write the 997 acknowledgement here")
    ] = None,
) -> None:
    """Import an 850 interchange: one draft sales order per purchase order, and a 997."""
    context = context_of(ctx.obj)
    result = import_850(context.uow(), context.actor(), file.read_bytes(), str(file))
    for order in result.orders:
        typer.echo(f"{order.order_number}\tPO {order.po_number}\tset {order.set_control}")
    if result.duplicate:
        typer.echo("already imported: nothing new created")
    if ack_out is not None:
        ack_out.write_bytes(result.acknowledgement)


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
