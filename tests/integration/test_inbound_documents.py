"""A customer's UBL or CII order (or invoice sent as one) opens a draft sales order.

Real documents only: the OASIS UBL 2.1 Order example, the Order-X BASIC sample, and the
official ZUGFeRD / Peppol / EN 16931 invoices in ../shared/data/einvoice.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product, install_defaults
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.formats.inbound_order import parse_order_document
from o2c.formats.order_document import Syntax
from o2c.integration.inbound import import_order_document, list_inbound_documents
from o2c.integration.tables import InboundDocument
from o2c.kernel.errors import DuplicateImport, InvalidFile
from o2c.kernel.money import Money
from o2c.orders.service import get_order
from o2c.orders.tables import SalesOrder
from o2c.parties.model import CustomerCreate
from o2c.parties.service import create_customer
from tests.orders.builders import a_customer

D = Decimal
FILES = Path(__file__).parent / "files"
OASIS_ORDER = FILES / "UBL-Order-2.1-Example.xml"
ORDER_X = FILES / "order-x_basic_sample.xml"
EINVOICE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "einvoice"
ZUGFERD = EINVOICE / "facturx-zugferd/examples-ferd/zugferd_2p3_EN16931_Einfach.xml"
PEPPOL = EINVOICE / "peppol-bis3/rules/examples"


def shared(path: Path) -> bytes:
    if not path.is_file():
        pytest.skip(f"{path} not found: the real-invoice tests need ../shared")
    return path.read_bytes()


def products(uow, actor, currency: str, *specs: tuple[str, str]) -> None:
    """Products by (SKU, unit), priced 1.00 in `currency` (documents bring their own prices)."""
    install_defaults(uow, actor)
    for sku, unit in specs:
        create_product(
            uow, actor, ProductCreate(sku, f"Item {sku}", Money("1.00", currency), unit=unit)
        )


@pytest.fixture
def oasis_buyer(uow, actor):
    """Johnssons byggvaror of the OASIS example, known to us by its VAT id, with both items."""
    products(uow, actor, "SEK", ("SItemNo001", "l"), ("SItemNo011", "pc"))
    return a_customer(uow, actor, currency="SEK", tax_id="SE 1234 5678 01")


def orders_count(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(SalesOrder)) or 0


def test_oasis_ubl_order_opens_a_draft_at_the_buyers_prices(uow, actor, oasis_buyer):
    result = import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    order = get_order(uow, actor, result.order_id)
    assert (result.syntax, result.document_id, result.duplicate) == ("ubl-order", "34", False)
    assert (order.customer_id, order.status, order.currency) == (oasis_buyer, "draft", "SEK")
    assert (order.po_number, str(order.order_date)) == ("34", "2010-01-20")
    assert [(ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        (D(120), 5000),
        (D(15), 1500),
    ]
    assert result.order_net == D("6225.00") == result.document_total
    assert not result.totals_differ


def test_the_same_document_twice_returns_the_first_order(uow, actor, oasis_buyer):
    first = import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    again = import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    assert again.duplicate
    assert (again.order_id, again.order_number) == (first.order_id, first.order_number)
    assert orders_count(uow) == 1


def test_a_document_id_resent_with_other_content_is_refused(uow, actor, oasis_buyer):
    import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")
    changed = OASIS_ORDER.read_bytes().replace(b'"C62">15<', b'"C62">16<')

    with pytest.raises(DuplicateImport):
        import_order_document(uow, actor, changed, "order.xml")

    assert orders_count(uow) == 1


def test_unknown_items_and_a_wrong_unit_are_all_named_by_xml_path(uow, actor):
    products(uow, actor, "SEK", ("SItemNo001", "kg"))
    a_customer(uow, actor, currency="SEK", tax_id="SE1234567801")

    with pytest.raises(InvalidFile) as refused:
        import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    assert [(p.line, p.field) for p in refused.value.problems] == [
        (247, "/Order/cac:OrderLine[1]/cac:LineItem/cbc:Quantity/@unitCode"),
        (294, "/Order/cac:OrderLine[2]/cac:LineItem/cac:Item"),
    ]
    assert "SItemNo011, 123452340123" in refused.value.problems[1].reason
    assert orders_count(uow) == 0


def test_an_unknown_buyer_is_refused_naming_every_id_tried(uow, actor):
    products(uow, actor, "SEK", ("SItemNo001", "l"), ("SItemNo011", "pc"))

    with pytest.raises(InvalidFile) as refused:
        import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    (problem,) = refused.value.problems
    assert problem.field == "/Order/cac:BuyerCustomerParty/cac:Party"
    assert "VAT id SE1234567801" in problem.reason
    assert "electronic address GLN:7300072311115" in problem.reason
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(InboundDocument)) == 0


def test_one_vat_id_on_two_customers_is_ambiguous_not_guessed(uow, actor, oasis_buyer):
    a_customer(uow, actor, currency="SEK", tax_id="SE1234567801")

    with pytest.raises(InvalidFile) as refused:
        import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    assert "names more than one customer" in refused.value.problems[0].reason


def test_order_x_buyer_is_found_by_its_gln_as_electronic_address(uow, actor):
    products(uow, actor, "EUR", ("542668", "m2"), ("73796000", "pc"), ("571704", "pc"))
    buyer = a_customer(uow, actor, attributes={"peppol_id": "0088:3306949923804"})

    result = import_order_document(uow, actor, ORDER_X.read_bytes(), "order-x.xml")

    order = get_order(uow, actor, result.order_id)
    assert (result.syntax, order.customer_id, order.po_number) == ("cii-order", buyer, "1861728")
    assert [(ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        (D("4.052"), 1874),
        (D(5), 8903),
        (D(5), 20802),
    ]
    # 4.052 m2 at 18.74 is 75.93 after rounding; the document says 1561.18 in all
    assert result.document_total == D("1561.18")


def test_a_zugferd_invoice_sent_as_an_order_finds_the_buyer_by_our_account_code(uow, actor):
    data = shared(ZUGFERD)
    products(uow, actor, "EUR", ("TB100A4", "pc"), ("ARNR2", "pc"))
    buyer = create_customer(uow, actor, CustomerCreate("GE2020211", "Kunden AG Mitte")).id

    result = import_order_document(uow, actor, data, "zugferd.xml")

    order = get_order(uow, actor, result.order_id)
    assert (result.syntax, order.customer_id) == ("cii-invoice", buyer)
    assert [(ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        (D(20), 990),
        (D(50), 550),
    ]
    assert result.order_net == result.document_total == D("473.00")


def test_a_peppol_invoice_sent_as_an_order_finds_the_buyer_by_endpoint(uow, actor):
    data = shared(PEPPOL / "Vat-category-S.xml")
    products(uow, actor, "EUR", ("97iugug876", "pc"))
    buyer = a_customer(uow, actor, attributes={"peppol_id": "0002:FR23342"})

    result = import_order_document(uow, actor, data, "invoice.xml")

    assert (result.syntax, result.customer_id) == ("ubl-invoice", buyer)
    assert len(get_order(uow, actor, result.order_id).lines) == 3


def test_a_negative_invoice_line_is_refused_naming_its_quantity(uow, actor):
    data = shared(PEPPOL / "sales-order-example.xml")

    with pytest.raises(InvalidFile) as refused:
        import_order_document(uow, actor, data, "invoice.xml")

    assert [(p.line, p.field) for p in refused.value.problems] == [
        (185, "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity")
    ]


def test_credit_notes_are_not_orders(uow, actor):
    data = shared(PEPPOL / "base-creditnote-correction.xml")

    with pytest.raises(InvalidFile) as refused:
        import_order_document(uow, actor, data, "credit.xml")

    assert refused.value.problems[0].reason == "a credit note is not an order"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (b"<cbc:ID>34</cbc:ID>", "/Order/cbc:ID"),
        (b'<cbc:Quantity unitCode="LTR">120<', "/Order/cac:OrderLine[1]/cac:LineItem/cbc:Quantity"),
        (
            b'"SEK">50</cbc:PriceAmount>',
            "/Order/cac:OrderLine[1]/cac:LineItem/cac:Price/cbc:PriceAmount",
        ),
        (b"<cbc:DocumentCurrencyCode>SEK<", "/Order/cbc:DocumentCurrencyCode"),
    ],
)
def test_malformed_values_are_refused_at_their_path(change, field):
    broken = {
        b"<cbc:ID>34</cbc:ID>": b"<cbc:ID></cbc:ID>",
        b'<cbc:Quantity unitCode="LTR">120<': b'<cbc:Quantity unitCode="LTR">12O<',
        b'"SEK">50</cbc:PriceAmount>': b'"SEK">-50</cbc:PriceAmount>',
        b"<cbc:DocumentCurrencyCode>SEK<": b"<cbc:DocumentCurrencyCode>kronor<",
    }[change]
    data = OASIS_ORDER.read_bytes().replace(change, broken, 1)

    with pytest.raises(InvalidFile) as refused:
        parse_order_document(data, "order.xml")

    assert field in [p.field for p in refused.value.problems]


def test_xml_with_entities_is_refused_before_reading():
    bomb = b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY a "aaaa">]><Order>&a;</Order>'

    with pytest.raises(InvalidFile) as refused:
        parse_order_document(bomb, "bomb.xml")

    assert refused.value.problems[0].field == "xml"


def test_the_parser_reads_the_official_documents_it_is_given():
    document = parse_order_document(ORDER_X.read_bytes())

    assert document.syntax == Syntax.CII_ORDER
    assert document.buyer.vat_ids == ("FR94572141885",)
    assert [line.seller_item_id for line in document.lines] == ["542668", "73796000", "571704"]


def test_received_documents_are_listed_with_their_orders(uow, actor, oasis_buyer):
    first = import_order_document(uow, actor, OASIS_ORDER.read_bytes(), "order.xml")

    listed, total = list_inbound_documents(uow, actor)

    assert total == 1
    assert [(d.document_id, d.order_number) for d in listed] == [("34", first.order_number)]


def test_two_concurrent_imports_of_one_document_open_one_order(backend, engine, clock, actor):
    if backend != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's; SQLite serialises writers")
    setup = UnitOfWork(session_factory(engine), clock)
    products(setup, actor, "SEK", ("SItemNo001", "l"), ("SItemNo011", "pc"))
    a_customer(setup, actor, currency="SEK", tax_id="SE1234567801")
    data, results, barrier = OASIS_ORDER.read_bytes(), [], threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(
            import_order_document(UnitOfWork(session_factory(engine), clock), actor, data)
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2
    assert len({r.order_id for r in results}) == 1
    assert orders_count(setup) == 1
