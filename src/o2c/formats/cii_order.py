"""UN/CEFACT Cross Industry Order (Order-X) and CII invoices as `OrderDocument`.

Order-X (`rsm:SCRDMCCBDACIOMessageStructure`, the FNFE-MPE/FeRD order in the CII family) and
CrossIndustryInvoice (Factur-X / ZUGFeRD / XRechnung CII) share the trade-transaction model:
lines in `IncludedSupplyChainTradeLineItem`, the buyer in the header agreement's
`BuyerTradeParty`, the currency in the header settlement. They differ where an order asks
(`RequestedQuantity`, `OrderCurrencyCode`) and an invoice bills (`BilledQuantity`,
`InvoiceCurrencyCode`). Only new orders (type 220) open sales orders; order changes,
cancellations and credit notes are refused.
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
from o2c.formats.ubl_order import CREDIT_NOTE_CODES

ORDER_ROOT = "SCRDMCCBDACIOMessageStructure"
INVOICE_ROOT = "CrossIndustryInvoice"
NEW_ORDER = "220"


def _buyer(agreement: At | None, transaction: At, problems: Problems) -> Buyer:
    party = agreement.child("ram:BuyerTradeParty") if agreement is not None else None
    if party is None:
        where = transaction.where("ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty")
        problems.refuse(transaction.line, where, "the buyer party is missing")
    ids: list[tuple[str, str]] = []
    for step in ("ram:GlobalID", "ram:SpecifiedLegalOrganization/ram:ID"):
        ids += [(x.node.attrs.get("schemeID", "").strip(), x.value) for x in party.findall(step)]
    own = [x.value for x in party.children("ram:ID") if x.value]
    vat = [
        x.value
        for x in party.findall("ram:SpecifiedTaxRegistration/ram:ID")
        if x.value and x.node.attrs.get("schemeID", "VA") == "VA"
    ]
    uri = party.find("ram:URIUniversalCommunication/ram:URIID")
    return Buyer(
        name=party.text("ram:Name"),
        account_id=own[0] if own else None,
        endpoint=(
            (uri.node.attrs.get("schemeID", "").strip(), uri.value)
            if uri is not None and uri.value
            else None
        ),
        vat_ids=tuple(vat),
        party_ids=tuple((scheme, value) for scheme, value in ids if value)
        + tuple(("", value) for value in own[1:]),
        path=party.path,
        line=party.line,
    )


def _line(line: At, quantity_step: str, problems: Problems) -> DocumentLine:
    delivery = line.child("ram:SpecifiedLineTradeDelivery")
    quantity_at = delivery.child(quantity_step) if delivery is not None else None
    quantity_path = line.where(f"ram:SpecifiedLineTradeDelivery/{quantity_step}")
    quantity, unit = positive_quantity(quantity_at, quantity_path, problems, line=line.line)
    price = line.find("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice")
    product = line.child("ram:SpecifiedTradeProduct")
    globals_ = product.findall("ram:GlobalID") if product is not None else []
    return DocumentLine(
        line_id=line.text("ram:AssociatedDocumentLineDocument/ram:LineID"),
        quantity=quantity,
        unit_code=unit,
        unit_price=(
            unit_price(price.child("ram:ChargeAmount"), price.child("ram:BasisQuantity"), problems)
            if price is not None
            else None
        ),
        seller_item_id=line.text("ram:SpecifiedTradeProduct/ram:SellerAssignedID") or None,
        buyer_item_id=line.text("ram:SpecifiedTradeProduct/ram:BuyerAssignedID") or None,
        standard_item_ids=tuple(g.value for g in globals_ if g.value),
        name=line.text("ram:SpecifiedTradeProduct/ram:Name"),
        path=line.path,
        item_path=product.path if product is not None else line.where("ram:SpecifiedTradeProduct"),
        quantity_path=quantity_at.path if quantity_at is not None else quantity_path,
        line=line.line,
    )


def _check_type(root: At, syntax: Syntax, problems: Problems) -> None:
    type_code = root.find("rsm:ExchangedDocument/ram:TypeCode")
    if type_code is None:
        return
    if syntax == Syntax.CII_ORDER and type_code.value != NEW_ORDER:
        problems.refuse(
            type_code.line, type_code.path, f"type {type_code.value} is no new order (220)"
        )
    if syntax == Syntax.CII_INVOICE and type_code.value in CREDIT_NOTE_CODES:
        problems.refuse(type_code.line, type_code.path, "a credit note is not an order")


def read_cii_order(root: At, problems: Problems) -> OrderDocument:
    """The order in an Order-X message or a CII invoice rooted at `root`."""
    syntax = Syntax.CII_ORDER if root.node.tag == ORDER_ROOT else Syntax.CII_INVOICE
    _check_type(root, syntax, problems)
    document_id = root.text("rsm:ExchangedDocument/ram:ID")
    if not document_id:
        problems.add(root.line, root.where("rsm:ExchangedDocument/ram:ID"), "document id missing")
    transaction = root.child("rsm:SupplyChainTradeTransaction")
    if transaction is None:
        where = root.where("rsm:SupplyChainTradeTransaction")
        problems.refuse(root.line, where, "the trade transaction is missing")
    buyer = _buyer(transaction.child("ram:ApplicableHeaderTradeAgreement"), transaction, problems)
    settlement = transaction.child("ram:ApplicableHeaderTradeSettlement")
    ordering = syntax == Syntax.CII_ORDER
    currency_step = "ram:OrderCurrencyCode" if ordering else "ram:InvoiceCurrencyCode"
    currency = currency_at(settlement.child(currency_step) if settlement else None, problems)
    items = transaction.children("ram:IncludedSupplyChainTradeLineItem")
    if not items:
        where = transaction.where("ram:IncludedSupplyChainTradeLineItem")
        problems.add(transaction.line, where, "the document has no lines")
    quantity_step = "ram:RequestedQuantity" if ordering else "ram:BilledQuantity"
    lines = tuple(_line(item, quantity_step, problems) for item in items)
    total = (
        settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount")
        if settlement is not None
        else None
    )
    issued = iso_date(root.find("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
                      problems)  # fmt: skip
    line_total = decimal_at(total, total.path, problems, line=total.line) if total else None
    problems.raise_if_any()
    return OrderDocument(syntax, document_id, issued, currency, buyer, lines, line_total)
