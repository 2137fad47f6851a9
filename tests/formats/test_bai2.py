from decimal import Decimal

import pytest
from formats_corpus import REFUSED, corpus, read

from o2c.formats.bai2 import parse_bai2
from o2c.kernel.errors import InvalidFile


@pytest.mark.parametrize("path", corpus("bai2"))
def test_every_real_bai2_file_parses_or_is_refused_precisely(path):
    # given a real BAI2 file
    data = path.read_bytes()
    # when it is parsed, then it yields statements, or the refusal names the expected record
    if path.name in REFUSED:
        with pytest.raises(InvalidFile) as refused:
            parse_bai2(data, path.name)
        first = refused.value.problems[0]
        assert (first.line, first.field) == REFUSED[path.name]
    else:
        statements = parse_bai2(data, path.name)
        assert statements
        assert all(isinstance(line.amount, Decimal) for s in statements for line in s.lines)


def test_cad_file_signs_details_by_type_code_and_keeps_value_dates():
    statements = parse_bai2(read("bai2/moov-io__bai2__sample1.txt"))
    lines = [line for s in statements for line in s.lines]
    assert len(statements) == 2
    assert len(lines) == 17
    assert lines[0].amount == Decimal("-25.00")  # 409 is a debit
    assert lines[0].remittance_text == "RETURNED CHEQUE"
    assert lines[3].amount == Decimal("2035.00")  # 108 is a credit
    assert lines[0].value_date.isoformat() == "2006-03-16"
    assert lines[-1].amount == Decimal("-5.00")
    assert {s.currency for s in statements} == {"CAD"}


def test_fedwire_continuations_give_originator_and_invoice_text():
    (statement,) = parse_bai2(read("bai2/venturehacks__bai2__eod.bai2"))
    (line,) = statement.lines
    assert line.amount == Decimal("83259.82")
    assert line.transaction_code == "195"
    assert line.counterparty_name == "OPTIONS LINK WIRE CLEARING"
    assert line.extra["OBI"] == "INVOICE 123456"
    assert "INVOICE 123456" in line.remittance_text


def test_slash_inside_continuation_text_is_text_not_a_terminator():
    (statement,) = parse_bai2(read("bai2/venturehacks__bai2__eod_with_slash_in_text.bai2"))
    assert "2/AV MAIN 2/AVENUE DE ANGELLIST 3/MX /MEXICO ;" in statement.lines[0].remittance_text


def test_summary_balances_and_wrapped_text_of_natwest_file():
    (statement,) = parse_bai2(read("bai2/ministryofjustice__bai2__nwb_example.bai2"))
    assert statement.account == "88888888 600004"
    assert statement.opening_balance == Decimal("365.21")
    assert statement.closing_balance == Decimal("338.45")
    assert [line.amount for line in statement.lines] == [
        Decimal("-9.71"),
        Decimal("-1.00"),
        Decimal("-1.23"),
        Decimal("-15.71"),
        Decimal("0.89"),
    ]
    assert statement.lines[-1].remittance_text.endswith("INTERNATIONAL-5373 CLIENT SECCY AC TFR")


def test_two_day_groups_become_two_statements_with_their_as_of_dates():
    statements = parse_bai2(read("bai2/ministryofjustice__bai2__svb_us_example.bai2"))
    assert [s.statement_date.isoformat() for s in statements] == ["2022-02-01", "2022-02-02"]
    assert [s.lines[0].amount for s in statements] == [Decimal("4901.96"), Decimal("9058.00")]
    assert statements[0].lines[0].bank_ref == "172629"


def test_trailer_off_by_one_cent_is_refused_at_each_trailer():
    with pytest.raises(InvalidFile) as refused:
        parse_bai2(read("bai2/venturehacks__bai2__invalid_checksum_eod.bai2"), "eod.bai2")
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (15, "account_control_total"),
        (16, "group_control_total"),
        (17, "file_control_total"),
    ]


def test_known_bad_trailers_can_be_read_when_totals_are_not_checked():
    data = read("bai2/moov-io__bai2__sample4-continuations-newline-delimited.txt")
    statements = parse_bai2(data, check_totals=False)
    lines = [line for s in statements for line in s.lines]
    assert len(lines) == 17
    receipt = next(line for line in lines if line.bank_ref == "SB2322600000404")
    assert receipt.extra["REMI"] == "ACH- Test - Addenda Record"
    assert receipt.end_to_end_id == "GSQ4FBGFDGWGKY"


def test_unknown_currency_is_refused_because_it_decides_the_decimals():
    data = (
        b"01,A,B,240101,0000,1,,,2/\n02,B,A,1,240101,,,2/\n03,1,XYZ,010,100,,/\n"
        b"49,100,2/\n98,100,1,4/\n99,100,1,6/\n"
    )
    with pytest.raises(InvalidFile) as refused:
        parse_bai2(data)
    assert (refused.value.problems[0].line, refused.value.problems[0].field) == (3, "currency")
