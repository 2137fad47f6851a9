"""Printed invoices and credit notes: the amounts a reader sees, in the customer's language."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from o2c.billing.einvoicing import payment_reference
from o2c.billing.model import InvoiceKind
from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import (
    LIST_HEADER,
    find_posted,
    invoice_rows,
    load_presentable,
    render_document,
    set_letterhead,
)
from o2c.billing.printing import epc_qr_png, template_names
from o2c.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from o2c.notify.formatting import format_minor
from o2c.security.model import Actor, Role
from tests.billing.builders import a_draft, a_posted_invoice, line, tax_rates
from tests.billing.presentment_builders import (
    LETTERHEAD,
    Documents,
    a_customer_with_address,
    the_documents,
)


@pytest.fixture
def docs(uow, actor) -> Documents:
    return the_documents(uow, actor)


def _pdf(uow, actor, number: str) -> PdfReader:
    content = render_document(uow, actor, number, DocumentFormat.PDF).content
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def _text(reader: PdfReader) -> str:
    """The text a reader sees; no-break spaces read as spaces."""
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def _money(minor: int, currency: str, language: str) -> str:
    return format_minor(minor, currency, language, symbol=False).replace("\xa0", " ")


def test_a_german_invoice_shows_every_line_rate_and_total_in_german_format(uow, actor, docs):
    # given the invoice with three rates, discount and charge, for a German-speaking customer
    doc = load_presentable(uow, actor, docs.hard.id)
    # when printed
    text = _text(_pdf(uow, actor, docs.hard.number))

    # then the reader sees each line net, the discount, the charge, each rate's VAT and the
    # total exactly as the ledger has them, written the German way ("889,04 EUR")
    def de(minor: int) -> str:
        return _money(minor, "EUR", "de")

    assert "Rechnung " + docs.hard.number in text
    for printed_line in doc.lines:
        assert de(printed_line.net_minor) in text
    assert "-" + de(9588) in text
    assert de(1200) in text
    for tax in doc.taxes:
        assert f"{de(tax.taxable_minor)} {de(tax.tax_minor)}" in text
    assert de(docs.hard.total_minor) == "889,04 EUR"
    assert f"Gesamtbetrag {de(docs.hard.total_minor)}" in text
    # and the exemption's reason, the bank account and the RF reference to quote
    assert "Intra-community supply" in text
    assert "DE89370400440532013000" in text
    assert payment_reference(doc) in text


def test_a_euro_invoice_carries_an_epc_qr_code_and_a_dollar_invoice_does_not(uow, actor, docs):
    # given a euro invoice and a dollar invoice (the logo is an image on both)
    euro = _pdf(uow, actor, docs.hard.number)
    dollar = _pdf(uow, actor, docs.usd.number)
    # then only the euro invoice has the second image, the EPC QR code
    assert len(euro.pages[0].images) == 2
    assert len(dollar.pages[0].images) == 1
    assert epc_qr_png(load_presentable(uow, actor, docs.usd.id)) is None


def test_a_dollar_invoice_in_english_states_the_vat_in_euro(uow, actor, docs):
    text = _text(_pdf(uow, actor, docs.usd.number))
    assert "Invoice " + docs.usd.number in text
    assert "Total 162.02 USD" in text
    assert "VAT in EUR: 22.65 EUR" in text


def test_a_credit_note_names_the_invoice_it_credits_and_asks_for_no_payment(uow, actor, docs):
    text = _text(_pdf(uow, actor, docs.credit_note.number))
    assert "Gutschrift " + docs.credit_note.number in text
    assert docs.hard.number in text
    assert _money(docs.credit_note.total_minor, "EUR", "de") in text
    assert "Bitte überweisen" not in text
    assert epc_qr_png(load_presentable(uow, actor, docs.credit_note.id)) is None


def test_the_same_document_renders_to_the_same_pdf_and_the_same_embedded_xml(uow, actor, docs):
    # the factur-x package stamps its own wall-clock time into the metadata, so a Factur-X file
    # differs from run to run only there: its visible PDF and its XML are the same
    facturx = pytest.importorskip("facturx")
    number = docs.plain.number
    assert (render_document(uow, actor, number, DocumentFormat.PDF).content
            == render_document(uow, actor, number, DocumentFormat.PDF).content)  # fmt: skip
    first, second = (render_document(uow, actor, number, DocumentFormat.FACTURX).content
                     for _ in range(2))  # fmt: skip
    assert (facturx.get_facturx_xml_from_pdf(first)[1]
            == facturx.get_facturx_xml_from_pdf(second)[1])  # fmt: skip


def test_templates_are_looked_up_per_company_then_language_then_english():
    assert template_names("ACME", "de-CH") == [
        "acme/de_ch/invoice.html.j2", "acme/de/invoice.html.j2", "acme/en/invoice.html.j2",
        "de_ch/invoice.html.j2", "de/invoice.html.j2", "en/invoice.html.j2",
    ]  # fmt: skip


def test_a_language_without_template_falls_back_to_english(uow, actor, docs):
    customer = a_customer_with_address(uow, actor, "FR1", language="fr")
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "2", "10.00"))
    assert "Invoice " + invoice.number in _text(_pdf(uow, actor, invoice.number))


def test_documents_cannot_be_rendered_before_the_letterhead_is_set(uow, actor):
    tax_rates(uow, actor)
    customer = a_customer_with_address(uow, actor, "K9")
    invoice = a_posted_invoice(uow, actor, customer, line())
    with pytest.raises(ValidationFailed, match="letterhead"):
        render_document(uow, actor, invoice.number, DocumentFormat.UBL)


def test_drafts_and_unknown_numbers_are_not_found(uow, actor, docs):
    customer = a_customer_with_address(uow, actor, "K8")
    draft = a_draft(uow, actor, customer, line())
    with pytest.raises(NotFound):
        find_posted(uow, actor, str(draft.id))
    with pytest.raises(NotFound):
        render_document(uow, actor, "INV-1999-000001", DocumentFormat.PDF)


def test_an_invalid_iban_is_refused_and_only_admins_set_the_letterhead(uow, actor):
    with pytest.raises(ValidationFailed, match="iban"):
        set_letterhead(uow, actor, replace(LETTERHEAD, iban="DE00 3704 0044 0532 0130 00"))
    clerk = Actor("clerk", actor.company_id, frozenset({Role.AR_CLERK}))
    with pytest.raises(PermissionDenied):
        set_letterhead(uow, clerk, LETTERHEAD)


def test_the_list_has_every_posted_document_with_its_open_amount(uow, actor, docs):
    rows = {row[0]: dict(zip(LIST_HEADER, row, strict=True)) for row in invoice_rows(uow, actor)}
    assert set(rows) == {docs.hard.number, docs.credit_note.number, docs.usd.number,
                         docs.plain.number}  # fmt: skip
    hard = rows[docs.hard.number]
    assert (hard["total"], hard["kind"], hard["currency"]) == ("889.04", "invoice", "EUR")
    # the credit note was applied to the invoice it credits: both are partly or fully settled
    assert hard["open_amount"] == "47.91"
    assert rows[docs.credit_note.number]["kind"] == InvoiceKind.CREDIT_NOTE.value
    assert rows[docs.credit_note.number]["open_amount"] == "0.00"
    assert rows[docs.usd.number]["total"] == "162.02"
