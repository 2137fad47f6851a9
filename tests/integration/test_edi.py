"""EDI with a trading partner: a real 850 opens an order, and what we send back reads in pyx12."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.billing.service import invoice_shipment
from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product, install_defaults
from o2c.formats.x12_850 import parse_x12_850
from o2c.integration.model import PartnerCreate
from o2c.integration.service import create_partner, export_810, export_856, import_850
from o2c.integration.tables import EdiInterchange
from o2c.kernel.errors import DuplicateImport, InvalidFile, InvalidTransition
from o2c.kernel.money import Money
from o2c.ledger.service import set_fx_rate
from o2c.orders.service import confirm_order, get_order
from o2c.shipping.service import create_shipment, ship
from tests.formats.formats_corpus import read
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer
from tests.x12_reader import read_back

D = Decimal
AOJUK = "edi850/Inteligenz__X12Parser__850_From_aojuk.txt"


@pytest.fixture
def partner(uow, actor):
    """The sample's buyer SITESTUFFP2P as our customer: SKU 123456 by the pack (PK), 654321."""
    install_defaults(uow, actor)
    price = Money("10.98", "USD")
    create_product(uow, actor, ProductCreate("123456", "Pack", price, unit="pk", stocked=False))
    a_product(uow, actor, price="219.00", stocked=False, sku="654321", currency="USD")
    customer = a_customer(uow, actor, currency="USD")
    return create_partner(
        uow,
        actor,
        PartnerCreate(customer, "ZZ", "SITESTUFFP2P", "ZZ", "SUPPLIERID"),
    )


def interchanges(uow, direction):
    with uow:
        return uow.session.scalars(
            select(EdiInterchange)
            .where(EdiInterchange.direction == direction)
            .order_by(EdiInterchange.id)
        ).all()


def test_real_850_opens_a_draft_order_at_the_buyers_prices_and_is_acknowledged(uow, actor, partner):
    result = import_850(uow, actor, read(AOJUK), "po.edi")

    (imported,) = result.orders
    order = get_order(uow, actor, imported.order_id)
    assert (order.po_number, order.currency, order.status) == ("6190", "USD", "draft")
    assert [(ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        (D(1), 1098),
        (D(1), 21900),
    ]
    ack = read_back(result.acknowledgement)
    assert ack.errors == []
    assert ack.one("GS")[1] == "FA"
    assert ack.one("AK1")[1:] == ["PO", "83"]
    assert ack.one("AK2")[1:] == ["850", "0083"]
    assert ack.one("AK9")[1] == "A"
    assert ack.one("ISA")[6].strip() == "SUPPLIERID"
    assert ack.one("ISA")[8].strip() == "SITESTUFFP2P"


def test_the_same_interchange_twice_opens_one_order_and_returns_the_same_997(uow, actor, partner):
    first = import_850(uow, actor, read(AOJUK), "po.edi")

    again = import_850(uow, actor, read(AOJUK), "po.edi")

    assert again.duplicate
    assert [o.order_id for o in again.orders] == [o.order_id for o in first.orders]
    assert again.acknowledgement == first.acknowledgement
    assert len(interchanges(uow, "in")) == 1


def test_other_content_under_a_received_control_number_is_refused(uow, actor, partner):
    import_850(uow, actor, read(AOJUK), "po.edi")
    changed = read(AOJUK).replace(b"PO1*6917*1*", b"PO1*6917*2*")

    with pytest.raises(DuplicateImport):
        import_850(uow, actor, changed, "po.edi")


def test_a_line_in_another_unit_than_the_products_is_refused(uow, actor, partner):
    data = read(AOJUK).replace(b"PO1*6917*1*PK", b"PO1*6917*1*CA")

    with pytest.raises(InvalidFile) as refused:
        import_850(uow, actor, data, "po.edi")

    assert [(p.line, p.field) for p in refused.value.problems] == [(13, "PO103")]


def test_an_unknown_product_refuses_the_whole_file_naming_its_segment(uow, actor, partner):
    data = read(AOJUK).replace(b"VP*654321", b"VP*999999")

    with pytest.raises(InvalidFile) as refused:
        import_850(uow, actor, data, "po.edi")

    assert [(p.line, p.field) for p in refused.value.problems] == [(16, "PO107")]
    assert interchanges(uow, "in") == []
    assert interchanges(uow, "out") == []


def test_an_unknown_sender_is_refused(uow, actor, partner):
    data = read(AOJUK).replace(b"SITESTUFFP2P   ", b"SOMEONEELSE    ")

    with pytest.raises(InvalidFile) as refused:
        import_850(uow, actor, data, "po.edi")

    assert refused.value.problems[0].field == "ISA06"


def test_ship_notice_and_invoice_go_out_with_gapless_control_numbers(uow, actor, partner):
    set_fx_rate(uow, actor, "USD", date(2026, 3, 1), D("0.92"))
    (imported,) = import_850(uow, actor, read(AOJUK), "po.edi").orders
    confirm_order(uow, actor, imported.order_id)
    shipment = create_shipment(uow, actor, imported.order_id, carrier="UPS", tracking="1Z9")
    ship(uow, actor, shipment.id)

    notice = export_856(uow, actor, shipment.id)
    invoice = invoice_shipment(uow, actor, shipment.id)
    sent = export_810(uow, actor, invoice.id)

    assert [x.control_number for x in interchanges(uow, "out")] == [1, 2, 3]  # 997, 856, 810
    asn = read_back(notice.content)
    assert asn.errors == []
    assert asn.one("PRF")[1] == "6190"
    assert [s[3] for s in asn.all("LIN")] == ["123456", "654321"]
    assert [s[3] for s in asn.all("SN1")] == ["PK", "EA"]
    back = read_back(sent.content)
    assert back.errors == []
    assert (back.one("ISA")[13], back.one("GS")[6], back.one("ST")[2]) == (
        "000000003",
        "3",
        "0003",
    )
    assert back.one("BIG")[2] == invoice.number
    assert back.one("BIG")[4] == "6190"
    assert int(back.one("TDS")[1]) == invoice.total_minor
    total_tax = sum(D(s[2]) for s in back.all("TXI"))
    assert total_tax * 100 == invoice.tax_minor
    lines_net = sum(D(s[2]) * D(s[4]) for s in back.all("IT1"))
    assert lines_net * 100 == invoice.net_minor


def test_an_unshipped_shipment_is_not_announced(uow, actor, partner):
    (imported,) = import_850(uow, actor, read(AOJUK), "po.edi").orders
    confirm_order(uow, actor, imported.order_id)
    shipment = create_shipment(uow, actor, imported.order_id)

    with pytest.raises(InvalidTransition):
        export_856(uow, actor, shipment.id)


def test_stored_interchange_is_the_file_as_received(uow, actor, partner):
    import_850(uow, actor, read(AOJUK), "po.edi")

    (stored,) = interchanges(uow, "in")

    (po,) = parse_x12_850(stored.content.encode())
    assert (stored.control_number, po.po_number) == (91, "6190")
