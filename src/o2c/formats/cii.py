"""UN/CEFACT Cross Industry Invoice D16B in the Factur-X / ZUGFeRD EN 16931 profile.

The same `EInvoice` as `ubl.py`, in the other syntax EN 16931 allows: the XML a Factur-X PDF
carries. Element order follows the Factur-X EN 16931 schema, which is a strict sequence
everywhere; dates are `format="102"` (CCYYMMDD). A credit note is type 381 with positive
amounts, as in UBL.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from o2c.formats.einvoice import (
    EN16931_GUIDELINE,
    AllowanceCharge,
    EInvoice,
    EInvoiceRefused,
    Line,
    Party,
    Tax,
    TaxSubtotal,
    amount_text,
    decimal_text,
    problems,
)

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


class _Builder:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def el(self, parent: etree._Element, name: str, text: str | None = None,
           **attrs: str) -> etree._Element:  # fmt: skip
        prefix, _, local = name.rpartition(":")
        element = etree.SubElement(parent, f"{{{NSMAP[prefix or 'ram']}}}{local}", attrs)
        if text is not None:
            element.text = text
        return element

    def opt(self, parent: etree._Element, name: str, text: str | None) -> None:
        if text:
            self.el(parent, name, text)

    def amount(self, parent: etree._Element, name: str, minor: int,
               currency: str | None = None, *, with_currency: bool = False) -> None:  # fmt: skip
        code = currency or self.currency
        if with_currency:
            self.el(parent, name, amount_text(minor, code), currencyID=code)
        else:
            self.el(parent, name, amount_text(minor, code))

    def day(self, parent: etree._Element, name: str, value: date, kind: str = "udt") -> None:
        wrapper = self.el(parent, name)
        self.el(wrapper, f"{kind}:DateTimeString", value.strftime("%Y%m%d"), format="102")

    def indicator(self, parent: etree._Element, charge: bool) -> None:
        self.el(self.el(parent, "ChargeIndicator"), "udt:Indicator", "true" if charge else "false")


def write_cii(invoice: EInvoice) -> bytes:
    """The document as UTF-8 XML bytes; raises `EInvoiceRefused` if it cannot be valid."""
    found = problems(invoice)
    if found:
        raise EInvoiceRefused(found)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    b = _Builder(invoice.currency)
    context = b.el(root, "rsm:ExchangedDocumentContext")
    b.el(b.el(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", EN16931_GUIDELINE)
    document = b.el(root, "rsm:ExchangedDocument")
    b.el(document, "ID", invoice.number)
    b.el(document, "TypeCode", invoice.document_type.value)
    b.day(document, "IssueDateTime", invoice.issue_date)
    for note in invoice.notes:
        b.el(b.el(document, "IncludedNote"), "Content", note)
    transaction = b.el(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(b, transaction, line)
    _agreement(b, transaction, invoice)
    b.el(transaction, "ApplicableHeaderTradeDelivery")
    _settlement(b, transaction, invoice)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _line(b: _Builder, parent: etree._Element, line: Line) -> None:
    node = b.el(parent, "IncludedSupplyChainTradeLineItem")
    b.el(b.el(node, "AssociatedDocumentLineDocument"), "LineID", line.line_id)
    product = b.el(node, "SpecifiedTradeProduct")
    b.opt(product, "SellerAssignedID", line.seller_item_id)
    b.el(product, "Name", line.name)
    agreement = b.el(node, "SpecifiedLineTradeAgreement")
    b.el(b.el(agreement, "NetPriceProductTradePrice"), "ChargeAmount", decimal_text(line.price))
    delivery = b.el(node, "SpecifiedLineTradeDelivery")
    b.el(delivery, "BilledQuantity", decimal_text(line.quantity), unitCode=line.unit_code)
    settlement = b.el(node, "SpecifiedLineTradeSettlement")
    _trade_tax(b, settlement, "ApplicableTradeTax", line.tax)
    if line.allowance_minor:
        allowance = b.el(settlement, "SpecifiedTradeAllowanceCharge")
        b.indicator(allowance, charge=False)
        b.amount(allowance, "ActualAmount", line.allowance_minor)
        b.el(allowance, "Reason", line.allowance_reason)
    summation = b.el(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
    b.amount(summation, "LineTotalAmount", line.net_minor)


def _trade_tax(b: _Builder, parent: etree._Element, name: str, tax: Tax) -> None:
    node = b.el(parent, name)
    b.el(node, "TypeCode", "VAT")
    b.el(node, "CategoryCode", tax.category.value)
    b.el(node, "RateApplicablePercent", decimal_text(tax.percent))


def _agreement(b: _Builder, parent: etree._Element, invoice: EInvoice) -> None:
    node = b.el(parent, "ApplicableHeaderTradeAgreement")
    b.opt(node, "BuyerReference", invoice.buyer_reference)
    _party(b, node, "SellerTradeParty", invoice.seller)
    _party(b, node, "BuyerTradeParty", invoice.buyer)
    if invoice.order_reference:
        b.el(b.el(node, "BuyerOrderReferencedDocument"), "IssuerAssignedID",
             invoice.order_reference)  # fmt: skip


def _party(b: _Builder, parent: etree._Element, name: str, party: Party) -> None:
    node = b.el(parent, name)
    b.el(node, "Name", party.name)
    if party.legal_id:
        b.el(b.el(node, "SpecifiedLegalOrganization"), "ID", party.legal_id)
    if party.contact_name or party.contact_phone or party.contact_email:
        contact = b.el(node, "DefinedTradeContact")
        b.opt(contact, "PersonName", party.contact_name)
        if party.contact_phone:
            b.el(b.el(contact, "TelephoneUniversalCommunication"), "CompleteNumber",
                 party.contact_phone)  # fmt: skip
        if party.contact_email:
            b.el(b.el(contact, "EmailURIUniversalCommunication"), "URIID", party.contact_email)
    address = b.el(node, "PostalTradeAddress")
    b.opt(address, "PostcodeCode", party.address.postal_code)
    for tag, text in zip(("LineOne", "LineTwo", "LineThree"), party.address.lines, strict=False):
        b.opt(address, tag, text)
    b.el(address, "CityName", party.address.city)
    b.el(address, "CountryID", party.address.country)
    b.opt(address, "CountrySubDivisionName", party.address.region)
    if party.endpoint is not None:
        b.el(b.el(node, "URIUniversalCommunication"), "URIID", party.endpoint.value,
             schemeID=party.endpoint.scheme)  # fmt: skip
    if party.vat_id:
        b.el(b.el(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")


def _settlement(b: _Builder, parent: etree._Element, invoice: EInvoice) -> None:
    node = b.el(parent, "ApplicableHeaderTradeSettlement")
    payment = invoice.payment
    if payment is not None:
        b.el(node, "PaymentReference", payment.reference)
    b.opt(node, "TaxCurrencyCode", invoice.tax_currency)
    b.el(node, "InvoiceCurrencyCode", invoice.currency)
    if payment is not None:
        means = b.el(node, "SpecifiedTradeSettlementPaymentMeans")
        b.el(means, "TypeCode", payment.means_code)
        if payment.iban:
            account = b.el(means, "PayeePartyCreditorFinancialAccount")
            b.el(account, "IBANID", payment.iban)
            b.opt(account, "AccountName", payment.account_name)
        if payment.iban and payment.bic:
            b.el(b.el(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", payment.bic)
    for subtotal in invoice.taxes:
        _breakdown(b, node, subtotal)
    for adjustment in invoice.allowances_charges:
        _document_allowance(b, node, adjustment)
    if invoice.payment_terms or invoice.due_date:
        terms = b.el(node, "SpecifiedTradePaymentTerms")
        b.opt(terms, "Description", invoice.payment_terms)
        if invoice.due_date is not None:
            b.day(terms, "DueDateDateTime", invoice.due_date)
    _summation(b, node, invoice)
    if invoice.preceding is not None:
        reference = b.el(node, "InvoiceReferencedDocument")
        b.el(reference, "IssuerAssignedID", invoice.preceding.number)
        b.day(reference, "FormattedIssueDateTime", invoice.preceding.issue_date, kind="qdt")


def _breakdown(b: _Builder, parent: etree._Element, subtotal: TaxSubtotal) -> None:
    node = b.el(parent, "ApplicableTradeTax")
    b.amount(node, "CalculatedAmount", subtotal.tax_minor)
    b.el(node, "TypeCode", "VAT")
    if subtotal.tax.category.needs_reason:
        b.opt(node, "ExemptionReason", subtotal.exemption_reason)
    b.amount(node, "BasisAmount", subtotal.taxable_minor)
    b.el(node, "CategoryCode", subtotal.tax.category.value)
    b.el(node, "RateApplicablePercent", decimal_text(subtotal.tax.percent))


def _document_allowance(b: _Builder, parent: etree._Element, item: AllowanceCharge) -> None:
    node = b.el(parent, "SpecifiedTradeAllowanceCharge")
    b.indicator(node, charge=item.charge)
    b.amount(node, "ActualAmount", item.amount_minor)
    b.el(node, "Reason", item.reason)
    _trade_tax(b, node, "CategoryTradeTax", item.tax)


def _summation(b: _Builder, parent: etree._Element, invoice: EInvoice) -> None:
    t = invoice.totals
    node = b.el(parent, "SpecifiedTradeSettlementHeaderMonetarySummation")
    b.amount(node, "LineTotalAmount", t.lines_minor)
    b.amount(node, "ChargeTotalAmount", t.charges_minor)
    b.amount(node, "AllowanceTotalAmount", t.allowances_minor)
    b.amount(node, "TaxBasisTotalAmount", t.tax_exclusive_minor)
    b.amount(node, "TaxTotalAmount", t.tax_minor, with_currency=True)
    if invoice.tax_currency is not None and invoice.tax_in_tax_currency_minor is not None:
        b.amount(node, "TaxTotalAmount", invoice.tax_in_tax_currency_minor,
                 invoice.tax_currency, with_currency=True)  # fmt: skip
    b.amount(node, "GrandTotalAmount", t.tax_inclusive_minor)
    b.amount(node, "TotalPrepaidAmount", t.prepaid_minor)
    b.amount(node, "DuePayableAmount", t.payable_minor)
