import pytest
from formats_corpus import REFUSED, corpus, read

from o2c.formats.detect import detect_format, parse_bank_file, parse_remittance_file
from o2c.kernel.errors import InvalidFile

EXPECTED = {
    "bai2": "bai2",
    "camt052": "camt.052",
    "camt053": "camt.053",
    "camt054": "camt.054",
    "csv": "csv",
    "edi810": "x12-810",
    "edi820": "x12-820",
    "edi850": "x12-850",
    "x12-820": "x12-820",
    "mt940": "mt940",
    "mt942": "mt942",
    "nacha": "nacha",
    "ofx": "ofx",
}
FOLDERS = (*EXPECTED, "lockbox")


@pytest.mark.parametrize("path", corpus(*FOLDERS))
def test_detection_names_every_real_file_by_content(path):
    expected = EXPECTED.get(path.parent.name) or (
        "bai-lockbox" if path.name.endswith(".bai") else "bpay-brf"
    )
    assert detect_format(path.read_bytes()) == expected


@pytest.mark.parametrize(
    "path", corpus("bai2", "camt052", "camt053", "camt054", "mt940", "mt942", "ofx")
)
def test_parse_bank_file_dispatches_every_statement_file(path):
    if path.name in REFUSED:
        with pytest.raises(InvalidFile):
            parse_bank_file(path.read_bytes(), path.name)
    else:
        assert parse_bank_file(path.read_bytes(), path.name)


def test_name_does_not_matter_and_bom_and_crlf_are_skipped():
    data = b"\xef\xbb\xbf\r\n" + read("mt940/tryton__MT940.txt").replace(b"\n", b"\r\n")
    assert detect_format(data) == "mt940"
    (statement,) = parse_bank_file(data, "statement.csv")
    assert statement.lines[0].counterparty_name == ""
    assert statement.lines[0].remittance_text == "98.76.54.321 John Doe"


def test_non_strict_reads_a_statement_that_does_not_balance():
    data = read("mt940/wolph__mt940__jejik_knab.sta")
    assert len(parse_bank_file(data, strict=False)) == 2


def test_nacha_and_csv_without_profile_are_refused_with_a_reason():
    with pytest.raises(InvalidFile, match="nacha is not a bank statement format"):
        parse_bank_file(read("nacha/moov-io__ach__ccd-debit.ach"))
    with pytest.raises(InvalidFile, match="column mapping"):
        parse_bank_file(read("csv/tryton__statement.csv"))


def test_remittance_dispatch_for_820_and_csv():
    (remittance,) = parse_remittance_file(read("x12-820/bnsf-example-820-4010.edi"), "a.txt")
    assert remittance.trace == "1001983525"
    (from_csv,) = parse_remittance_file(b"INV-1,10.00\nINV-2,5.00\n", "r.txt")
    assert len(from_csv.items) == 2
