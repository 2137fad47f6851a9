"""EDI and inbound e-documents through the HTTP API, and `o2c edi` for XML orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from o2c.billing.service import invoice_shipment
from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product, install_defaults
from o2c.kernel.money import Money
from o2c.ledger.service import set_fx_rate
from o2c.orders.service import confirm_order
from o2c.shipping.service import create_shipment, ship
from tests.app.client import api_client, o2c
from tests.formats.formats_corpus import read
from tests.integration.test_inbound_documents import OASIS_ORDER, products
from tests.orders.builders import a_customer
from tests.x12_reader import read_back

AOJUK = "edi850/Inteligenz__X12Parser__850_From_aojuk.txt"


@pytest.fixture
def client(engine, clock):
    return api_client(engine, clock)


@pytest.fixture
def buyer(uow, actor):
    """The 850 sample's buyer, with its two SKUs."""
    install_defaults(uow, actor)
    create_product(
        uow, actor, ProductCreate("123456", "Pack", Money("10.98", "USD"), unit="pk", stocked=False)
    )
    create_product(
        uow, actor, ProductCreate("654321", "Unit", Money("219.00", "USD"), stocked=False)
    )
    return a_customer(uow, actor, currency="USD")


def a_partner(client, customer: int, key: str | None = None):
    body = {"customer_id": customer, "isa_id": "SITESTUFFP2P", "our_id": "SUPPLIERID"}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/edi/partners", json=body, headers=headers)


def test_a_partners_850_is_imported_acknowledged_and_recorded(client, buyer):
    partner = a_partner(client, buyer, key="partner-1")
    same = a_partner(client, buyer, key="partner-1")

    first = client.post("/api/v1/edi/imports", content=read(AOJUK), params={"filename": "po.edi"})
    again = client.post("/api/v1/edi/imports", content=read(AOJUK))
    listed = client.get("/api/v1/edi/interchanges").json()
    received = client.get("/api/v1/edi/interchanges", params={"direction": "in"}).json()
    one = client.get(f"/api/v1/edi/interchanges/{received['items'][0]['id']}").json()

    assert partner.status_code == 201, partner.text
    assert same.json()["id"] == partner.json()["id"]
    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert (body["format"], body["duplicate"]) == ("x12-850", False)
    assert [o["reference"] for o in body["orders"]] == ["6190"]
    assert read_back(body["acknowledgement"].encode()).one("AK9")[1] == "A"
    assert again.json()["orders"] == body["orders"]
    assert [(i["direction"], i["document_type"]) for i in listed["items"]] == [
        ("out", "997"),
        ("in", "850"),
    ]
    assert listed["items"][0]["content"] is None
    assert one["content"].lstrip("\ufeff").startswith("ISA*00*")


def test_a_retried_810_export_sends_one_interchange(client, uow, actor, buyer):
    a_partner(client, buyer)
    set_fx_rate(uow, actor, "USD", date(2026, 3, 1), Decimal("0.92"))
    order = client.post("/api/v1/edi/imports", content=read(AOJUK)).json()["orders"][0]
    confirm_order(uow, actor, order["order_id"])
    shipment = create_shipment(uow, actor, order["order_id"])
    ship(uow, actor, shipment.id)
    invoice = invoice_shipment(uow, actor, shipment.id)
    key = {"Idempotency-Key": "send-810"}

    notice = client.post("/api/v1/edi/exports/856", json={"shipment_id": shipment.id})
    sent = client.post("/api/v1/edi/exports/810", json={"invoice_id": invoice.id}, headers=key)
    resent = client.post("/api/v1/edi/exports/810", json={"invoice_id": invoice.id}, headers=key)

    assert (notice.status_code, sent.status_code) == (201, 201), sent.text
    assert resent.json()["id"] == sent.json()["id"]
    assert sent.json()["control_number"] == 3
    back = read_back(sent.json()["content"].encode())
    assert back.errors == []
    assert back.one("BIG")[2] == invoice.number
    outgoing = client.get("/api/v1/edi/interchanges", params={"document_type": "810"}).json()
    assert outgoing["total"] == 1


def test_an_xml_order_is_detected_and_opens_a_draft(client, uow, actor):
    products(uow, actor, "SEK", ("SItemNo001", "l"), ("SItemNo011", "pc"))
    a_customer(uow, actor, currency="SEK", tax_id="SE1234567801")

    imported = client.post(
        "/api/v1/edi/imports", content=OASIS_ORDER.read_bytes(), params={"filename": "o.xml"}
    )
    documents = client.get("/api/v1/edi/documents").json()

    assert imported.status_code == 201, imported.text
    assert imported.json()["format"] == "ubl-order"
    assert imported.json()["acknowledgement"] is None
    (document,) = documents["items"]
    assert (document["document_id"], document["order_net"], document["document_total"]) == (
        "34",
        "6225.00",
        "6225.00",
    )


def test_a_bad_xml_order_is_a_problem_listing_each_path(client, uow, actor):
    a_customer(uow, actor, currency="SEK", tax_id="SE1234567801")

    refused = client.post(
        "/api/v1/edi/imports", content=OASIS_ORDER.read_bytes(), params={"filename": "o.xml"}
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "invalid_file"
    assert problem["path"] == "o.xml"
    assert [p["field"] for p in problem["problems"]] == [
        "/Order/cac:OrderLine[1]/cac:LineItem/cac:Item",
        "/Order/cac:OrderLine[2]/cac:LineItem/cac:Item",
    ]


def test_edi_import_reads_an_xml_order_from_the_command_line(database, uow, actor):
    products(uow, actor, "SEK", ("SItemNo001", "l"), ("SItemNo011", "pc"))
    a_customer(uow, actor, currency="SEK", tax_id="SE1234567801")

    imported = o2c(database, "edi", "import", str(OASIS_ORDER))
    again = o2c(database, "edi", "import", str(OASIS_ORDER))
    documents = o2c(database, "edi", "documents")
    interchanges = o2c(database, "edi", "interchanges")

    for result in (imported, again, documents, interchanges):
        assert result.exit_code == 0, result.output
    assert "PO 34\tubl-order" in imported.stdout
    assert "already imported" in again.stdout
    assert documents.stdout.splitlines()[1].split("\t")[:2] == ["ubl-order", "34"]
    assert interchanges.stdout.splitlines()[1:] == []
