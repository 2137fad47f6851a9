"""Small keyword-default builders for the matching engine's inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from o2c.cashapp.engine import Engine
from o2c.cashapp.model import CustomerProfile, MatchPolicy, OpenInvoice
from o2c.formats.statement import BankLine, StructuredRef

IBAN_C1042 = "DE89370400440532013000"
IBAN_PARENT = "DE02120300000000202051"
IBAN_UNKNOWN = "DE75512108001245126199"
OWN_ACCOUNT = "DE44500105175407324931"
TODAY = date(2026, 3, 20)


def a_customer(
    customer_id: int = 1042,
    name: str = "Müller Maschinenbau GmbH",
    *,
    code: str | None = None,
    aliases: tuple[str, ...] = (),
    ibans: tuple[str, ...] = (IBAN_C1042,),
    parent_id: int | None = None,
) -> CustomerProfile:
    return CustomerProfile(customer_id, code or f"C{customer_id}", name, aliases, ibans, parent_id)


_next_item = [100]


def an_invoice(
    number: str = "INV-2026-001926",
    amount: str = "1234.50",
    *,
    customer_id: int = 1042,
    po: str | None = None,
    currency: str = "EUR",
    due: date = date(2026, 3, 1),
    discount_date: date | None = None,
    discount: str = "0",
    item_id: int | None = None,
) -> OpenInvoice:
    if item_id is None:
        _next_item[0] += 1
        item_id = _next_item[0]
    return OpenInvoice(
        item_id=item_id,
        customer_id=customer_id,
        number=number,
        po_number=po,
        currency=currency,
        open_minor=int(Decimal(amount) * 100),
        due_date=due,
        discount_date=discount_date,
        discount_minor=int(Decimal(discount) * 100),
    )


def a_line(
    amount: str = "1234.50",
    text: str = "",
    *,
    name: str = "",
    account: str = "",
    on: date = TODAY,
    refs: tuple[StructuredRef, ...] = (),
    currency: str = "EUR",
    booked: bool = True,
    reversal: bool = False,
) -> BankLine:
    return BankLine(
        bank_ref="B-1",
        booking_date=on,
        value_date=on,
        amount=Decimal(amount),
        currency=currency,
        counterparty_name=name,
        counterparty_account=account,
        remittance_text=text,
        structured_refs=refs,
        is_reversal=reversal,
        booked=booked,
    )


def an_engine(
    customers: list[CustomerProfile] | None = None,
    invoices: list[OpenInvoice] | None = None,
    **policy: object,
) -> Engine:
    return Engine(
        customers if customers is not None else [a_customer()],
        invoices if invoices is not None else [an_invoice()],
        policy=MatchPolicy(**policy),  # type: ignore[arg-type]
        own_accounts=[OWN_ACCOUNT],
    )


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


def rf_reference(payload: str) -> str:
    """An ISO 11649 creditor reference carrying `payload`, with valid check digits."""
    numeric = "".join(str(int(ch, 36)) for ch in payload + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{payload}"
