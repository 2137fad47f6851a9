from decimal import Decimal

import pytest
from formats_corpus import REFUSED, corpus, read

from o2c.formats.remittance import parse_remittance_csv
from o2c.formats.x12_820 import parse_x12_820
from o2c.kernel.errors import InvalidFile


@pytest.mark.parametrize("path", corpus("edi820", "x12-820"))
def test_every_real_820_parses_or_is_refused_precisely(path):
    data = path.read_bytes()
    if path.name in REFUSED:
        with pytest.raises(InvalidFile) as refused:
            parse_x12_820(data, path.name)
        first = refused.value.problems[0]
        assert (first.line, first.field) == REFUSED[path.name]
    else:
        assert parse_x12_820(data, path.name)


@pytest.mark.parametrize("path", corpus("edi810", "edi850"))
def test_invoices_and_orders_are_refused_as_remittances(path):
    with pytest.raises(InvalidFile) as refused:
        parse_x12_820(path.read_bytes(), path.name)
    assert refused.value.problems[0].field == "ST01"


def test_bnsf_short_pay_reason_stays_with_its_item_and_se_space_is_tolerated():
    (remittance,) = parse_x12_820(read("x12-820/bnsf-example-820-4010.edi"))
    assert remittance.payment_amount == Decimal("10000")
    assert remittance.trace == "1001983525"
    assert remittance.payer == "CUSTOMER NAME"
    assert [item.invoice_ref for item in remittance.items] == ["123456", "999999", "999787"]
    assert remittance.items[0].note == "RATE AUTHORITY PER ITEM 12121 RATE SHOULD BE $2000 PER CAR"
    assert remittance.unexplained == Decimal(0)


def test_safeway_credit_memo_adjustments_and_discounts():
    (remittance,) = parse_x12_820(read("edi820/Inteligenz__X12Parser__820_Example4_Safeway.txt"))
    assert remittance.payment_amount == Decimal("416093.15")
    memo = remittance.items[0]
    assert (memo.invoice_ref, memo.paid, memo.adjustments[0].reason_code) == (
        "WSO_144324_05",
        Decimal("-13676.81"),
        "ZZ",
    )
    invoice = remittance.items[2]
    assert (invoice.invoice_ref, invoice.paid, invoice.invoice_amount, invoice.discount) == (
        "6092392",
        Decimal("20430.34"),
        Decimal("20851.11"),
        Decimal("420.77"),
    )
    meals = remittance.items[3]
    assert meals.note == "302 -MEALS/INGREDIENTS"


def test_wrong_segment_count_is_refused_with_the_se_segment_number():
    data = read("x12-820/bnsf-example-820-4010.edi").replace(b"SE*23*", b"SE*22*")
    with pytest.raises(InvalidFile) as refused:
        parse_x12_820(data, "bnsf.edi")
    assert [(p.line, p.field) for p in refused.value.problems] == [(25, "SE01")]


def test_remittance_csv_groups_rows_by_payer_and_trace():
    data = (
        b"invoice_number,amount_paid,payer,trace,reason_code,reason_text\n"
        b"INV-1,100.00,ACME,T1,,\nINV-2,45.50,ACME,T1,SHORT,damaged goods\nINV-9,10,Other,T2\n"
    )
    first, second = parse_remittance_csv(data, "r.csv", currency="EUR")
    assert (first.payer, first.trace, first.payment_amount) == ("ACME", "T1", Decimal("145.50"))
    assert first.items[1].adjustments[0].reason_code == "SHORT"
    assert second.items[0].paid == Decimal("10")


def test_remittance_csv_bad_amount_is_reported_on_its_row():
    with pytest.raises(InvalidFile) as refused:
        parse_remittance_csv(b"INV-1,12x\n")
    assert (refused.value.problems[0].line, refused.value.problems[0].field) == (1, "amount_paid")
