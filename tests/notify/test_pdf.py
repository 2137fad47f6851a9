"""Printed documents: text the core font cannot show degrades predictably, never fails."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest

from o2c.notify.pdf import PrintedDocument, printable


def extracted(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def a_document() -> PrintedDocument:
    return PrintedDocument(title="Test", author="Acme", created=datetime(2026, 3, 2, tzinfo=UTC))


def test_western_european_text_and_the_euro_sign_print_as_written():
    doc = a_document()
    doc.paragraph("Müller & Söhne – Straße, Œuvre, “quoted”, 1.234,56 €, £5, ¥7")

    assert "Müller & Söhne – Straße, Œuvre, “quoted”, 1.234,56 €, £5, ¥7" in extracted(doc.output())


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Łódź", "Lódz"),  # Ł is spelt out, ó is in the font, ź loses its accent
        ("Dvořák", "Dvorák"),
        ("Ελλάδα", "??????"),  # no Latin form: one "?" per letter
        ("東京", "??"),
        ("1\u202f234,56\u00a0€", "1\u00a0234,56\u00a0€"),  # CLDR's narrow space (fr)
        ("₹ 100", "INR 100"),
        ("−5", "-5"),
    ],
)
def test_text_outside_the_core_font_degrades_predictably(text, printed):
    assert printable(text) == printed


def test_a_document_with_any_unicode_text_still_renders():
    doc = a_document()
    doc.heading("Łódź Ελλάδα 東京")
    doc.table(["Name"], [["Dvořák"]], widths=[50], align=["L"])

    text = extracted(doc.output())

    assert "Lódz ?????? ??" in text
    assert "Dvorák" in text


def test_a_long_table_continues_on_a_new_page_with_its_header():
    doc = a_document()
    rows = [[f"INV-{n:06d}", f"{n},00"] for n in range(120)]
    doc.table(["Invoice", "Amount"], rows, widths=[80, 40], align=["L", "R"])

    reader = pypdf.PdfReader(io.BytesIO(doc.output()))

    assert len(reader.pages) >= 2
    assert all("Invoice" in page.extract_text() for page in reader.pages)
    assert "INV-000119" in extracted(doc.output())


def test_the_same_input_gives_the_same_file():
    def build() -> bytes:
        doc = a_document()
        doc.paragraph("INV-1 100,00")
        return doc.output()

    assert build() == build()
