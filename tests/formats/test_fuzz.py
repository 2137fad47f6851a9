"""Any input gives statements or InvalidFile, never another exception (no traceback)."""

from functools import partial

import pytest
from formats_corpus import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2c.formats.bai2 import parse_bai2
from o2c.formats.camt import parse_camt
from o2c.formats.csvbank import ColumnMapping, parse_csv
from o2c.formats.detect import parse_bank_file, parse_remittance_file
from o2c.formats.mt940 import parse_mt940
from o2c.formats.ofx import parse_ofx
from o2c.formats.remittance import parse_remittance_csv
from o2c.formats.x12_820 import parse_x12_820
from o2c.kernel.errors import InvalidFile

CSV = ColumnMapping(
    date="Date",
    amount="Amount",
    default_currency="USD",
    date_format="%m/%d/%Y",
    thousands_separator=",",
    text=("Label",),
)
PARSERS = {
    "bai2": (parse_bai2, "bai2/venturehacks__bai2__eod.bai2"),
    "camt": (parse_camt, "camt053/oca__test-camt053.001.02.xml"),
    "mt940": (parse_mt940, "mt940/oca__test-ing.940"),
    "ofx": (parse_ofx, "ofx/ofxparse__checking.ofx"),
    "csv": (partial(parse_csv, mapping=CSV), "csv/oca__balance.csv"),
    "x12": (parse_x12_820, "x12-820/bnsf-example-820-4010.edi"),
    "remittance-csv": (parse_remittance_csv, None),
    "any-bank-file": (parse_bank_file, "mt940/oca__test-rabo.swi"),
    "any-remittance": (
        parse_remittance_file,
        "edi820/Inteligenz__X12Parser__820_Example4_Safeway.txt",
    ),
}
FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _survives(parser, data: bytes) -> None:
    """Return normally or raise InvalidFile with at least one problem; anything else fails."""
    try:
        parser(data)
    except InvalidFile as refused:
        problems = refused.problems
    else:
        problems = ["parsed"]
    assert problems


@st.composite
def mutated(draw, original: bytes) -> bytes:
    lines = original.splitlines(keepends=True) or [b""]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["drop", "duplicate", "truncate", "flip", "swap"]))
        if action == "drop" and len(lines) > 1:
            lines.pop(index)
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        elif action == "flip" and lines[index]:
            at = draw(st.integers(0, len(lines[index]) - 1))
            byte = draw(st.integers(0, 255))
            lines[index] = lines[index][:at] + bytes([byte]) + lines[index][at + 1 :]
        elif action == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return b"".join(lines)


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes_give_a_result_or_invalid_file(name, data):
    _survives(PARSERS[name][0], data)


@pytest.mark.parametrize("name", [n for n, (_, f) in PARSERS.items() if f])
@FUZZ
@given(seed=st.data())
def test_mutated_real_files_give_a_result_or_invalid_file(name, seed):
    parser, relative = PARSERS[name]
    if not DATA.is_dir():
        pytest.skip(f"shared bank files not found at {DATA}")
    data = seed.draw(mutated((DATA / relative).read_bytes()))
    _survives(parser, data)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list(":0123456789CDRN,/?-{}\n ENTRF")), max_size=300))
def test_tag_soup_for_mt940_gives_a_result_or_invalid_file(text):
    _survives(parse_mt940, (":20:X\n" + text).encode())


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("0123456789,/+-\n VSDZ")), max_size=300))
def test_record_soup_for_bai2_gives_a_result_or_invalid_file(text):
    _survives(parse_bai2, ("01,A,B,240101,0000,1,,,2/\n" + text).encode())
