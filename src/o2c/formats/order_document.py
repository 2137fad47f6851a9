"""A customer's order as it arrives in an e-document (UBL or CII), before o2c knows anyone.

`OrderDocument` is what the UBL and CII readers (`ubl_order`, `cii_order`) agree on: who the
buyer says it is (every identifier it sent: electronic address, VAT id, our account code,
other party ids), and per line the quantity, unit code, unit price and every item id. Each
value the application may still refuse (an unknown buyer, an unknown item, a unit that is
not the product's) carries its XML path and line, so the refusal names the element to fix.

`At` is the reader's cursor: an element of `xmltree` plus the path that reached it, written
with the standard's own prefixes (`/Order/cac:OrderLine[2]/cac:LineItem/cbc:Quantity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from o2c.formats.problems import Problems
from o2c.formats.xmltree import Node

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class Syntax(StrEnum):
    UBL_ORDER = "ubl-order"
    UBL_INVOICE = "ubl-invoice"
    CII_ORDER = "cii-order"
    """UN/CEFACT Cross Industry Order (Order-X)."""
    CII_INVOICE = "cii-invoice"


@dataclass(frozen=True)
class Buyer:
    """Every way the document names its buyer, in the order o2c tries them."""

    name: str
    account_id: str | None
    """The buyer's account at the seller (UBL SupplierAssignedAccountID, CII BuyerTradeParty/ID)."""
    endpoint: tuple[str, str] | None
    """Electronic address (scheme, id), e.g. ("0088", GLN) or ("9930", German VAT id)."""
    vat_ids: tuple[str, ...]
    party_ids: tuple[tuple[str, str], ...]
    """Other identifiers as (scheme or "", id): GLNs, registration numbers, free ids."""
    path: str
    line: int


@dataclass(frozen=True)
class DocumentLine:
    line_id: str
    quantity: Decimal
    unit_code: str | None
    """UN/ECE Recommendation 20 code (C62 one, H87 piece, KGM, LTR, HUR ...)."""
    unit_price: Decimal | None
    """Net price of one unit (the price divided by its base quantity), when sent."""
    seller_item_id: str | None
    buyer_item_id: str | None
    standard_item_ids: tuple[str, ...]
    name: str
    path: str
    """The line element, e.g. /Order/cac:OrderLine[2]; item and quantity paths hang below."""
    item_path: str
    quantity_path: str
    line: int


@dataclass(frozen=True)
class OrderDocument:
    syntax: Syntax
    document_id: str
    issue_date: date | None
    currency: str | None
    buyer: Buyer
    lines: tuple[DocumentLine, ...]
    line_total: Decimal | None
    """The document's own sum of line nets, for the caller to compare with o2c's pricing."""


@dataclass(frozen=True)
class At:
    """An element and the prefixed path that reached it."""

    node: Node
    path: str

    def child(self, step: str) -> At | None:
        """The first child named `step` (`prefix:Local`), or None."""
        local = step.rpartition(":")[2]
        found = next((c for c in self.node.children if c.tag == local), None)
        return None if found is None else At(found, f"{self.path}/{step}")

    def children(self, step: str) -> list[At]:
        """Every child named `step`, each path indexed from 1 as XPath counts."""
        local = step.rpartition(":")[2]
        found = [c for c in self.node.children if c.tag == local]
        return [At(c, f"{self.path}/{step}[{i}]") for i, c in enumerate(found, start=1)]

    def find(self, steps: str) -> At | None:
        """The element at a `/`-separated relative path of steps, or None."""
        here: At | None = self
        for step in steps.split("/"):
            if here is None:
                return None
            here = here.child(step)
        return here

    def findall(self, steps: str) -> list[At]:
        head, _, last = steps.rpartition("/")
        parent = self.find(head) if head else self
        return parent.children(last) if parent is not None else []

    def text(self, steps: str) -> str:
        found = self.find(steps)
        return found.node.text.strip() if found is not None else ""

    def where(self, steps: str) -> str:
        """The path a missing element would have: what a refusal names."""
        return f"{self.path}/{steps}"

    @property
    def value(self) -> str:
        return self.node.text.strip()

    @property
    def line(self) -> int:
        return self.node.line


def decimal_at(at: At | None, where: str, problems: Problems, *, line: int) -> Decimal | None:
    """The element's text as a Decimal; a missing or malformed number is a problem at `where`."""
    if at is None or not at.value:
        problems.add(line, where, "number missing")
        return None
    if not _DECIMAL.fullmatch(at.value):
        problems.add(at.line, at.path, f"not a number: {at.value!r}")
        return None
    return Decimal(at.value)


def iso_date(at: At | None, problems: Problems) -> date | None:
    """A YYYY-MM-DD date (UBL) or, with CII's format 102, YYYYMMDD."""
    if at is None or not at.value:
        return None
    raw = at.value
    try:
        if at.node.attrs.get("format", "102") == "102" and len(raw) == 8 and raw.isdigit():
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.add(at.line, at.path, f"not a date: {raw!r}")
        return None


def currency_at(at: At | None, problems: Problems) -> str | None:
    if at is None or not at.value:
        return None
    if not (len(at.value) == 3 and at.value.isalpha() and at.value.isupper()):
        problems.add(at.line, at.path, f"not an ISO 4217 currency code: {at.value!r}")
        return None
    return at.value


def unit_price(price: At | None, base: At | None, problems: Problems) -> Decimal | None:
    """The price of one unit: the price element over its base quantity (default 1)."""
    if price is None or not price.value:
        return None
    amount = decimal_at(price, price.path, problems, line=price.line)
    if amount is None:
        return None
    if amount < 0:
        problems.add(price.line, price.path, "a price must not be negative")
        return None
    if base is None or not base.value:
        return amount
    per = decimal_at(base, base.path, problems, line=base.line)
    if per is None or per <= 0:
        if per is not None:
            problems.add(base.line, base.path, "a base quantity must be positive")
        return None
    return amount / per


def positive_quantity(
    at: At | None, where: str, problems: Problems, *, line: int
) -> tuple[Decimal, str | None]:
    """The ordered quantity (refused unless positive) and its unit code."""
    quantity = decimal_at(at, where, problems, line=line)
    if at is None:
        return Decimal(0), None
    if quantity is not None and quantity <= 0:
        problems.add(at.line, at.path, f"quantity must be positive, not {quantity}")
    unit = at.node.attrs.get("unitCode", "").strip() or None
    return quantity or Decimal(0), unit
