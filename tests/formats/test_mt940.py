from decimal import Decimal

import pytest
from formats_corpus import REFUSED, corpus, read

from o2c.formats.mt940 import parse_mt940
from o2c.kernel.errors import InvalidFile


@pytest.mark.parametrize("path", corpus("mt940", "mt942"))
def test_every_real_mt940_file_parses_or_is_refused_precisely(path):
    data = path.read_bytes()
    if path.name in REFUSED:
        with pytest.raises(InvalidFile) as refused:
            parse_mt940(data, path.name)
        first = refused.value.problems[0]
        assert (first.line, first.field) == REFUSED[path.name]
    else:
        statements = parse_mt940(data, path.name)
        assert statements
        assert all(s.format == path.parent.name for s in statements)


def test_ing_structured_details_give_counterparty_remittance_and_end_to_end_id():
    (statement,) = parse_mt940(read("mt940/oca__test-ing.940"))
    assert statement.account == "NL77INGB0574908765"
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("662.23"),
        Decimal("564.35"),
    )
    first = statement.lines[0]
    assert first.bank_ref == "00000000001005"
    assert first.counterparty_account == "NL32INGB0000012345"
    assert first.counterparty_bic == "INGBNL2A"
    assert first.counterparty_name == "ING BANK NV INZAKE WEB"
    assert first.end_to_end_id == "EV12341REP1231456T1234"
    invoice = statement.lines[2]
    assert invoice.remittance_text == "Factuurnr 123456 Klantnr 00123"
    assert invoice.extra["RTRN"] == "MS03"
    assert len(statement.lines) == 8
    assert statement.lines[-1].amount == Decimal("-119.00")


def test_ing_export_with_and_without_swift_envelope_read_the_same():
    enveloped = parse_mt940(read("mt940/oca__test-ing.940"))
    plain = parse_mt940(read("mt940/oca__test-ing-old.940"))
    assert [line.amount for line in enveloped[0].lines] == [line.amount for line in plain[0].lines]


def test_rabobank_ordering_party_name_and_empty_statements():
    statements = parse_mt940(read("mt940/oca__test-rabo.swi"))
    assert len(statements) == 4
    credit = statements[0].lines[0]
    assert credit.counterparty_name == "R. SMITH"
    assert credit.counterparty_account == "NL66RABO0160878799"
    assert credit.remittance_text == "Test money paid by other partner:"
    assert statements[1].lines == ()


def test_german_subfields_give_name_account_and_purpose():
    statements = parse_mt940(read("mt940/wolph__mt940__cmxl_mt940.sta"))
    assert [s.currency for s in statements] == ["DEM", "EUR", "PLN"]
    rent = statements[1].lines[0]
    assert rent.remittance_text == "Miete November"
    assert rent.counterparty_name == "MUELLER"
    assert rent.counterparty_account == "234567"
    assert rent.extra["gvc"] == "008"


def test_sepa_keywords_and_reversal_of_credit_is_a_debit():
    statements = parse_mt940(read("mt940/wolph__mt940__betterplace_sepa_mt9401.sta"))
    assert len(statements) == 26
    storno = statements[0].lines[5]
    assert (storno.is_reversal, storno.amount) == (True, Decimal("-204.88"))
    incoming = statements[1].lines[0]
    assert incoming.end_to_end_id == "EndToEndIdTFNR2000400001"
    assert incoming.counterparty_account == "DE42100100100043921105"


def test_mt942_interim_report_has_no_balances():
    (report,) = parse_mt940(read("mt942/wolph__mt940__mBank_mt942.sta"))
    assert report.format == "mt942"
    assert report.currency == "PLN"
    assert report.opening_balance is None
    assert len(report.lines) == 3


def test_latin2_hungarian_text_keeps_its_accents_when_balances_are_not_checked():
    (statement,) = parse_mt940(read("mt940/wolph__mt940__raiffeisen-cmi.sta"), check_balances=False)
    assert statement.currency == "HUF"
    assert "jóváírása" in statement.lines[0].extra["supplementary"]


def test_statement_that_does_not_balance_is_refused_unless_told_otherwise():
    data = read("mt940/wolph__mt940__jejik_postfinance.sta")
    with pytest.raises(InvalidFile, match=r"differs from opening plus lines 159\.4"):
        parse_mt940(data)
    assert len(parse_mt940(data, check_balances=False)) == 2
