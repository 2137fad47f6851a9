"""Returns (RMA): authorised for shipped units, received into stock or scrapped, credited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.billing.model import CreditLine
from o2c.billing.service import create_credit_note, get_invoice, invoice_shipment
from o2c.billing.tables import InvoiceLine
from o2c.db.outbox import OutboxEvent
from o2c.inventory.service import list_moves
from o2c.kernel.errors import InvalidTransition, ValidationFailed
from o2c.orders.service import get_order
from o2c.returns.model import Disposition, ReturnStatus
from o2c.returns.service import (
    ReturnFilter,
    authorise_return,
    cancel_return,
    credit_return,
    get_return,
    list_returns,
    receive_return,
)
from o2c.shipping.service import create_shipment, ship
from tests.invariants import check_ledger
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


@pytest.fixture
def shipped(uow, actor):
    """4 widgets at 10.00 (+19 % VAT) shipped in two shipments of 3 and 1, both invoiced."""
    widget = a_product(uow, actor, price="10.00")
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, widget, warehouse, "10")
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(widget, "5")], warehouse, confirm=True
    )
    line = get_order(uow, actor, order_id).lines[0].id
    invoices = []
    for quantity in ("3", "1"):
        shipment = create_shipment(uow, actor, order_id, {line: D(quantity)})
        ship(uow, actor, shipment.id)
        invoices.append(invoice_shipment(uow, actor, shipment.id).id)
    return order_id, line, widget, warehouse, invoices


def test_a_return_is_authorised_for_shipped_units_only(uow, actor, shipped):
    order_id, line, *_ = shipped

    rma = authorise_return(uow, actor, order_id, {line: D(2)}, "damaged in transit")

    assert rma.status == ReturnStatus.AUTHORISED
    assert rma.number.startswith("RMA-")
    assert [(li.order_line_id, li.quantity) for li in rma.lines] == [(line, D(2))]
    with pytest.raises(ValidationFailed, match=r"only 2 returnable \(4 shipped, 2 returned"):
        authorise_return(uow, actor, order_id, {line: D(3)}, "more")


def test_over_return_is_refused_and_a_cancelled_return_frees_its_units(uow, actor, shipped):
    order_id, line, *_ = shipped
    with pytest.raises(ValidationFailed, match="only 4 returnable"):
        authorise_return(uow, actor, order_id, {line: D(5)}, "too many")
    first = authorise_return(uow, actor, order_id, {line: D(4)}, "all of it")

    cancelled = cancel_return(uow, actor, first.id)
    again = authorise_return(uow, actor, order_id, {line: D(4)}, "all of it, again")

    assert cancelled.status == ReturnStatus.CANCELLED
    assert again.status == ReturnStatus.AUTHORISED
    with pytest.raises(InvalidTransition):
        receive_return(uow, actor, first.id, Disposition.SCRAP)


def test_return_needs_a_reason_and_lines_of_the_order(uow, actor, shipped):
    order_id, line, *_ = shipped

    with pytest.raises(ValidationFailed) as refused:
        authorise_return(uow, actor, order_id, {line + 999: D(1), line: D(0)}, " ")

    assert sorted(e.field for e in refused.value.errors) == [
        f"lines[{line + 999}]",
        f"lines[{line}].quantity",
        "reason",
    ]


def test_receiving_restocks_with_a_return_move_in_the_chosen_warehouse(uow, actor, shipped):
    order_id, line, widget, warehouse, _ = shipped
    second = a_warehouse(uow, actor, code="RETURNS")
    rma = authorise_return(uow, actor, order_id, {line: D(2)}, "wrong colour")

    received = receive_return(uow, actor, rma.id, Disposition.RESTOCK, second)

    assert (received.status, received.disposition, received.warehouse_id) == (
        ReturnStatus.RECEIVED,
        Disposition.RESTOCK,
        second,
    )
    [move] = list_moves(uow, actor, widget, second)
    assert (move.kind, move.quantity, move.reference) == ("return", D(2), rma.number)
    assert move.reason == "customer return: wrong colour"
    assert position(uow, actor, widget, second) == (D(2), D(0), D(2))
    assert position(uow, actor, widget, warehouse)[0] == D(6)  # 10 in, 4 shipped


def test_restocking_defaults_to_the_order_warehouse_and_scrapping_moves_nothing(
    uow, actor, shipped
):
    order_id, line, widget, warehouse, _ = shipped
    restocked = authorise_return(uow, actor, order_id, {line: D(1)}, "not needed")
    scrapped = authorise_return(uow, actor, order_id, {line: D(1)}, "broken")

    receive_return(uow, actor, restocked.id, Disposition.RESTOCK)
    receive_return(uow, actor, scrapped.id, Disposition.SCRAP)

    kinds = [m.kind for m in list_moves(uow, actor, widget, warehouse)]
    assert kinds.count("return") == 1
    assert position(uow, actor, widget, warehouse)[0] == D(7)
    assert get_return(uow, actor, scrapped.id).warehouse_id is None


def test_credit_issues_a_credit_note_per_invoice_at_the_invoiced_price(uow, actor, shipped):
    order_id, line, _, _, invoices = shipped
    rma = authorise_return(uow, actor, order_id, {line: D(4)}, "recalled")
    receive_return(uow, actor, rma.id, Disposition.SCRAP)

    credited = credit_return(uow, actor, rma.id)

    assert credited.status == ReturnStatus.CREDITED
    notes = [get_invoice(uow, actor, note_id) for note_id in credited.credit_note_ids]
    assert [n.credited_invoice_id for n in notes] == invoices
    assert [(n.kind, n.net_minor, n.total_minor) for n in notes] == [
        ("credit_note", 3000, 3570),
        ("credit_note", 1000, 1190),
    ]
    check_ledger(uow, actor)


def test_credit_takes_the_oldest_invoice_first_for_a_partial_return(uow, actor, shipped):
    order_id, line, _, _, invoices = shipped
    rma = authorise_return(uow, actor, order_id, {line: D(2)}, "two broken")
    receive_return(uow, actor, rma.id, Disposition.SCRAP)

    [note_id] = credit_return(uow, actor, rma.id).credit_note_ids

    note = get_invoice(uow, actor, note_id)
    assert (note.credited_invoice_id, note.total_minor) == (invoices[0], 2380)
    check_ledger(uow, actor)


def test_units_credited_by_hand_already_are_not_credited_twice(uow, actor, shipped):
    order_id, line, _, _, invoices = shipped
    for invoice_id in invoices:
        [original] = uow_lines(uow, invoice_id)
        create_credit_note(uow, actor, invoice_id, [CreditLine(original)], "goodwill")
    rma = authorise_return(uow, actor, order_id, {line: D(1)}, "late return")
    receive_return(uow, actor, rma.id, Disposition.SCRAP)

    with pytest.raises(ValidationFailed, match="not invoiced or credited already"):
        credit_return(uow, actor, rma.id)

    assert get_return(uow, actor, rma.id).status == ReturnStatus.RECEIVED
    check_ledger(uow, actor)


def uow_lines(uow, invoice_id):
    with uow:
        return list(
            uow.session.scalars(select(InvoiceLine.id).where(InvoiceLine.invoice_id == invoice_id))
        )


def test_only_received_returns_are_credited_and_only_once(uow, actor, shipped):
    order_id, line, *_ = shipped
    rma = authorise_return(uow, actor, order_id, {line: D(1)}, "spare")

    with pytest.raises(InvalidTransition):
        credit_return(uow, actor, rma.id)
    receive_return(uow, actor, rma.id, Disposition.SCRAP)
    credit_return(uow, actor, rma.id)
    with pytest.raises(InvalidTransition):
        credit_return(uow, actor, rma.id)
    with pytest.raises(InvalidTransition):
        cancel_return(uow, actor, rma.id)


def test_a_retried_authorisation_returns_the_first(uow, actor, shipped):
    order_id, line, *_ = shipped

    first = authorise_return(uow, actor, order_id, {line: D(1)}, "x", idempotency_key="r-1")
    again = authorise_return(uow, actor, order_id, {line: D(1)}, "x", idempotency_key="r-1")

    assert again.id == first.id
    assert list_returns(uow, actor, ReturnFilter(order_id=order_id))[1] == 1


def test_each_step_publishes_an_event(uow, actor, shipped):
    order_id, line, *_ = shipped
    rma = authorise_return(uow, actor, order_id, {line: D(1)}, "spare")
    receive_return(uow, actor, rma.id, Disposition.SCRAP)
    credit_return(uow, actor, rma.id)

    with uow:
        topics = list(
            uow.session.scalars(
                select(OutboxEvent.topic)
                .where(OutboxEvent.topic.like("return.%"))
                .order_by(OutboxEvent.id)
            )
        )
    assert topics == ["return.authorised", "return.received", "return.credited"]
