from decimal import Decimal

import pytest
from formats_corpus import corpus, read

from o2c.formats.camt import parse_camt
from o2c.kernel.errors import InvalidFile


@pytest.mark.parametrize("path", corpus("camt052", "camt053", "camt054"))
def test_every_real_camt_file_parses(path):
    statements = parse_camt(path.read_bytes(), path.name)
    assert statements
    assert statements[0].format == "camt." + path.parent.name[4:]


def test_batched_direct_debit_return_gives_one_reversed_line_per_transaction():
    (statement,) = parse_camt(read("camt053/oca__test-camt053.001.02.xml"))
    assert statement.account == "NL77ABNA0574908765"
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("15568.27"),
        Decimal("15121.12"),
    )
    amounts = [line.amount for line in statement.lines]
    assert amounts == [
        Decimal("-754.25"),
        Decimal("-564.05"),
        Decimal("-100.00"),
        Decimal("1405.31"),
    ]
    returned = statement.lines[1:3]
    assert all(line.is_reversal and line.extra["return_reason"] == "AC06" for line in returned)
    assert returned[0].end_to_end_id == "TESTBANK/NL/20141229/01206408"
    assert statement.lines[0].counterparty_name == "INSURANCE COMPANY TESTX"


def test_credit_without_remittance_falls_back_to_additional_information():
    (statement,) = parse_camt(read("camt053/oca__test-camt053.001.02.xml"))
    credit = statement.lines[-1]
    assert credit.counterparty_name == "3rd party Media"
    assert credit.remittance_text == "#RD PARTY MEDIA CUSNO 90782 4210773"


def test_v8_statement_exposes_rf_reference_with_its_check_digit_verdict():
    (statement,) = parse_camt(read("camt053/viafintech__camt_parser__053_valid_example_v8.xml"))
    first, second, third = statement.lines
    assert first.remittance_text == "INVOICE R77561"
    assert first.counterparty_name == "Jon Doe"
    assert first.bank_ref == "9999181ZC0283079"
    (rf,) = second.structured_refs
    assert (rf.kind, rf.value, rf.valid) == ("RF", "RF38000000000000000000552", True)
    assert (third.currency, third.amount) == ("EUR", Decimal("-20.97"))


def test_swiss_notification_carries_qr_reference_debtor_and_pending_flag():
    (statement,) = parse_camt(
        read("camt054/dvbern__iso20022__v00104_camt_054_Beispiel_NoCrdtBookedNotReversed.xml")
    )
    reversed_credit, pending, debit = statement.lines
    assert (reversed_credit.is_reversal, reversed_credit.booked) == (True, True)
    assert (pending.booked, pending.extra["status"]) == (False, "PDNG")
    assert debit.amount == Decimal("-3.00")
    assert (pending.structured_refs[0].kind, pending.structured_refs[0].valid) == ("QRR", True)


def test_v8_debtor_party_and_batch_of_qr_payments():
    data = read(
        "camt054/dvbern__iso20022__camt054.v00108_200519_camt.054_P_CH2909000000250094239_"
        "1111091335_0_2020061900081727_v2019.xml"
    )
    (statement,) = parse_camt(data)
    assert len(statement.lines) == 2
    assert all(line.counterparty_name for line in statement.lines)
    assert all(line.structured_refs[0].kind == "QRR" for line in statement.lines)


def test_two_statements_in_one_message_and_date_time_booking_dates():
    statements = parse_camt(read("camt053/genkgo__camt__camt053.v2.multi.statement.xml"))
    assert len(statements) == 2
    (booked,) = parse_camt(read("camt053/oca__test-camt053-bookgdt-dttm.xml"))
    assert booked.lines[0].booking_date is not None


def test_extra_decimal_places_are_kept_exactly_as_written():
    (statement,) = parse_camt(read("camt053/genkgo__camt__camt053.v2.five.decimals.xml"))
    assert str(statement.lines[0].amount) == "8.850"
    assert statement.opening_balance == Decimal("18.150")


def test_bad_amount_and_indicator_are_reported_with_their_lines():
    data = (
        b'<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        b'<BkToCstmrStmt><Stmt><Id>1</Id>\n<Ntry>\n<Amt Ccy="EUR">1,5</Amt>\n'
        b"<CdtDbtInd>X</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>"
    )
    with pytest.raises(InvalidFile) as refused:
        parse_camt(data, "bad.xml")
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (4, "Ntry/Amt"),
        (3, "CdtDbtInd"),
    ]


def test_external_entities_are_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>"
    )
    with pytest.raises(InvalidFile, match="unsafe XML"):
        parse_camt(data)
