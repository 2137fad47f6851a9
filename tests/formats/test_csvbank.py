from decimal import Decimal

import pytest
from formats_corpus import corpus, read

from o2c.formats.csvbank import ColumnMapping, parse_csv
from o2c.kernel.errors import InvalidFile, ValidationFailed

US = {"date_format": "%m/%d/%Y", "thousands_separator": ","}
GENERIC = US | {
    "date": "Date",
    "amount": "Amount",
    "currency": "Currency",
    "name": "Partner Name",
    "account": "Bank Account",
    "text": ["Label"],
}
PROFILES = {
    "sample_statement_en.csv": GENERIC,
    "multi_currency.csv": GENERIC,
    "original_currency.csv": GENERIC,
    "balance.csv": GENERIC | {"currency": None, "default_currency": "USD"},
    "debit_credit.csv": GENERIC | {"currency": None, "default_currency": "USD", "sign": "D/C"},
    "debit_credit_amount.csv": US
    | {
        "date": "Date",
        "debit": "Debit",
        "credit": "Credit",
        "default_currency": "USD",
        "text": ["Label"],
    },
    "meta_data_separated_credit_debit.csv": {
        "date": "Date",
        "debit": "Debit",
        "credit": "Credit",
        "reference": "Operation Number",
        "text": ["Label", "Detail"],
        "date_format": "%d/%m/%y",
        "decimal_comma": True,
        "default_currency": "EUR",
        "footer_rows": 1,
    },
    "paypal_activity_en.csv": US
    | {
        "date": "Date",
        "amount": "Net",
        "currency": "Currency",
        "reference": "Transaction ID",
        "name": "Name",
        "text": ["Type", "Invoice Number"],
        "date_format": "%d/%m/%Y",
    },
    "paypal_statement_en.csv": US
    | {
        "date": "Date",
        "amount": "Net",
        "currency": "Currency",
        "reference": "Transaction ID",
        "text": ["Description"],
    },
    "adyen_settlement_detail_report_batch_380.csv": {
        "date": "Creation Date",
        "debit": "Net Debit (NC)",
        "credit": "Net Credit (NC)",
        "currency": "Net Currency",
        "reference": "Psp Reference",
        "text": ["Merchant Reference", "Type"],
        "date_format": "%Y-%m-%d %H:%M:%S",
    },
    "statement.csv": {
        "date": "date",
        "amount": "amount",
        "reference": "number",
        "name": "party",
        "account": "account",
        "text": ["description"],
        "date_format": "%d/%m/%Y",
        "decimal_comma": True,
        "thousands_separator": ".",
        "default_currency": "EUR",
    },
}


def _profile(name: str) -> ColumnMapping:
    key = next(k for k in PROFILES if name.endswith(k))
    return ColumnMapping.from_dict(PROFILES[key])


@pytest.mark.parametrize("path", corpus("csv"))
def test_every_real_csv_file_parses_with_its_bank_profile(path):
    statements = parse_csv(path.read_bytes(), _profile(path.name), path.name)
    assert statements
    assert all(s.lines for s in statements)


def test_rows_in_two_currencies_become_two_statements():
    usd, eur = parse_csv(read("csv/oca__multi_currency.csv"), _profile("multi_currency.csv"))
    assert (usd.currency, usd.lines[0].amount) == ("USD", Decimal("-33.50"))
    assert (eur.currency, eur.lines[0].amount) == ("EUR", Decimal("1525.00"))
    assert eur.lines[0].counterparty_name == "Azure Interior"


def test_debit_credit_columns_are_magnitudes_and_sign_column_decides():
    (split,) = parse_csv(
        read("csv/OCA__bank-statement-import__debit_credit_amount.csv"),
        _profile("debit_credit_amount.csv"),
    )
    assert [line.amount for line in split.lines] == [
        Decimal("20.00"),
        Decimal("13.50"),
        Decimal("-33.50"),
        Decimal("-1500.00"),
    ]
    (signed,) = parse_csv(read("csv/oca__debit_credit.csv"), _profile("debit_credit.csv"))
    assert [line.amount for line in signed.lines] == [Decimal("-33.50"), Decimal("1533.50")]


def test_metadata_rows_above_the_header_and_decimal_comma():
    (statement,) = parse_csv(
        read("csv/OCA__bank-statement-import__meta_data_separated_credit_debit.csv"),
        _profile("meta_data_separated_credit_debit.csv"),
    )
    first = statement.lines[0]
    assert (first.amount, first.bank_ref, first.booking_date.isoformat()) == (
        Decimal("-50.00"),
        "UNIQUE OP 1",
        "2020-04-01",
    )


def test_thousands_dot_and_decimal_comma():
    (statement,) = parse_csv(read("csv/tryton__statement.csv"), _profile("statement.csv"))
    assert [line.amount for line in statement.lines] == [Decimal("1000.50"), Decimal("-20")]
    assert statement.lines[0].counterparty_account == "BE47435000000080"


def test_profile_survives_a_round_trip_through_a_dict():
    profile = _profile("paypal_activity_en.csv")
    assert ColumnMapping.from_dict(profile.to_dict()) == profile


def test_profile_without_amount_columns_or_with_unknown_keys_is_rejected():
    with pytest.raises(ValidationFailed):
        ColumnMapping(date="Date")
    with pytest.raises(ValidationFailed):
        ColumnMapping.from_dict({"date": "Date", "amount": "Amount", "colour": "red"})


def test_bad_rows_are_all_reported_with_their_row_numbers():
    data = b"Date,Amount\n2024-01-01,10.00\n2024-13-01,5\n2024-01-02,abc\n"
    with pytest.raises(InvalidFile) as refused:
        parse_csv(data, ColumnMapping(date="Date", amount="Amount", default_currency="EUR"))
    assert [(p.line, p.field) for p in refused.value.problems] == [(3, "date"), (4, "amount")]
