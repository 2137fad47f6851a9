from decimal import Decimal

import pytest
from formats_corpus import REFUSED, corpus, read

from o2c.formats.ofx import parse_ofx
from o2c.kernel.errors import InvalidFile


@pytest.mark.parametrize("path", corpus("ofx"))
def test_every_real_ofx_file_parses_or_is_refused_precisely(path):
    data = path.read_bytes()
    if path.name in REFUSED:
        with pytest.raises(InvalidFile) as refused:
            parse_ofx(data, path.name)
        first = refused.value.problems[0]
        assert (first.line, first.field) == REFUSED[path.name]
    else:
        assert parse_ofx(data, path.name)


def test_sgml_checking_statement_with_check_number():
    (statement,) = parse_ofx(read("ofx/ofxparse__checking.ofx"))
    assert statement.currency == "USD"
    assert statement.account == "1452687~7"
    assert statement.closing_balance == Decimal("100.99")
    assert [line.amount for line in statement.lines] == [
        Decimal("0.01"),
        Decimal("-34.51"),
        Decimal("-25.00"),
    ]
    check = statement.lines[2]
    assert (check.bank_ref, check.extra["CHECKNUM"], check.transaction_code) == (
        "0000488",
        "319",
        "CHECK",
    )


def test_xml_statement_gives_counterparty_names_and_card_account():
    bank, card = parse_ofx(read("ofx/oca__test_ofx.ofx"))
    assert [line.counterparty_name for line in bank.lines] == [
        "Agrolait",
        "China Export",
        "Axelor Scuba",
        "China Scuba",
    ]
    assert card.account == "123412341234"


def test_empty_tags_use_the_transaction_currency_and_no_balance():
    (statement,) = parse_ofx(read("ofx/ofxparse__ofx-v102-empty-tags.ofx"))
    assert statement.currency == "AUD"
    assert statement.closing_balance is None
    assert statement.lines[0].amount == Decimal("12.34")


def test_cdata_text_is_unwrapped():
    (statement,) = parse_ofx(read("ofx/ofxparse__suncorp.ofx"))
    assert statement.lines[0].counterparty_name.startswith("EFTPOS WDL HANDYWAY ALDI STORE")


def test_missing_dates_are_all_reported():
    with pytest.raises(InvalidFile) as refused:
        parse_ofx(read("ofx/ofxparse__fail_nice_date_missing.ofx"))
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (33, "DTPOSTED"),
        (40, "DTPOSTED"),
        (48, "DTPOSTED"),
    ]
