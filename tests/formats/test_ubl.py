"""UBL 2.1 / Peppol BIS 3.0 writer: every sample passes the official XSD and rule sets."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree
from tests.einvoice_validator import assert_valid, require_artefacts, validate_ubl
from tests.formats.einvoice_samples import ALL, hard_invoice

from o2c.formats.einvoice import EInvoiceRefused
from o2c.formats.ubl import CAC, CBC, write_ubl

NS = {"cac": CAC, "cbc": CBC}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_sample_passes_xsd_en16931_and_peppol_rules(name: str) -> None:
    require_artefacts()
    # given a sample document; when written as UBL
    xml = write_ubl(ALL[name]())
    # then the official validation finds no fatal or error
    assert_valid(validate_ubl(xml))


def test_the_validator_rejects_a_document_whose_total_does_not_add_up() -> None:
    require_artefacts()
    # given a valid invoice whose payable amount is changed after writing
    root = etree.fromstring(write_ubl(hard_invoice()))
    payable = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
    assert payable is not None
    payable.text = "1.00"
    # when validated; then the EN 16931 rule on the payable amount rejects it
    rules = {f.rule for f in validate_ubl(etree.tostring(root)) if f.rejects}
    assert "BR-CO-16" in rules


def test_a_credit_note_is_a_creditnote_document_referring_to_its_invoice() -> None:
    # given the credit note sample; when written
    root = etree.fromstring(write_ubl(ALL["credit_note"]()))
    # then it is a UBL CreditNote of type 381 with credited quantities and the invoice it credits
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                         namespaces=NS) == "INV-2026-000042"  # fmt: skip
    assert root.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)


def test_document_discount_and_charge_are_written_per_vat_rate_with_the_exemption_reason() -> None:
    # given the invoice with three rates, a discount and a charge
    root = etree.fromstring(write_ubl(hard_invoice()))
    # then there is one allowance or charge per rate, and the exempt subtotal gives its reason
    adjustments = root.findall("cac:AllowanceCharge", NS)
    assert [a.findtext("cbc:ChargeIndicator", namespaces=NS) for a in adjustments] == [
        "false", "false", "false", "true", "true"
    ]  # fmt: skip
    reasons = root.findall(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason", NS
    )
    assert [r.text for r in reasons] == ["Exempt under section 4 no. 21 UStG (vocational training)"]


def test_the_vat_total_is_repeated_in_the_accounting_currency() -> None:
    # given a USD invoice of a EUR company; when written
    root = etree.fromstring(write_ubl(ALL["foreign_currency"]()))
    # then the second TaxTotal states the VAT in EUR
    totals = root.findall("cac:TaxTotal/cbc:TaxAmount", NS)
    assert [t.get("currencyID") for t in totals] == ["USD", "EUR"]
    assert root.findtext("cbc:TaxCurrencyCode", namespaces=NS) == "EUR"


def test_an_exemption_without_reason_is_refused_before_writing() -> None:
    # given an invoice whose exempt subtotal lost its reason
    invoice = hard_invoice()
    taxes = [replace(t, exemption_reason=None) for t in invoice.taxes]
    # when written; then the writer refuses and says why
    with pytest.raises(EInvoiceRefused, match="needs an exemption reason"):
        write_ubl(replace(invoice, taxes=taxes))


def test_totals_that_do_not_add_up_are_refused() -> None:
    invoice = hard_invoice()
    broken = replace(invoice, totals=replace(invoice.totals, payable_minor=1))
    with pytest.raises(EInvoiceRefused, match="amount payable"):
        write_ubl(broken)
