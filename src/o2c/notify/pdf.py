"""Printable documents (letters, statements) as PDF through fpdf2, with the PDF core fonts.

The core font Helvetica needs no font file (nothing to ship, nothing to download) and covers
Windows-1252: every letter of English, German, French and Dutch, and "€", "£", "–", "“”".
Text outside that set degrades predictably instead of failing (`printable`): accents are
dropped where Unicode can decompose the letter ("ő" -> "o"), a few symbols are spelt out,
and anything else becomes "?". The PDF states its text in WinAnsiEncoding, so text extraction
(and a screen reader) gets back exactly what was printed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

ENCODING = "windows-1252"
FONT = "Helvetica"

# Spaces that CLDR number formats use but Windows-1252 lacks (fr: "1 234,56 €").
_SPELLED = {
    "\u202f": "\u00a0",  # narrow no-break space -> no-break space
    "\u2009": " ",
    "\u2007": " ",
    "\u2212": "-",  # minus sign
    "\u2010": "-",
    "\u2011": "-",
    "\u20b9": "INR",
    "\u20bd": "RUB",
    "\u20ba": "TRY",
    "\u20aa": "ILS",
    "\u20a9": "KRW",
    "\u20ab": "VND",
    "\u20b1": "PHP",
    "\u20b4": "UAH",
    "\u0141": "L",
    "\u0142": "l",
}


def printable(text: str) -> str:
    """`text` in what the core font can show: kept, decomposed, spelt out, or "?"."""
    out = []
    for char in text:
        if char in _SPELLED:
            out.append(_SPELLED[char])
            continue
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            kept = "".join(c for c in base if not unicodedata.combining(c))
            try:
                kept.encode(ENCODING)
            except UnicodeEncodeError:
                kept = ""
            out.append(kept or "?")
        else:
            out.append(char)
    return "".join(out)


Alignment = Literal["L", "R", "C"]


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, printable(self.footer_text), align=Align.L)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(0)


class PrintedDocument:
    """An A4 page flow: sender line, address window, headings, paragraphs, tables."""

    def __init__(self, *, title: str, author: str, created: datetime, footer: str = "") -> None:
        pdf = _Pages(orientation="portrait", unit="mm", format="A4")
        pdf.core_fonts_encoding = ENCODING
        pdf.footer_text = footer
        pdf.set_title(printable(title))
        pdf.set_author(printable(author))
        pdf.set_creator("o2c")
        pdf.set_creation_date(created)  # a fixed date: the same input gives the same file
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_page()
        pdf.set_font(FONT, size=10)
        self._pdf = pdf

    @property
    def width(self) -> float:
        return float(self._pdf.epw)

    def small(self, text: str) -> None:
        self._pdf.set_font(FONT, size=7)
        self._line(text, 4)
        self._pdf.set_font(FONT, size=10)

    def lines(self, lines: Sequence[str], *, align: Alignment = "L") -> None:
        for line in lines:
            self._line(line, 5, align=align)

    def space(self, mm: float = 4) -> None:
        self._pdf.ln(mm)

    def heading(self, text: str, size: int = 13) -> None:
        self._pdf.set_font(FONT, style="B", size=size)
        self._pdf.multi_cell(0, 7, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.set_font(FONT, size=10)
        self._pdf.ln(2)

    def paragraph(self, text: str) -> None:
        """Text with its own line breaks kept; blank lines separate paragraphs."""
        for block in text.split("\n\n"):
            self._pdf.multi_cell(0, 5, printable(block.strip("\n")), new_x=XPos.LMARGIN,
                                 new_y=YPos.NEXT)  # fmt: skip
            self._pdf.ln(2.5)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[Alignment],
        bold_last: bool = False,
    ) -> None:
        """A table whose header row repeats on every page it spans."""
        pdf = self._pdf
        pdf.set_font(FONT, size=9)
        with pdf.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=5,
            first_row_as_headings=True,
            repeat_headings=1,
            headings_style=_HEADINGS,
        ) as table:
            for number, values in enumerate([headers, *rows]):
                row = table.row()
                last = bold_last and number == len(rows)
                for value in values:
                    if last:
                        row.cell(printable(value), style=_BOLD)
                    else:
                        row.cell(printable(value))
        pdf.set_font(FONT, size=10)
        pdf.ln(3)

    def output(self) -> bytes:
        return bytes(self._pdf.output())

    def _line(self, text: str, height: float, align: Alignment = "L") -> None:
        self._pdf.cell(0, height, printable(text), align=Align.coerce(align),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip


_HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
_BOLD = FontFace(emphasis="BOLD")
