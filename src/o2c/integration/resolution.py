"""Who and what an incoming order means: its buyer as one of our customers, its items as products.

Shared by every inbound channel (X12 850, UBL and CII orders), so a customer or a product is
recognised the same way whichever syntax carried the order.

Products: the first id of the line that is a SKU of ours, tried in the order the caller gives
(the seller's own item number first: that is what the buyer copied from our catalogue).

Customers, in this order, the first that names exactly one customer winning:
  1. the account id we gave the buyer (UBL SupplierAssignedAccountID, CII BuyerTradeParty/ID)
     as the customer code;
  2. the electronic address ("scheme:id") as the customer's `peppol_id` attribute;
  3. a VAT id (or an electronic address that is one) as the customer's tax id, compared
     without spaces, dots and dashes;
  4. any other party id: with a scheme as `peppol_id`, without as the customer code.
Two customers behind one id (a VAT group, say) is refused as ambiguous rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select

from o2c.catalog import service as catalog
from o2c.catalog.model import Product
from o2c.db.uow import UnitOfWork
from o2c.formats.order_document import Buyer
from o2c.kernel.errors import NotFound
from o2c.parties import service as parties
from o2c.parties.model import Customer
from o2c.parties.tables import Customer as CustomerRow
from o2c.security.model import Actor


def product_for(
    uow: UnitOfWork, actor: Actor, codes: Sequence[str | None]
) -> tuple[Product | None, str]:
    """The product whose SKU is the first of `codes` o2c knows, and the codes tried."""
    tried = [code for code in dict.fromkeys(codes) if code]
    for code in tried:
        try:
            return catalog.find_product(uow, actor.company_id, code), ""
        except NotFound:
            continue
    return None, ", ".join(tried)


def normalized_tax_id(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch not in " .-")


def _tax_id_column() -> ColumnElement[str]:
    column: ColumnElement[str] = func.upper(CustomerRow.tax_id)
    for ch in " .-":
        column = func.replace(column, ch, "")
    return column


def _matching(uow: UnitOfWork, actor: Actor, condition: ColumnElement[bool]) -> list[int]:
    return list(
        uow.session.scalars(
            select(CustomerRow.id)
            .where(CustomerRow.company_id == actor.company_id, condition)
            .order_by(CustomerRow.id)
            .limit(2)
        )
    )


def _attempts(buyer: Buyer) -> list[tuple[str, ColumnElement[bool]]]:
    """(what was tried, the condition) in the order of the module docstring."""
    peppol = CustomerRow.attributes["peppol_id"].as_string()
    attempts: list[tuple[str, ColumnElement[bool]]] = []
    if buyer.account_id:
        attempts.append((f"account {buyer.account_id}", CustomerRow.code == buyer.account_id))
    if buyer.endpoint is not None:
        scheme, value = buyer.endpoint
        attempts.append((f"electronic address {scheme}:{value}", peppol == f"{scheme}:{value}"))
    vat_ids = [*buyer.vat_ids]
    if buyer.endpoint is not None and buyer.endpoint[1][:2].isalpha():
        vat_ids.append(buyer.endpoint[1])
    for vat_id in dict.fromkeys(normalized_tax_id(v) for v in vat_ids):
        attempts.append((f"VAT id {vat_id}", _tax_id_column() == vat_id))
    for scheme, value in buyer.party_ids:
        if scheme:
            attempts.append((f"party id {scheme}:{value}", peppol == f"{scheme}:{value}"))
        else:
            attempts.append((f"party id {value}", CustomerRow.code == value))
    return attempts


def customer_for(uow: UnitOfWork, actor: Actor, buyer: Buyer) -> tuple[Customer | None, str]:
    """The one customer the buyer's ids name, or None and why not (what was tried)."""
    attempts = _attempts(buyer)
    for label, condition in attempts:
        found = _matching(uow, actor, condition)
        if len(found) == 1:
            return parties.get_customer(uow, actor, found[0]), ""
        if len(found) > 1:
            return None, f"{label} names more than one customer"
    if not attempts:
        return None, f"the buyer {buyer.name!r} sent no identifier"
    tried = ", ".join(label for label, _ in attempts)
    return None, f"no customer has {tried}"
