"""Inbound e-documents: a customer's UBL or CII order (or invoice sent as one) opens a draft order.

The document is parsed whole first (`formats.inbound_order`); then its buyer must be one of
our customers and every line's item one of our products (`integration.resolution`, the rules
the X12 850 import uses too). Every problem is collected and reported together, each naming
the XML path of the element at fault, and nothing is created unless all lines resolve.

Idempotency: the same bytes again return the first import's order (`duplicate`); a document
id already received from that customer with other content is a `DuplicateImport`. The row in
`inbound_document` is written in the order's transaction, and its unique keys settle races:
the loser's transaction is rolled back and it answers with the winner's order.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from o2c.db.uow import UnitOfWork
from o2c.formats.inbound_order import looks_like_xml, parse_order_document
from o2c.formats.order_document import OrderDocument
from o2c.formats.problems import Problems
from o2c.integration.model import (
    DocumentImport,
    Received,
    ReceivedOrder,
    unece_unit,
    unit_accepted,
)
from o2c.integration.resolution import customer_for, product_for
from o2c.integration.service import import_850
from o2c.integration.tables import InboundDocument
from o2c.kernel.errors import DuplicateImport
from o2c.kernel.money import Money
from o2c.orders import service as orders
from o2c.orders.lines import OrderLineCreate
from o2c.parties.model import Customer
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


def _lines(
    uow: UnitOfWork, actor: Actor, document: OrderDocument, currency: str, problems: Problems
) -> list[OrderLineCreate]:
    """Each document line as an order line at the buyer's price; unknown items are problems."""
    lines = []
    for line in document.lines:
        codes = [line.seller_item_id, *line.standard_item_ids, line.buyer_item_id]
        product, tried = product_for(uow, actor, codes)
        if product is None:
            problems.add(line.line, line.item_path, f"no product with SKU {tried or '(none sent)'}")
            continue
        if not unit_accepted(line.unit_code, product.unit):
            problems.add(
                line.line,
                f"{line.quantity_path}/@unitCode",
                f"unit {line.unit_code} is not the product's {unece_unit(product.unit)}",
            )
        price = None if line.unit_price is None else Money(line.unit_price, currency)
        lines.append(OrderLineCreate(product.id, line.quantity, price))
    return lines


def _checked(
    uow: UnitOfWork, actor: Actor, document: OrderDocument, path: str
) -> tuple[Customer, str, list[OrderLineCreate]]:
    """The customer, currency and order lines, or `InvalidFile` with every problem."""
    problems = Problems(path)
    customer, why = customer_for(uow, actor, document.buyer)
    if customer is None:
        problems.refuse(document.buyer.line, document.buyer.path, why)
    currency = document.currency or customer.currency
    lines = _lines(uow, actor, document, currency, problems)
    problems.raise_if_any()
    return customer, currency, lines


def _result(uow: UnitOfWork, actor: Actor, row: InboundDocument, duplicate: bool) -> DocumentImport:
    order = orders.get_order(uow, actor, row.order_id)
    total = (
        None
        if row.document_total_minor is None
        else Money.from_minor(row.document_total_minor, order.currency).amount
    )
    return DocumentImport(
        document_row_id=row.id,
        syntax=row.syntax,
        document_id=row.document_id,
        customer_id=row.customer_id,
        order_id=order.id,
        order_number=order.number,
        currency=order.currency,
        order_net=Money.from_minor(order.lines_net_minor, order.currency).amount,
        document_total=total,
        duplicate=duplicate,
    )


def _received(uow: UnitOfWork, actor: Actor, digest: str) -> InboundDocument | None:
    return uow.session.scalar(
        select(InboundDocument).where(
            InboundDocument.company_id == actor.company_id,
            InboundDocument.content_sha256 == digest,
        )
    )


def _refuse_resent(
    uow: UnitOfWork, actor: Actor, customer: Customer, document: OrderDocument
) -> None:
    """A document id this customer sent before, now with other content, is not a new order."""
    earlier = uow.session.scalar(
        select(InboundDocument.id).where(
            InboundDocument.company_id == actor.company_id,
            InboundDocument.customer_id == customer.id,
            InboundDocument.syntax == document.syntax.value,
            InboundDocument.document_id == document.document_id[:120],
        )
    )
    if earlier is not None:
        raise DuplicateImport(
            f"{document.syntax} {document.document_id} from customer {customer.code} "
            "was already imported with other content"
        )


