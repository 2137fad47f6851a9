"""Pick lists, carrier and tracking, and returns over HTTP and the CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from o2c.billing.service import invoice_shipment
from o2c.inventory.service import set_location
from o2c.kernel.errors import NotFound, ValidationFailed
from o2c.orders.service import get_order
from o2c.shipping.picklist import pick_list, pick_list_csv, pick_list_pdf
from o2c.shipping.service import create_shipment, get_shipment, ship
from tests.app.client import api_client, o2c
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal
API = "/api/v1"


@pytest.fixture
def planned(uow, actor):
    """Two orders in MAIN with draft shipments (one partial), a third shipped, one in OTHER."""
    bolts = a_product(uow, actor, sku="BOLT")
    nuts = a_product(uow, actor, sku="NUT")
    main, other = a_warehouse(uow, actor), a_warehouse(uow, actor, code="OTHER")
    for product in (bolts, nuts):
        stock(uow, actor, product, main, "20")
    stock(uow, actor, bolts, other, "5")
    set_location(uow, actor, bolts, main, "B-02")
    set_location(uow, actor, nuts, main, "A-07")
    customer = a_customer(uow, actor)
    first = an_order(
        uow, actor, customer, [a_line(bolts, "4"), a_line(nuts, "2")], main, confirm=True
    )
    second = an_order(uow, actor, customer, [a_line(bolts, "3")], main, confirm=True)
    shipped = an_order(uow, actor, customer, [a_line(nuts, "1")], main, confirm=True)
    elsewhere = an_order(uow, actor, customer, [a_line(bolts, "1")], other, confirm=True)
    one = create_shipment(uow, actor, first)
    [second_line] = get_order(uow, actor, second).lines
    two = create_shipment(uow, actor, second, {second_line.id: D(2)})  # partial: 2 of 3
    ship(uow, actor, create_shipment(uow, actor, shipped).id)
    create_shipment(uow, actor, elsewhere)
    return main, one, two


def test_pick_list_has_the_draft_lines_of_the_warehouse_in_walking_order(uow, actor, planned):
    main, one, two = planned

    picks = pick_list(uow, actor, main)

    assert [(li.location, li.sku, li.quantity, li.shipment) for li in picks.lines] == [
        ("A-07", "NUT", D(2), one.number),
        ("B-02", "BOLT", D(4), one.number),
        ("B-02", "BOLT", D(2), two.number),
    ]
    assert picks.warehouse_code == "MAIN"


def test_pick_list_prints_as_csv_and_pdf(uow, actor, planned):
    main, one, _ = planned
    picks = pick_list(uow, actor, main)

    rows = list(csv.DictReader(io.StringIO(pick_list_csv(picks))))
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pick_list_pdf(picks))).pages
    )

    assert [(r["location"], r["sku"], r["quantity"]) for r in rows] == [
        ("A-07", "NUT", "2"),
        ("B-02", "BOLT", "4"),
        ("B-02", "BOLT", "2"),
    ]
    assert "Pick list MAIN" in text
    assert one.number in text


def test_a_shipped_shipment_leaves_the_pick_list(uow, actor, planned):
    main, one, two = planned

    ship(uow, actor, one.id)

    assert [li.shipment for li in pick_list(uow, actor, main).lines] == [two.number]


def test_carrier_and_tracking_can_be_given_when_shipping(uow, actor, planned):
    _, one, two = planned
    ship(uow, actor, one.id, carrier="UPS", tracking="1Z999AA10123456784")
    ship(uow, actor, two.id)

    assert (
        get_shipment(uow, actor, one.id).carrier,
        get_shipment(uow, actor, one.id).tracking,
    ) == (
        "UPS",
        "1Z999AA10123456784",
    )
    assert get_shipment(uow, actor, two.id).tracking is None


def test_locations_are_checked(uow, actor, planned):
    main, _, _ = planned
    with pytest.raises(ValidationFailed, match="at most 30"):
        set_location(uow, actor, a_product(uow, actor), main, "X" * 31)
    with pytest.raises(NotFound):
        set_location(uow, actor, a_product(uow, actor), main + 99, "A-01")


def test_pick_list_and_tracking_over_http(engine, clock, uow, actor, planned):
    main, one, _ = planned
    client = api_client(engine, clock)

    as_json = client.get(f"{API}/shipments/pick-lists/{main}").json()
    as_csv = client.get(f"{API}/shipments/pick-lists/{main}", params={"format": "csv"})
    as_pdf = client.get(f"{API}/shipments/pick-lists/{main}", params={"format": "pdf"})
    shipped = client.post(
        f"{API}/shipments/{one.id}/ship", json={"carrier": "DHL", "tracking": "JD01"}
    ).json()
    missing = client.get(f"{API}/shipments/pick-lists/{main + 99}")

    assert [li["quantity"] for li in as_json["lines"]] == ["2", "4", "2"]
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[1].startswith("A-07,NUT,")
    assert as_pdf.content.startswith(b"%PDF")
    assert (shipped["carrier"], shipped["tracking"]) == ("DHL", "JD01")
    assert missing.status_code == 404


def test_a_return_goes_from_authorised_to_credited_over_http(engine, clock, uow, actor, planned):
    main, one, _ = planned
    client = api_client(engine, clock)
    client.post(f"{API}/shipments/{one.id}/ship", json={})
    invoice_shipment(uow, actor, one.id)
    line = one.lines[0].order_line_id

    created = client.post(
        f"{API}/returns",
        json={
            "order_id": one.order_id,
            "lines": [{"order_line_id": line, "quantity": "1"}],
            "reason": "dented",
        },
        headers={"Idempotency-Key": "rma-1"},
    )
    too_many = client.post(
        f"{API}/returns",
        json={
            "order_id": one.order_id,
            "lines": [{"order_line_id": line, "quantity": "9"}],
            "reason": "all",
        },
    )
    rma = created.json()
    received = client.post(f"{API}/returns/{rma['id']}/receive", json={"disposition": "restock"})
    credited = client.post(f"{API}/returns/{rma['id']}/credit")

    assert created.status_code == 201
    assert too_many.status_code == 422
    assert too_many.headers["content-type"] == "application/problem+json"
    assert received.json()["status"] == "received"
    assert received.json()["warehouse_id"] == main
    assert credited.json()["status"] == "credited"
    assert len(credited.json()["credit_note_ids"]) == 1
    listed = client.get(f"{API}/returns", params={"order_id": one.order_id}).json()
    assert [r["number"] for r in listed["items"]] == [rma["number"]]


def test_picklist_and_rma_from_the_cli(database, uow, actor, planned, tmp_path):
    _, one, two = planned
    ship(uow, actor, one.id)
    order = get_order(uow, actor, one.order_id)

    shown = o2c(database, "picklist", "show", "MAIN", "--format", "csv")
    printed = o2c(
        database, "picklist", "show", "MAIN", "--format", "pdf", "--out", str(tmp_path / "p.pdf")
    )
    authorised = o2c(database, "rma", "authorise", order.number, "1:2", "--reason", "wrong size")
    over = o2c(database, "rma", "authorise", order.number, "1:9", "--reason", "all")
    number = authorised.stdout.split("\t")[0]
    received = o2c(database, "rma", "receive", number, "--scrap")
    unknown = o2c(database, "picklist", "show", "NOWHERE")

    assert shown.exit_code == 0, shown.output
    header, row = shown.stdout.splitlines()
    assert header == "location,sku,product,quantity,shipment,order,customer"
    assert row.startswith(f"B-02,BOLT,Widget,2,{two.number},")
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    assert printed.exit_code == 0
    assert authorised.exit_code == 0, authorised.output
    assert number.startswith("RMA-")
    assert over.exit_code != 0
    assert "returnable" in over.output
    assert received.exit_code == 0
    assert "\treceived\t" in received.stdout
    assert unknown.exit_code != 0
