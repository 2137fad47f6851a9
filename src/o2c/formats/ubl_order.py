"""UBL 2.1 Order, and the buyer and lines of a UBL Invoice sent as an order, as `OrderDocument`.

Reads what a sales order needs and nothing else: the document id and date, the currency, the
buyer party (BuyerCustomerParty of an Order, AccountingCustomerParty of an Invoice) with its
account code, electronic address, VAT ids and other ids, and per line the quantity with its
unit code, the net unit price and the item ids. Works for plain OASIS UBL 2.1 and for Peppol
BIS Ordering / Billing 3.0 alike (they differ in rules, not in these elements). A CreditNote,
or an Invoice of type 381 (credit note), is refused: it is no order.
"""

from __future__ import annotations

from o2c.formats.order_document import (
    At,
    Buyer,
    DocumentLine,
    OrderDocument,
    Syntax,
    currency_at,
    decimal_at,
    iso_date,
    positive_quantity,
    unit_price,
)
from o2c.formats.problems import Problems

CREDIT_NOTE_CODES = {"381", "261", "262", "296", "308", "396", "420", "458", "532"}
"""UNTDID 1001 codes of credit notes (EN 16931 lists these for BT-3 of a credit note)."""


def _party_ids(party: At) -> tuple[tuple[str, str], ...]:
    ids = []
    for found in party.findall("cac:PartyIdentification/cbc:ID"):
        ids.append((found.node.attrs.get("schemeID", "").strip(), found.value))
    for found in party.findall("cac:PartyLegalEntity/cbc:CompanyID"):
        ids.append((found.node.attrs.get("schemeID", "").strip(), found.value))
    return tuple((scheme, value) for scheme, value in ids if value)


def _vat_ids(party: At) -> tuple[str, ...]:
    """CompanyIDs of the party's tax schemes that are VAT (or name no scheme at all)."""
    found = []
    for scheme in party.findall("cac:PartyTaxScheme"):
        kind = scheme.text("cac:TaxScheme/cbc:ID").upper()
        company_id = scheme.text("cbc:CompanyID")
        if company_id and kind in {"", "VAT"}:
            found.append(company_id)
    return tuple(found)


def _buyer(root: At, role: str, problems: Problems) -> Buyer:
    customer = root.child(role)
    party = customer.child("cac:Party") if customer is not None else None
    if customer is None or party is None:
        problems.refuse(root.line, root.where(f"{role}/cac:Party"), "the buyer party is missing")
    endpoint = party.child("cbc:EndpointID")
    name = party.text("cac:PartyName/cbc:Name") or party.text(
        "cac:PartyLegalEntity/cbc:RegistrationName"
    )
    return Buyer(
        name=name,
        account_id=customer.text("cbc:SupplierAssignedAccountID") or None,
        endpoint=(
            (endpoint.node.attrs.get("schemeID", "").strip(), endpoint.value)
            if endpoint is not None and endpoint.value
            else None
        ),
        vat_ids=_vat_ids(party),
        party_ids=_party_ids(party),
        path=party.path,
        line=party.line,
    )


def _line(
    line: At, item_at: At, quantity_step: str, currency: str | None, problems: Problems
) -> DocumentLine:
    """One OrderLine/LineItem or InvoiceLine; `item_at` is the element holding Item and Price."""
    quantity_at = item_at.child(quantity_step)
    quantity, unit = positive_quantity(
        quantity_at, item_at.where(quantity_step), problems, line=item_at.line
    )
    price = item_at.find("cac:Price/cbc:PriceAmount")
    if price is not None and currency and price.node.attrs.get("currencyID", currency) != currency:
        problems.add(price.line, price.path, f"price in another currency than {currency}")
    item = item_at.child("cac:Item")
    item_path = item.path if item is not None else item_at.where("cac:Item")
    standard = item.findall("cac:StandardItemIdentification/cbc:ID") if item is not None else []
    return DocumentLine(
        line_id=item_at.text("cbc:ID"),
        quantity=quantity,
        unit_code=unit,
        unit_price=unit_price(price, item_at.find("cac:Price/cbc:BaseQuantity"), problems),
        seller_item_id=item_at.text("cac:Item/cac:SellersItemIdentification/cbc:ID") or None,
        buyer_item_id=item_at.text("cac:Item/cac:BuyersItemIdentification/cbc:ID") or None,
        standard_item_ids=tuple(s.value for s in standard if s.value),
        name=item_at.text("cac:Item/cbc:Name") or item_at.text("cac:Item/cbc:Description"),
        path=line.path,
        item_path=item_path,
        quantity_path=quantity_at.path if quantity_at is not None else item_at.where(quantity_step),
        line=line.line,
    )


def _lines(
    root: At, syntax: Syntax, currency: str | None, problems: Problems
) -> list[DocumentLine]:
    if syntax == Syntax.UBL_ORDER:
        found = root.children("cac:OrderLine")
        lines = []
        for line in found:
            item_at = line.child("cac:LineItem")
            if item_at is None:
                problems.add(line.line, line.where("cac:LineItem"), "order line without LineItem")
                continue
            lines.append(_line(line, item_at, "cbc:Quantity", currency, problems))
    else:
        found = root.children("cac:InvoiceLine")
        lines = [_line(line, line, "cbc:InvoicedQuantity", currency, problems) for line in found]
    if not found:
        step = "cac:OrderLine" if syntax == Syntax.UBL_ORDER else "cac:InvoiceLine"
        problems.add(root.line, root.where(step), "the document has no lines")
    return lines


def read_ubl_order(root: At, problems: Problems) -> OrderDocument:
    """The order in a UBL Order or Invoice rooted at `root`; every problem is collected."""
    if root.node.tag == "CreditNote":
        problems.refuse(root.line, root.path, "a credit note is not an order")
    syntax = Syntax.UBL_ORDER if root.node.tag == "Order" else Syntax.UBL_INVOICE
    type_code = root.child("cbc:InvoiceTypeCode")
    if type_code is not None and type_code.value in CREDIT_NOTE_CODES:
        problems.refuse(type_code.line, type_code.path, "a credit note is not an order")
    document_id = root.text("cbc:ID")
    if not document_id:
        problems.add(root.line, root.where("cbc:ID"), "document id missing")
    currency = currency_at(root.child("cbc:DocumentCurrencyCode"), problems)
    role = "cac:BuyerCustomerParty" if syntax == Syntax.UBL_ORDER else "cac:AccountingCustomerParty"
    buyer = _buyer(root, role, problems)
    lines = _lines(root, syntax, currency, problems)
    total_step = (
        "cac:AnticipatedMonetaryTotal" if syntax == Syntax.UBL_ORDER else "cac:LegalMonetaryTotal"
    )
    total = root.find(f"{total_step}/cbc:LineExtensionAmount")
    issued = iso_date(root.child("cbc:IssueDate"), problems)
    line_total = decimal_at(total, total.path, problems, line=total.line) if total else None
    problems.raise_if_any()
    return OrderDocument(syntax, document_id, issued, currency, buyer, tuple(lines), line_total)
