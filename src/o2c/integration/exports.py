"""Every main entity of a company as CSV or JSON, for data portability and spreadsheets.

Rows are the table's columns as stored: amounts in integer minor units beside their
currency (exact, never float), dates and instants in ISO 8601, JSON attributes as JSON.
Rows stream in id order in chunks, each chunk read in its own short transaction, so an
export of millions of rows holds neither memory nor a long transaction; rows written while
it runs may or may not be included. Documents as PDF or e-invoice stay `o2c invoice
export`, KPI sheets `o2c analytics`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, select, true

from o2c.billing.tables import Invoice, InvoiceLine
from o2c.catalog.tables import Product
from o2c.db.base import Base
from o2c.db.uow import UnitOfWork
from o2c.disputes.tables import Deduction, DisputeCase
from o2c.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from o2c.ledger.tables import Application, JournalEntry, JournalLine, OpenItem
from o2c.orders.tables import SalesOrder, SalesOrderLine
from o2c.parties.tables import Customer
from o2c.payments.tables import Payment, Refund
from o2c.security.model import Actor, Permission
from o2c.shipping.tables import Shipment

CHUNK = 5000
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ExportEntity:
    name: str
    table: Table
    only: ColumnElement[bool]


def _entity(name: str, model: type[Base], only: ColumnElement[bool] | None = None) -> ExportEntity:
    table = Base.metadata.tables[model.__tablename__]
    return ExportEntity(name, table, true() if only is None else only)


_INVOICES = Base.metadata.tables[Invoice.__tablename__]
ENTITIES = {
    entity.name: entity
    for entity in (
        _entity("customers", Customer),
        _entity("products", Product),
        _entity("orders", SalesOrder),
        _entity("order_lines", SalesOrderLine),
        _entity("shipments", Shipment),
        _entity("invoices", Invoice, _INVOICES.c.kind == "invoice"),
        _entity("credit_notes", Invoice, _INVOICES.c.kind == "credit_note"),
        _entity("invoice_lines", InvoiceLine),
        _entity("payments", Payment),
        _entity("refunds", Refund),
        _entity("open_items", OpenItem),
        _entity("applications", Application),
        _entity("disputes", DisputeCase),
        _entity("deductions", Deduction),
        _entity("journal_entries", JournalEntry),
        _entity("journal_lines", JournalLine),
    )
}


def entity_named(name: str) -> ExportEntity:
    entity = ENTITIES.get(name)
    if entity is None:
        known = ", ".join(sorted(ENTITIES))
        raise ValidationFailed([FieldError("entity", f"unknown entity {name!r} (one of {known})")])
    return entity


def _plain(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export_rows(uow: UnitOfWork, actor: Actor, name: str) -> Iterator[dict[str, Any]]:
    """The company's rows of the entity in id order, as plain JSON-ready values.

    Permission and entity are checked at the call; the rows are read as they are consumed.
    """
    actor.require(Permission.LEDGER_READ)
    if actor.customer_id is not None:
        raise PermissionDenied(f"{actor.name} may not export the company's data")
    return _rows(uow, actor.company_id, entity_named(name))


def _rows(uow: UnitOfWork, company_id: int, entity: ExportEntity) -> Iterator[dict[str, Any]]:
    table, after = entity.table, 0
    while True:
        with uow:
            rows = (
                uow.session.execute(
                    select(table)
                    .where(table.c.company_id == company_id, table.c.id > after, entity.only)
                    .order_by(table.c.id)
                    .limit(CHUNK)
                )
                .mappings()
                .all()
            )
        for row in rows:
            yield {key: _plain(value) for key, value in row.items()}
        if len(rows) < CHUNK:
            return
        after = rows[-1]["id"]


def columns_of(name: str) -> list[str]:
    return [column.name for column in entity_named(name).table.columns]


def csv_chunks(columns: list[str], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text in pieces: the header, then about a hundred rows at a time."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow(
            {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
        if count % 100 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON array in pieces, one row per line."""
    yield "["
    for count, row in enumerate(rows):
        yield ("," if count else "") + "\n" + json.dumps(row, sort_keys=True)
    yield "\n]\n"


def export_chunks(uow: UnitOfWork, actor: Actor, name: str, file_format: str) -> Iterator[str]:
    """The entity's export as text pieces; a bad request fails here, before any piece."""
    if file_format not in FORMATS:
        raise ValidationFailed([FieldError("format", "csv or json")])
    rows = export_rows(uow, actor, name)
    return csv_chunks(columns_of(name), rows) if file_format == "csv" else json_chunks(rows)
