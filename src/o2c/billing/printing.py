"""Printed invoices and credit notes: a Jinja2 HTML template per company and language, laid
out by fpdf2.

fpdf2 (the PDF library `notify` chose for letters and statements) lays out the HTML subset
the templates use (headings, paragraphs, tables, images) with the PDF core font Helvetica:
nothing to install beyond Python packages and no font file to ship. Text goes through
`notify.pdf.printable`, so characters outside Windows-1252 degrade the same way on every
printed document. Templates are looked up most specific first: `<company code>/<language>`,
then `<language>`, then English (`de-CH` → `de` → `en`). Amounts are formatted by Babel for
the customer's language with the ISO currency code, as on the dunning letters.

Where customary (an invoice in euro), the payment block carries an EPC/SEPA credit-transfer
QR code ("GiroCode") with IBAN, amount and the RF creditor reference, made by segno.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, time
from decimal import Decimal
from functools import cache

import segno
import segno.helpers
from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import TextStyle
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from o2c.billing.einvoicing import payment_reference
from o2c.billing.presentable import Presentable
from o2c.ledger.model import to_base
from o2c.notify.formatting import format_day, format_minor, format_number
from o2c.notify.pdf import ENCODING, FONT, printable
from o2c.notify.templates import candidate_languages

TEMPLATE = "invoice.html.j2"
EPC_MAX = Decimal("999999999.99")
SEPA_COUNTRIES = frozenset({
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI",
    "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL",
    "PT", "RO", "SE", "SI", "SK", "SM", "VA",
})  # fmt: skip


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("o2c.billing", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_names(company_code: str, language: str) -> list[str]:
    """Where the template is looked for, most specific first."""
    languages = candidate_languages(language)
    return [f"{company_code.lower()}/{lang}/{TEMPLATE}" for lang in languages] + [
        f"{lang}/{TEMPLATE}" for lang in languages
    ]


def epc_qr_png(doc: Presentable) -> bytes | None:
    """The EPC069-12 QR code paying this invoice, or None where it is not customary.

    Only a euro invoice to be paid into a SEPA account gets one; a credit note asks for no
    payment.
    """
    amount = Decimal(doc.total_minor).scaleb(-2)
    if doc.credit_note or doc.currency != "EUR" or not 0 < amount <= EPC_MAX:
        return None
    if doc.seller.iban[:2] not in SEPA_COUNTRIES:
        return None
    qr = segno.helpers.make_epc_qr(
        name=doc.seller.legal_name[:70], iban=doc.seller.iban, amount=amount,
        reference=payment_reference(doc), bic=doc.seller.bic,
    )  # fmt: skip
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=5, border=2)
    return buffer.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(doc: Presentable) -> tuple[str, str]:
    """The filled template and the language it was found in."""
    language = doc.buyer.language or "en"
    template = _environment().select_template(template_names(doc.seller.code, language))
    found = (template.name or "en/").split("/")[-2]
    qr = epc_qr_png(doc)

    def money(minor: int, currency: str | None = None) -> str:
        return format_minor(minor, currency or doc.currency, language, symbol=False)

    def quantity(value: Decimal) -> str:
        return format_number(value.normalize(), language)

    def day(value: object) -> str:
        return format_day(value, language) if value else ""  # type: ignore[arg-type]

    base_tax = None
    if doc.currency != doc.seller.base_currency:
        base = doc.seller.base_currency
        base_tax = money(to_base(doc.tax_minor, doc.currency, base, doc.rate), base)
    html = template.render(
        doc=doc, money=money, quantity=quantity, day=day, percent=quantity,
        reference=payment_reference(doc), base_tax=base_tax, has_logo=doc.seller.logo_png
        is not None, has_qr=qr is not None,
    )  # fmt: skip
    return html, found


def render_pdf(doc: Presentable) -> bytes:
    """The printed document; the same document gives the same bytes."""
    html, _ = render_html(doc)
    images = {"logo": doc.seller.logo_png, "qr": epc_qr_png(doc)}
    pdf = _Pages(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.footer_text = _footer(doc)
    title = f"{'Credit note' if doc.credit_note else 'Invoice'} {doc.number}"
    pdf.set_title(printable(title))
    pdf.set_author(printable(doc.seller.legal_name))
    pdf.set_creator("o2c")
    pdf.set_creation_date(datetime.combine(doc.issue_date, time(), UTC))
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font(FONT, size=9)

    def image(src: str) -> str:
        png = images.get(src)
        return _data_uri(png) if png else src

    pdf.write_html(printable(html), font_family=FONT.lower(), image_map=image,
                   table_line_separators=True, tag_styles=_HEADINGS)  # fmt: skip
    return bytes(pdf.output())


_HEADINGS = {
    "h2": TextStyle(font_size_pt=15, color="#12407a", t_margin=4, b_margin=2),
    "h3": TextStyle(font_size_pt=11, color="#12407a", t_margin=3, b_margin=1),
}


def _footer(doc: Presentable) -> str:
    s = doc.seller
    parts = [s.legal_name, s.registration, s.vat_id and f"VAT {s.vat_id}",
             f"IBAN {s.iban}", s.bic and f"BIC {s.bic}", s.footer]  # fmt: skip
    return " | ".join(p for p in parts if p)


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.multi_cell(self.epw - 12, 3.5, printable(self.footer_text), align=Align.L)
        self.set_xy(self.l_margin + self.epw - 12, -14)
        self.cell(12, 3.5, f"{self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(0)
