"""Which e-document a file is, by its root element, and its order: UBL or CII, order or invoice.

One entry point for every XML order a customer may send: UBL 2.1 Order, UBL Invoice,
UN/CEFACT Order-X, CII invoice. The XML is read through `xmltree` (defusedxml: no DTDs, no
entities), so a hostile file is refused before any element is looked at.
"""

from __future__ import annotations

from o2c.formats.cii_order import INVOICE_ROOT, ORDER_ROOT, read_cii_order
from o2c.formats.order_document import At, OrderDocument
from o2c.formats.problems import Problems
from o2c.formats.ubl_order import read_ubl_order
from o2c.formats.xmltree import parse_xml

UBL_ROOTS = {"Order", "Invoice", "CreditNote"}
CII_ROOTS = {ORDER_ROOT, INVOICE_ROOT}


def looks_like_xml(data: bytes) -> bool:
    """True when the first non-blank character (after a byte-order mark) opens a tag."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def parse_order_document(data: bytes, path: str = "") -> OrderDocument:
    """The order in a UBL or CII document, or `InvalidFile` naming each element at fault."""
    problems = Problems(path)
    root = parse_xml(data, problems)
    if root.tag in UBL_ROOTS:
        return read_ubl_order(At(root, f"/{root.tag}"), problems)
    if root.tag not in CII_ROOTS:
        problems.refuse(
            root.line,
            f"/{root.tag}",
            "not an order document: expected a UBL Order or Invoice, an Order-X order "
            "or a CII invoice",
        )
    return read_cii_order(At(root, f"/rsm:{root.tag}"), problems)
