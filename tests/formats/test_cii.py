"""CII (Factur-X / ZUGFeRD EN 16931 profile) writer: the official XSD and rules accept it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from tests.einvoice_validator import assert_valid, require_artefacts, validate_cii
from tests.formats.einvoice_samples import ALL, hard_invoice

from o2c.formats.cii import NSMAP, write_cii


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_sample_passes_facturx_xsd_and_en16931_cii_rules(name: str) -> None:
    require_artefacts()
    # given a sample document; when written as CII
    xml = write_cii(ALL[name]())
    # then the Factur-X EN 16931 schema and both rule sets find no fatal or error
    assert_valid(validate_cii(xml))


def test_the_validator_rejects_a_wrong_vat_breakdown() -> None:
    require_artefacts()
    # given a valid invoice whose first VAT amount is changed after writing
    root = etree.fromstring(write_cii(hard_invoice()))
    amount = root.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                       "ram:CalculatedAmount", NSMAP)  # fmt: skip
    assert amount is not None
    amount.text = str(Decimal(amount.text or "0") + 1)
    # then the rules reject it
    assert any(f.rejects for f in validate_cii(etree.tostring(root)))


def test_the_factur_x_package_reads_our_cii_with_the_same_totals() -> None:
    facturx = pytest.importorskip("facturx")
    # given the hard invoice written as CII
    invoice = hard_invoice()
    xml = write_cii(invoice)
    # when the factur-x package (an independent implementation) checks and reads it
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = etree.fromstring(xml)
    # then its grand total and payable amount are ours
    path = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert root.findtext(path + "GrandTotalAmount", namespaces=NSMAP) == str(
        Decimal(invoice.totals.tax_inclusive_minor) / 100
    )
    assert facturx.get_level(root) == "en16931"
