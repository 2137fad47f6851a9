"""Posted invoices and credit notes as UBL and CII: official validation and independent reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import render_document
from o2c.formats.ubl import CAC, CBC
from tests.billing.presentment_builders import Documents, the_documents
from tests.einvoice_validator import assert_valid, require_artefacts, validate_cii, validate_ubl

NS = {"cac": CAC, "cbc": CBC}
KINDS = ("hard", "credit_note", "usd", "plain")


@pytest.fixture
def docs(uow, actor) -> Documents:
    return the_documents(uow, actor)


def _render(uow, actor, docs: Documents, kind: str, fmt: DocumentFormat) -> bytes:
    number = getattr(docs, kind).number
    return render_document(uow, actor, number, fmt).content


def test_every_document_as_ubl_passes_xsd_en16931_and_peppol_rules(uow, actor, docs):
    require_artefacts()
    for kind in KINDS:
        # when each posted document is exported as UBL; then the official rules accept it
        assert_valid(validate_ubl(_render(uow, actor, docs, kind, DocumentFormat.UBL)))


def test_every_document_as_cii_passes_facturx_and_en16931_rules(uow, actor, docs):
    require_artefacts()
    for kind in KINDS:
        assert_valid(validate_cii(_render(uow, actor, docs, kind, DocumentFormat.CII)))


def test_the_ubl_states_the_ledger_totals_and_the_discount_and_charge(uow, actor, docs):
    # given the invoice with three rates, a 95.88 discount and a 12.00 charge
    root = etree.fromstring(_render(uow, actor, docs, "hard", DocumentFormat.UBL))
    totals = root.find("cac:LegalMonetaryTotal", NS)
    # then its totals are the posted invoice's, and allowances and charges add up to them
    assert totals.findtext("cbc:PayableAmount", namespaces=NS) == "889.04"
    assert docs.hard.total_minor == 88904
    assert totals.findtext("cbc:AllowanceTotalAmount", namespaces=NS) == "95.88"
    assert totals.findtext("cbc:ChargeTotalAmount", namespaces=NS) == "12.00"
    allowances = [Decimal(a.findtext("cbc:Amount", namespaces=NS))
                  for a in root.findall("cac:AllowanceCharge", NS)
                  if a.findtext("cbc:ChargeIndicator", namespaces=NS) == "false"]  # fmt: skip
    assert sum(allowances) == Decimal("95.88")
    assert len(allowances) == 3


def test_a_credit_note_refers_to_the_invoice_it_credits(uow, actor, docs):
    root = etree.fromstring(_render(uow, actor, docs, "credit_note", DocumentFormat.UBL))
    assert etree.QName(root).localname == "CreditNote"
    reference = root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                              namespaces=NS)  # fmt: skip
    assert reference == docs.hard.number


def test_a_foreign_currency_invoice_states_its_vat_in_the_company_currency(uow, actor, docs):
    # given a USD invoice of a EUR company at 0.92 EUR per USD
    root = etree.fromstring(_render(uow, actor, docs, "usd", DocumentFormat.UBL))
    amounts = {t.get("currencyID"): t.text for t in root.findall("cac:TaxTotal/cbc:TaxAmount", NS)}
    # then the VAT of 24.62 USD is also given as 22.65 EUR
    assert amounts == {"USD": "24.62", "EUR": "22.65"}


def test_an_independent_ubl_reader_gets_the_same_totals(uow, actor, docs):
    facturex = pytest.importorskip("facturex")
    for kind in KINDS:
        posted = getattr(docs, kind)
        # when the facturex package (its own UBL parser) reads our document
        read = facturex.parse_bytes(_render(uow, actor, docs, kind, DocumentFormat.UBL))
        # then it finds our number, net, VAT and total, and the VAT breakdown sums to the VAT
        assert read.number == posted.number
        assert read.type_code == ("381" if kind == "credit_note" else "380")
        assert (read.total_net, read.total_vat, read.amount_due) == (
            Decimal(posted.net_minor) / 100,
            Decimal(posted.tax_minor) / 100,
            Decimal(posted.total_minor) / 100,
        )
        assert sum(v.vat_amount for v in read.vat_breakdown) == read.total_vat
    # and for documents without document-level allowances its own arithmetic agrees with ours
    for kind in ("usd", "plain"):
        read = facturex.parse_bytes(_render(uow, actor, docs, kind, DocumentFormat.UBL))
        assert facturex.validate(read).ok


def test_facturx_pdf_carries_the_cii_that_the_factur_x_package_extracts(uow, actor, docs):
    facturx = pytest.importorskip("facturx")
    # given the hard invoice exported as Factur-X
    pdf = _render(uow, actor, docs, "hard", DocumentFormat.FACTURX)
    # when the factur-x package extracts the embedded XML
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    # then it is our CII with our totals
    assert filename == "factur-x.xml"
    root = etree.fromstring(xml)
    assert facturx.get_level(root) == "en16931"
    ram = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
    assert root.findtext(f".//{ram}DuePayableAmount") == "889.04"
    assert root.findtext(f".//{ram}TaxBasisTotalAmount") == "878.87"


def test_facturx_embedded_xml_passes_the_official_rules(uow, actor, docs):
    require_artefacts()
    import facturx

    pdf = _render(uow, actor, docs, "credit_note", DocumentFormat.FACTURX)
    _, xml = facturx.get_facturx_xml_from_pdf(pdf)
    assert_valid(validate_cii(xml))
