"""X12 850 in, 997/810/856 out: real purchase orders, and what we write read back by pyx12."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from formats_corpus import corpus, read
from tests.x12_reader import read_back

from o2c.formats.x12 import Delimiters, Interchange, Party, write_interchange
from o2c.formats.x12_810 import InvoiceLineMessage, InvoiceMessage, TaxMessage, invoice_set
from o2c.formats.x12_820 import parse_x12_820
from o2c.formats.x12_850 import PartyInfo, parse_x12_850
from o2c.formats.x12_856 import ShipNotice, ShippedLine, ship_notice_set
from o2c.formats.x12_997 import GroupAck, SetAck, ack_set
from o2c.kernel.errors import InvalidFile

D = Decimal
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def interchange(functional_id: str, control: int = 42, **fields) -> Interchange:
    return Interchange(
        Party("ZZ", "ACMESUPPLY", "ACMEAPP"),
        Party("01", "828513080"),
        control,
        control + 1000,
        functional_id,
        NOW,
        **fields,
    )


@pytest.mark.parametrize("path", corpus("edi850"))
def test_every_real_850_reads_with_its_envelope_and_lines(path):
    (first, *_) = parse_x12_850(path.read_bytes(), path.name)

    assert first.po_number
    assert first.lines
    assert all(line.quantity > 0 for line in first.lines)
    assert first.interchange_control.isdigit()


def test_pgw_glass_order_keeps_prices_buyer_parts_and_descriptions():
    (po,) = parse_x12_850(read("edi850/Inteligenz__X12Parser__850_Example1_PGWGlass.txt"))

    assert (po.po_number, po.po_date, po.currency, po.total) == (
        "S41000439",
        date(2010, 8, 10),
        "USD",
        D("884.06"),
    )
    assert (po.sender, po.interchange_control, po.group_control, po.set_control) == (
        ("01", "828513080"),
        "000000245",
        "245",
        "0001",
    )
    assert [(ln.quantity, ln.unit_price, ln.product_id("BP")) for ln in po.lines] == [
        (D(5), D("5.09"), "0459001004"),
        (D(12), D("63.11"), "0650002027"),
        (D(2), D("8.02"), "0670104514"),
        (D(1), D("85.25"), "0684202074"),
    ]
    assert sum(ln.quantity * (ln.unit_price or 0) for ln in po.lines) == po.total
    ship_to = po.party("ST")
    assert ship_to is not None
    assert (ship_to.city, ship_to.region, ship_to.postal_code) == ("BEREA", "KY", "40403")


def test_aojuk_order_is_read_with_vendor_parts_and_tilde_terminator():
    (po,) = parse_x12_850(read("edi850/Inteligenz__X12Parser__850_From_aojuk.txt"))

    assert [ln.product_id("VP") for ln in po.lines] == ["123456", "654321"]
    assert [ln.description for ln in po.lines] == ["DESCRIPTION 1", "DESCRIPTION 2"]


def test_an_order_whose_ctt_disagrees_is_refused_at_the_ctt_segment():
    data = read("edi850/Inteligenz__X12Parser__850_From_aojuk.txt").replace(b"CTT*2", b"CTT*3")

    with pytest.raises(InvalidFile) as refused:
        parse_x12_850(data, "po.edi")

    assert [(p.line, p.field) for p in refused.value.problems] == [(19, "CTT01")]


@pytest.mark.parametrize("path", corpus("edi820", "edi810"))
def test_remittances_and_invoices_are_refused_as_orders(path):
    with pytest.raises(InvalidFile) as refused:
        parse_x12_850(path.read_bytes(), path.name)
    assert refused.value.problems[0].field == "ST01"


def test_997_acknowledges_each_set_and_pyx12_reads_its_envelope():
    group = GroupAck("PO", "245", [SetAck("850", "0001", True), SetAck("850", "0002", True)])

    data = write_interchange(interchange("FA"), [ack_set(group, 7)])
    back = read_back(data)

    assert back.errors == []
    assert back.one("ISA")[13] == "000000042"
    assert back.one("GS")[6] == "1042"
    assert back.one("ST")[1:] == ["997", "0007"]
    assert back.one("AK1")[1:] == ["PO", "245"]
    assert [s[1:] for s in back.all("AK2")] == [["850", "0001"], ["850", "0002"]]
    assert back.one("AK9")[1:] == ["A", "2", "2", "2"]
    assert back.one("SE")[1:] == [str(len(back.segments) - 4), "0007"]


def an_invoice(**fields) -> InvoiceMessage:
    values = {
        "number": "INV-2026-000001",
        "issue_date": date(2026, 3, 2),
        "due_date": date(2026, 4, 1),
        "currency": "USD",
        "parties": [
            PartyInfo("SE", "Acme Supplies", "91", "ACME"),
            PartyInfo("BY", "PGW Glass", "92", "C1", ("1 Main St",), "Berea", "KY", "40403"),
        ],
        "lines": [
            InvoiceLineMessage(1, D(5), "EA", D("5.09"), "0459001004", "FUSE, BUSSMAN*~|"),
            InvoiceLineMessage(2, D("1.5"), "HR", D("85.25"), None, "Installation"),
        ],
        "taxes": [TaxMessage("standard", D("19"), D("29.13"))],
        "total": D("182.45"),
        "po_number": "S41000439",
        "po_date": date(2010, 8, 10),
        "discount": D("2.00"),
        "charge": D("5.00"),
    }
    values.update(fields)
    return InvoiceMessage(**values)


def test_810_is_read_back_by_pyx12_with_envelope_control_numbers_and_totals():
    data = write_interchange(interchange("IN", 310), [invoice_set(an_invoice(), 12)])
    back = read_back(data)

    assert back.errors == []
    assert (back.one("ISA")[13], back.one("IEA")[2]) == ("000000310", "000000310")
    assert (back.one("GS")[1], back.one("GS")[6], back.one("GE")[1:]) == (
        "IN",
        "1310",
        ["1", "1310"],
    )
    assert back.one("BIG")[1:5] == ["20260302", "INV-2026-000001", "20100810", "S41000439"]
    assert back.one("TDS")[1] == "18245"
    assert [s[1:4] for s in back.all("TXI")] == [["VA", "29.13", "19"]]
    assert [(s[2], s[4], s[7] if len(s) > 7 else "") for s in back.all("IT1")] == [
        ("5", "5.09", "0459001004"),
        ("1.5", "85.25", ""),
    ]
    assert back.all("PID")[0][5] == "FUSE, BUSSMAN  |"
    assert back.one("CTT")[1] == "2"


def test_credit_note_810_says_cr_and_other_delimiters_are_honoured():
    delimiters = Delimiters("|", "^", "\n", "{")
    data = write_interchange(
        interchange("IN", delimiters=delimiters), [invoice_set(an_invoice(credit_note=True), 1)]
    )
    back = read_back(data)

    assert back.errors == []
    assert back.delimiters[:3] == ("\n", "|", "^")
    assert back.one("BIG")[7] == "CR"


def test_856_is_read_back_by_pyx12_with_hierarchy_counted():
    notice = ShipNotice(
        shipment_number="SH-2026-000001",
        created=NOW,
        ship_date=date(2026, 3, 2),
        parties=[PartyInfo("ST", "PGW Glass", "92", "C1"), PartyInfo("SF", "Acme", "91", "A")],
        lines=[
            ShippedLine("0459001004", D(5), "EA", "Fuse", "1"),
            ShippedLine("0650002027", D(12), "EA", "Lamp", "2"),
        ],
        order_number="SO-2026-000001",
        po_number="S41000439",
        carrier="UPS",
        tracking="1Z999",
    )

    back = read_back(write_interchange(interchange("SH", 9), [ship_notice_set(notice, 3)]))

    assert back.errors == []
    assert back.one("BSN")[1:3] == ["00", "SH-2026-000001"]
    assert [s[1:4] for s in back.all("HL")] == [
        ["1", "", "S"],
        ["2", "1", "O"],
        ["3", "2", "I"],
        ["4", "2", "I"],
    ]
    assert [s[2] for s in back.all("SN1")] == ["5", "12"]
    assert back.one("PRF")[1] == "S41000439"
    assert back.one("CTT")[1] == "4"


def test_writer_refuses_control_numbers_out_of_range():
    with pytest.raises(ValueError, match="control numbers"):
        write_interchange(interchange("IN", 1_000_000_000), [invoice_set(an_invoice(), 1)])


def test_our_810_is_refused_by_the_820_reader_and_read_by_our_own_envelope_reader():
    data = write_interchange(interchange("IN"), [invoice_set(an_invoice(), 1)])

    with pytest.raises(InvalidFile) as refused:
        parse_x12_820(data)

    assert [p.field for p in refused.value.problems] == ["ST01"]
