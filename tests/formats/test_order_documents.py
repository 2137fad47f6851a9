"""The UBL and CII order readers never fail with anything but `InvalidFile` on damaged input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from o2c.formats.inbound_order import looks_like_xml, parse_order_document
from o2c.kernel.errors import InvalidFile

FILES = Path(__file__).resolve().parents[1] / "integration" / "files"
SAMPLES = [
    (FILES / "UBL-Order-2.1-Example.xml").read_bytes(),
    (FILES / "order-x_basic_sample.xml").read_bytes(),
]


@settings(max_examples=300, deadline=None)
@given(
    sample=st.sampled_from(SAMPLES),
    start=st.integers(min_value=0, max_value=14000),
    length=st.integers(min_value=0, max_value=40),
    junk=st.binary(max_size=12),
)
def test_a_damaged_document_is_refused_or_read_never_crashes(sample, start, length, junk):
    start = min(start, len(sample))
    damaged = sample[:start] + junk + sample[start + length :]

    refusal: InvalidFile | None = None
    try:
        document = parse_order_document(damaged, "fuzz.xml")
    except InvalidFile as refused:
        refusal = refused

    if refusal is not None:
        assert refusal.problems
    else:
        assert document.lines
        assert all(line.quantity > 0 for line in document.lines)


def test_xml_is_told_from_x12_by_its_first_character():
    assert looks_like_xml(b"\xef\xbb\xbf  <?xml version='1.0'?><Order/>")
    assert not looks_like_xml(b"\xef\xbb\xbfISA*00*          *00*")
