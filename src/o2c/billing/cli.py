"""`o2c invoice ...`: list posted invoices and credit notes, export one as PDF or e-invoice.

The contract scripts rely on:
    o2c --database URL invoice list --format csv
        header: invoice_number,customer_id,issue_date,due_date,currency,total,open_amount,kind
    o2c --database URL invoice export NUMBER --format pdf|ubl|cii|facturx --out FILE
    o2c --database URL invoice bill-shipments [--batch 100]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from o2c.billing.presentable import DocumentFormat, LetterheadSet
from o2c.billing.presentment import LIST_HEADER, invoice_rows, render_document, set_letterhead
from o2c.billing.service import invoice_shipments, shipments_to_bill
from o2c.db.deps import context_of

app = typer.Typer(
    help="Invoices and credit notes: list, export, the company's letterhead.",
    no_args_is_help=True,
)
Output = Literal["table", "csv"]


@app.command("list")
def list_command(
    ctx: typer.Context,
    output: Annotated[Output, typer.Option("--format")] = "table",
) -> None:
    """Posted invoices and credit notes, oldest first, with what is still open."""
    context = context_of(ctx.obj)
    rows = invoice_rows(context.uow(), context.actor())
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(LIST_HEADER)
        writer.writerows(rows)
        return
    table = Table(title="Invoices and credit notes")
    for column in LIST_HEADER:
        table.add_column(column, justify="right" if column in ("total", "open_amount") else "left")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="Invoice or credit note number")],
    fmt: Annotated[DocumentFormat, typer.Option("--format", help="pdf, ubl, cii or facturx")],
    out: Annotated[Path, typer.Option("--out", help="File to write", dir_okay=False)],
) -> None:
    """Write one posted document as PDF, UBL (Peppol BIS 3.0), CII or Factur-X."""
    context = context_of(ctx.obj)
    document = render_document(context.uow(), context.actor(), number, fmt)
    out.write_bytes(document.content)
    typer.echo(f"{number}: {fmt.value} written to {out} ({len(document.content)} bytes)")


@app.command("bill-shipments")
def bill_shipments(
    ctx: typer.Context,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Shipments per transaction")] = 100,
) -> None:
    """The billing run: invoice and post every shipped shipment not yet billed."""
    context = context_of(ctx.obj)
    total = 0
    while shipment_ids := shipments_to_bill(context.uow(), context.actor(), batch):
        total += len(invoice_shipments(context.uow(), context.actor(), shipment_ids))
    typer.echo(f"{total} shipments invoiced and posted")


@app.command("letterhead")
def letterhead(
    ctx: typer.Context,
    legal_name: Annotated[str, typer.Option("--legal-name")],
    street: Annotated[str, typer.Option("--street")],
    city: Annotated[str, typer.Option("--city")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166 alpha-2, e.g. DE")],
    iban: Annotated[str, typer.Option("--iban", help="Where customers pay")],
    postal_code: Annotated[str | None, typer.Option("--postal-code")] = None,
    vat_id: Annotated[str | None, typer.Option("--vat-id")] = None,
    registration: Annotated[str | None, typer.Option("--registration")] = None,
    contact_name: Annotated[str | None, typer.Option("--contact-name")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    bic: Annotated[str | None, typer.Option("--bic")] = None,
    bank_name: Annotated[str | None, typer.Option("--bank-name")] = None,
    peppol_id: Annotated[
        str | None, typer.Option("--peppol-id", help="SCHEME:ID, e.g. 9930:DE123456789")
    ] = None,
    logo: Annotated[Path | None, typer.Option("--logo", help="PNG file", exists=True)] = None,
) -> None:
    """Set how the company appears on its invoices (address, VAT id, bank, logo)."""
    context = context_of(ctx.obj)
    scheme, _, endpoint = (peppol_id or "").partition(":")
    command = LetterheadSet(
        legal_name=legal_name, street=street, city=city, country=country.upper(), iban=iban,
        postal_code=postal_code, vat_id=vat_id, registration=registration,
        contact_name=contact_name, phone=phone, email=email, bic=bic, bank_name=bank_name,
        endpoint_scheme=scheme or None, endpoint_id=endpoint or None,
        logo_png=logo.read_bytes() if logo else None,
    )  # fmt: skip
    set_letterhead(context.uow(), context.actor(), command)
    typer.echo(f"letterhead of {legal_name} set")
