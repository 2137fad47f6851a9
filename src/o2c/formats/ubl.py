"""UBL 2.1 Invoice and CreditNote as Peppol BIS Billing 3.0 wants them.

Element order follows the UBL 2.1 schema (the XSD rejects any other); what goes in follows
the Peppol BIS 3.0 rules on top of EN 16931: both parties carry an electronic address, a
document-level allowance or charge names its VAT category, a credit note refers to the
invoice it credits, and the VAT total is repeated in the seller's accounting currency when
the invoice is in another one.
"""

from __future__ import annotations

from lxml import etree

from o2c.formats.einvoice import (
    PEPPOL_CUSTOMIZATION,
    PEPPOL_PROFILE,
    AllowanceCharge,
    EInvoice,
    EInvoiceRefused,
    Line,
    Party,
    Tax,
    TaxSubtotal,
    amount_text,
    date_text,
    decimal_text,
    problems,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


class _Builder:
    """Appends cac/cbc elements; amounts always carry the invoice currency."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def cac(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def cbc(
        self, parent: etree._Element, name: str, text: str | None, **attrs: str
    ) -> etree._Element | None:
        if text is None or text == "":
            return None
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
        element.text = text
        return element

    def amount(
        self, parent: etree._Element, name: str, minor: int, currency: str | None = None
    ) -> None:
        code = currency or self.currency
        self.cbc(parent, name, amount_text(minor, code), currencyID=code)


def write_ubl(invoice: EInvoice) -> bytes:
    """The document as UTF-8 XML bytes; raises `EInvoiceRefused` if it cannot be valid."""
    found = problems(invoice) + [
        f"the {role} has no electronic address (Peppol requires one)"
        for role, party in (("seller", invoice.seller), ("buyer", invoice.buyer))
        if party.endpoint is None
    ]
    if found:
        raise EInvoiceRefused(found)
    credit = invoice.is_credit_note
    root_name = "CreditNote" if credit else "Invoice"
    ns = CREDIT_NOTE_NS if credit else INVOICE_NS
    # The stubs type nsmap keys as all-None or all-str; UBL's default namespace mixes them.
    nsmap = {None: ns, "cac": CAC, "cbc": CBC}
    root = etree.Element(f"{{{ns}}}{root_name}", nsmap=nsmap)  # type: ignore[arg-type]
    b = _Builder(invoice.currency)
    _head(b, root, invoice)
    _party(b, b.cac(root, "AccountingSupplierParty"), invoice.seller)
    _party(b, b.cac(root, "AccountingCustomerParty"), invoice.buyer)
    _payment(b, root, invoice)
    for adjustment in invoice.allowances_charges:
        _document_allowance(b, root, adjustment)
    _tax_total(b, root, invoice)
    _monetary_total(b, root, invoice)
    for line in invoice.lines:
        _line(b, root, line, credit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _head(b: _Builder, root: etree._Element, invoice: EInvoice) -> None:
    b.cbc(root, "CustomizationID", PEPPOL_CUSTOMIZATION)
    b.cbc(root, "ProfileID", PEPPOL_PROFILE)
    b.cbc(root, "ID", invoice.number)
    b.cbc(root, "IssueDate", date_text(invoice.issue_date))
    if not invoice.is_credit_note and invoice.due_date is not None:
        b.cbc(root, "DueDate", date_text(invoice.due_date))
    type_code = "CreditNoteTypeCode" if invoice.is_credit_note else "InvoiceTypeCode"
    b.cbc(root, type_code, invoice.document_type.value)
    for note in invoice.notes:
        b.cbc(root, "Note", note)
    b.cbc(root, "DocumentCurrencyCode", invoice.currency)
    b.cbc(root, "TaxCurrencyCode", invoice.tax_currency)
    b.cbc(root, "BuyerReference", invoice.buyer_reference)
    if invoice.order_reference:
        b.cbc(b.cac(root, "OrderReference"), "ID", invoice.order_reference)
    if invoice.preceding is not None:
        ref = b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference")
        b.cbc(ref, "ID", invoice.preceding.number)
        b.cbc(ref, "IssueDate", date_text(invoice.preceding.issue_date))


def _party(b: _Builder, wrapper: etree._Element, party: Party) -> None:
    node = b.cac(wrapper, "Party")
    if party.endpoint is not None:
        b.cbc(node, "EndpointID", party.endpoint.value, schemeID=party.endpoint.scheme)
    b.cbc(b.cac(node, "PartyName"), "Name", party.name)
    address = b.cac(node, "PostalAddress")
    lines = party.address.lines
    b.cbc(address, "StreetName", lines[0] if lines else None)
    b.cbc(address, "AdditionalStreetName", lines[1] if len(lines) > 1 else None)
    b.cbc(address, "CityName", party.address.city)
    b.cbc(address, "PostalZone", party.address.postal_code)
    b.cbc(address, "CountrySubentity", party.address.region)
    b.cbc(b.cac(address, "Country"), "IdentificationCode", party.address.country)
    if party.vat_id:
        scheme = b.cac(node, "PartyTaxScheme")
        b.cbc(scheme, "CompanyID", party.vat_id)
        b.cbc(b.cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = b.cac(node, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", party.name)
    b.cbc(legal, "CompanyID", party.legal_id)
    if party.contact_name or party.contact_phone or party.contact_email:
        contact = b.cac(node, "Contact")
        b.cbc(contact, "Name", party.contact_name)
        b.cbc(contact, "Telephone", party.contact_phone)
        b.cbc(contact, "ElectronicMail", party.contact_email)


def _payment(b: _Builder, root: etree._Element, invoice: EInvoice) -> None:
    payment = invoice.payment
    if payment is not None:
        means = b.cac(root, "PaymentMeans")
        b.cbc(means, "PaymentMeansCode", payment.means_code)
        b.cbc(means, "PaymentID", payment.reference)
        if payment.iban:
            account = b.cac(means, "PayeeFinancialAccount")
            b.cbc(account, "ID", payment.iban)
            b.cbc(account, "Name", payment.account_name)
            if payment.bic:
                b.cbc(b.cac(account, "FinancialInstitutionBranch"), "ID", payment.bic)
    if invoice.payment_terms:
        b.cbc(b.cac(root, "PaymentTerms"), "Note", invoice.payment_terms)


def _tax_category(
    b: _Builder, parent: etree._Element, name: str, tax: Tax, reason: str | None = None
) -> None:
    category = b.cac(parent, name)
    b.cbc(category, "ID", tax.category.value)
    b.cbc(category, "Percent", decimal_text(tax.percent))
    b.cbc(category, "TaxExemptionReason", reason)
    b.cbc(b.cac(category, "TaxScheme"), "ID", "VAT")


def _document_allowance(b: _Builder, root: etree._Element, item: AllowanceCharge) -> None:
    node = b.cac(root, "AllowanceCharge")
    b.cbc(node, "ChargeIndicator", "true" if item.charge else "false")
    b.cbc(node, "AllowanceChargeReason", item.reason)
    b.amount(node, "Amount", item.amount_minor)
    _tax_category(b, node, "TaxCategory", item.tax)


def _tax_total(b: _Builder, root: etree._Element, invoice: EInvoice) -> None:
    total = b.cac(root, "TaxTotal")
    b.amount(total, "TaxAmount", invoice.totals.tax_minor)
    for subtotal in invoice.taxes:
        _tax_subtotal(b, total, subtotal)
    if invoice.tax_currency is not None and invoice.tax_in_tax_currency_minor is not None:
        accounting = b.cac(root, "TaxTotal")
        b.amount(accounting, "TaxAmount", invoice.tax_in_tax_currency_minor, invoice.tax_currency)


def _tax_subtotal(b: _Builder, parent: etree._Element, subtotal: TaxSubtotal) -> None:
    node = b.cac(parent, "TaxSubtotal")
    b.amount(node, "TaxableAmount", subtotal.taxable_minor)
    b.amount(node, "TaxAmount", subtotal.tax_minor)
    reason = subtotal.exemption_reason if subtotal.tax.category.needs_reason else None
    _tax_category(b, node, "TaxCategory", subtotal.tax, reason)


def _monetary_total(b: _Builder, root: etree._Element, invoice: EInvoice) -> None:
    t = invoice.totals
    node = b.cac(root, "LegalMonetaryTotal")
    b.amount(node, "LineExtensionAmount", t.lines_minor)
    b.amount(node, "TaxExclusiveAmount", t.tax_exclusive_minor)
    b.amount(node, "TaxInclusiveAmount", t.tax_inclusive_minor)
    if t.allowances_minor:
        b.amount(node, "AllowanceTotalAmount", t.allowances_minor)
    if t.charges_minor:
        b.amount(node, "ChargeTotalAmount", t.charges_minor)
    if t.prepaid_minor:
        b.amount(node, "PrepaidAmount", t.prepaid_minor)
    b.amount(node, "PayableAmount", t.payable_minor)


def _line(b: _Builder, root: etree._Element, line: Line, credit: bool) -> None:
    node = b.cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    b.cbc(node, "ID", line.line_id)
    quantity = "CreditedQuantity" if credit else "InvoicedQuantity"
    b.cbc(node, quantity, decimal_text(line.quantity), unitCode=line.unit_code)
    b.amount(node, "LineExtensionAmount", line.net_minor)
    if line.allowance_minor:
        allowance = b.cac(node, "AllowanceCharge")
        b.cbc(allowance, "ChargeIndicator", "false")
        b.cbc(allowance, "AllowanceChargeReason", line.allowance_reason)
        b.amount(allowance, "Amount", line.allowance_minor)
    item = b.cac(node, "Item")
    b.cbc(item, "Name", line.name)
    if line.seller_item_id:
        b.cbc(b.cac(item, "SellersItemIdentification"), "ID", line.seller_item_id)
    _tax_category(b, item, "ClassifiedTaxCategory", line.tax)
    b.cbc(b.cac(node, "Price"), "PriceAmount", decimal_text(line.price), currencyID=b.currency)