def _total_minor(document: OrderDocument, currency: str) -> int | None:
    if document.line_total is None:
        return None
    return Money(document.line_total, currency).minor


def import_order_document(
    uow: UnitOfWork, actor: Actor, data: bytes, path: str = ""
) -> DocumentImport:
    """Open a draft sales order from a UBL Order/Invoice or Order-X/CII document.

    The order carries the document id as its PO number and the buyer's unit prices; lines
    without a price take the customer's price list. Refused whole (`InvalidFile`, each
    problem naming its XML path) when the buyer or any item is unknown.
    """
    actor.require(Permission.ORDER_WRITE)
    document = parse_order_document(data, path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _import(uow, actor, document, data, digest, path)
    except IntegrityError:
        # A concurrent import of the same document committed first: answer with its order.
        with uow:
            earlier = _received(uow, actor, digest)
            if earlier is None:
                raise
            return _result(uow, actor, earlier, duplicate=True)


def _import(
    uow: UnitOfWork, actor: Actor, document: OrderDocument, data: bytes, digest: str, path: str
) -> DocumentImport:
    with uow:
        earlier = _received(uow, actor, digest)
        if earlier is not None:
            return _result(uow, actor, earlier, duplicate=True)
        customer, currency, lines = _checked(uow, actor, document, path)
        _refuse_resent(uow, actor, customer, document)
        order = orders.create_order(
            uow,
            actor,
            orders.OrderCreate(
                customer_id=customer.id,
                lines=lines,
                currency=currency,
                order_date=document.issue_date,
                po_number=document.document_id[:60],
            ),
        )
        row = InboundDocument(
            company_id=actor.company_id,
            customer_id=customer.id,
            syntax=document.syntax.value,
            document_id=document.document_id[:120],
            issue_date=document.issue_date,
            order_id=order.id,
            document_total_minor=_total_minor(document, currency),
            content_sha256=digest,
            content=data.decode("utf-8", errors="replace"),
            received_at=uow.clock.now(),
            received_by=actor.name,
        )
        uow.session.add(row)
        uow.session.flush()
        audit(
            uow,
            actor,
            "inbound_document.import",
            "inbound_document",
            row.id,
            {"syntax": row.syntax, "document": row.document_id, "order": order.number},
        )
        uow.publish(
            actor.company_id,
            "inbound_document.imported",
            {"inbound_document_id": row.id, "order_id": order.id, "syntax": row.syntax},
        )
        result = _result(uow, actor, row, duplicate=False)
        uow.commit()
        return result


def list_inbound_documents(
    uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[DocumentImport], int]:
    """Received e-documents, newest first, each with the order it opened."""
    actor.require(Permission.LEDGER_READ)
    where = InboundDocument.company_id == actor.company_id
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(InboundDocument).where(where))
        rows = uow.session.scalars(
            select(InboundDocument)
            .where(where)
            .order_by(InboundDocument.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [_result(uow, actor, row, duplicate=False) for row in rows], total or 0


def receive(uow: UnitOfWork, actor: Actor, data: bytes, path: str = "") -> Received:
    """Open the draft orders of one inbound file, choosing the reader by its content.

    XML (after an optional byte-order mark) is a UBL or CII e-document; anything else is read
    as an X12 interchange of 850s. One entry point, so scripts need not know the syntax.
    """
    if looks_like_xml(data):
        document = import_order_document(uow, actor, data, path)
        return Received(
            document.syntax,
            (ReceivedOrder(document.document_id, document.order_id, document.order_number),),
            document.duplicate,
            None,
            document.totals_differ,
        )
    result = import_850(uow, actor, data, path)
    return Received(
        "x12-850",
        tuple(ReceivedOrder(o.po_number, o.order_id, o.order_number) for o in result.orders),
        result.duplicate,
        result.acknowledgement,
    )
