"""A company with a letterhead and the documents that make e-invoicing hard, for presentment
tests: three tax rates with an exemption, line and document discounts, a charge, a credit
note, and an invoice in US dollars."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PIL import Image

from o2c.billing.model import CreditLine
from o2c.billing.presentable import LetterheadSet
from o2c.billing.presentment import set_letterhead
from o2c.billing.service import create_credit_note, invoice_details
from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.ledger.service import set_fx_rate
from o2c.parties.contacts import add_address
from o2c.parties.model import AddressCreate, AddressKind, CustomerCreate
from o2c.parties.service import create_customer
from o2c.security.model import Actor
from tests.billing.builders import a_posted_invoice, line, tax_rates


def _logo() -> bytes:
    """A small blue bar as the company logo (PNG)."""
    buffer = io.BytesIO()
    Image.new("RGB", (240, 60), (20, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


LOGO = _logo()
LETTERHEAD = LetterheadSet(
    legal_name="Acme Supplies GmbH",
    street="Industriestraße 7",
    postal_code="20095",
    city="Hamburg",
    country="DE",
    iban="DE89 3704 0044 0532 0130 00",
    bic="COBADEFFXXX",
    bank_name="Commerzbank",
    vat_id="DE123456789",
    registration="HRB 4711, Amtsgericht Hamburg",
    contact_name="Accounts receivable",
    phone="+49 40 1234567",
    email="ar@acme.example",
    logo_png=LOGO,
)


@dataclass(frozen=True)
class Documents:
    hard: Invoice
    credit_note: Invoice
    usd: Invoice
    plain: Invoice


def a_customer_with_address(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    currency: str = "EUR",
    language: str = "de",
    country: str = "DE",
    tax_id: str | None = "DE987654321",
) -> int:
    customer = create_customer(uow, actor, CustomerCreate(
        code=code, name=f"Kunde {code} GmbH", currency=currency, country=country,
        tax_id=tax_id, language=language, email=f"{code.lower()}@example.com",
        attributes={} if tax_id else {"peppol_id": "0088:4000001000005"},
    ))  # fmt: skip
    add_address(uow, actor, customer.id, AddressCreate(
        AddressKind.BILLING, "Königstraße 12", "Stuttgart" if country == "DE" else "Boston",
        country, postal_code="70173" if country == "DE" else "02110",
    ))  # fmt: skip
    return customer.id


def the_documents(uow: UnitOfWork, actor: Actor) -> Documents:
    """Posts the documents every presentment test reads."""
    tax_rates(uow, actor)
    set_letterhead(uow, actor, LETTERHEAD)
    customer = a_customer_with_address(uow, actor, "K1")
    hard = a_posted_invoice(
        uow, actor, customer,
        line("Schutzhelm, weiß", "3", "19.99", "standard", discount_percent="10"),
        line("Fachbuch Elektrotechnik", "1.5", "4.35", "reduced"),
        line("Schulung Arbeitssicherheit", "2", "450.00", "exempt"),
        line("Kabelbinder", "7", "0.33", "standard", discount_percent="2.5"),
        on=date(2026, 2, 10), discount=Decimal("95.88"), discount_reason="Treuerabatt",
        charge=Decimal("12.00"), charge_reason="Fracht", po_number="PO-7781",
    )  # fmt: skip
    lines = invoice_details(uow, actor, hard.id).lines
    credit_note = create_credit_note(
        uow,
        actor,
        hard.id,
        [CreditLine(lines[0].id, Decimal(1)), CreditLine(lines[2].id)],
        "returned goods, cancelled seat",
    )
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.92"))
    american = a_customer_with_address(uow, actor, "US1", "USD", "en", "US", tax_id=None)
    usd = a_posted_invoice(
        uow, actor, american, line("Safety helmet", "10", "12.50", "standard"),
        line("Handbook", "4", "3.10", "reduced"), on=date(2026, 2, 12),
    )  # fmt: skip
    plain = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00"),
                             on=date(2026, 2, 20))  # fmt: skip
    return Documents(hard, credit_note, usd, plain)
