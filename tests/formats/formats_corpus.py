"""Where the shared real bank files live, and which of them the parsers refuse on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bankfiles"

# file name -> (line or segment, field) of the first problem the parser must report
REFUSED = {
    # BAI2: trailers disagree with the records (the format's only integrity check)
    "dnsbty__bai2__test.bai": (7, "number_of_records"),
    "venturehacks__bai2__invalid_checksum_eod.bai2": (15, "account_control_total"),
    "moov-io__bai2__sample4-continuations-newline-delimited.txt": (22, "account_control_total"),
    "moov-io__bai2__sample5-issue113.txt": (63, "record_code"),
    # NAB's own "NAI" layout: 03 summaries without BAI2 fields, a 2nd total instead of a count
    "metacpan__Business-NAB__account_information.bai": (3, "funds_type"),
    # MT940: unknown tag, balances without currency, statements that do not balance
    "oca__test-wrong-file.940": (1, "tag"),
    "wolph__mt940__raphaelm.sta": (27, "62M"),
    "wolph__mt940__betterplace_sepa_snippet.sta": (55, "62F"),
    "wolph__mt940__jejik_abnamro.sta": (27, "62F"),
    "wolph__mt940__jejik_ing.sta": (26, "62F"),
    "wolph__mt940__jejik_knab.sta": (20, "62F"),
    "wolph__mt940__jejik_postfinance.sta": (27, "62F"),
    "wolph__mt940__raiffeisen-cmi.sta": (40, "62F"),
    "wolph__mt940__multiline.sta": (38, "61"),
    # OFX: deliberately broken fixtures, and an empty <OFX></OFX>
    "jseutter__ofxparse__fail_nice_decimal_error.ofx": (34, "DTPOSTED"),
    "ofxparse__fail_nice_decimal_error.ofx": (34, "DTPOSTED"),
    "ofxparse__fail_nice_date_missing.ofx": (33, "DTPOSTED"),
    "ofxparse__fail_nice_empty_balance.ofx": (37, "BALAMT"),
    "oca__test_ofx_wrong.ofx": (21, "BANKACCTFROM"),
    "ofxparse__bank_small.ofx": (11, "STMTRS"),
    # X12: an implementation-guide template with placeholders instead of amounts
    "Inteligenz__X12Parser__820_Example3_HomeDepot.txt": (4, "BPR02"),
}


def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"shared bank files not found at {DATA}: real-file tests need ../shared")
    return DATA


def corpus(*folders: str) -> list[pytest.param]:
    """One pytest param per real file in `folders` (an empty list when the data is missing)."""
    if not DATA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no bank files at {DATA}"))]
    return [
        pytest.param(path, id=f"{folder}/{path.name}")
        for folder in folders
        for path in sorted((DATA / folder).iterdir())
        if path.is_file()
    ]


def read(relative: str) -> bytes:
    return (data_dir() / relative).read_bytes()
