"""Builders for fraud tests: stored invoices, payments, bank lines and refunds.

Invoices and bank lines are stored rows (the rules only read them); payments, refunds and
bank-account changes go through their services, so refunds carry real open items and bank
changes their audit records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

from o2c.billing.tables import Invoice, InvoiceLine
from o2c.cashapp.tables import BankLineRow, BankStatement
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.payments.applying import payment_item
from o2c.payments.model import PaymentCreate, PaymentMethod
from o2c.payments.service import record_payment, refund
from o2c.payments.tables import Payment, Refund
from o2c.security.model import Actor

_numbers = count(1)
PAYER_IBAN = "DE89370400440532013000"
OTHER_IBAN = "GB82WEST12345698765432"


def an_invoice(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    total: str = "100.00",
    on: date = date(2026, 2, 20),
    po: str | None = None,
    lines: tuple[str, ...] = ("Widget",),
) -> int:
    """A posted invoice of `total` with `lines` (descriptions; the total spread evenly)."""
    minor = Money(total, "EUR").minor
    with uow:
        invoice = Invoice(
            company_id=actor.company_id,
            kind="invoice",
            series="INV",
            number=f"INV-{next(_numbers):06d}",
            status="posted",
            customer_id=customer_id,
            currency="EUR",
            rate=Decimal(1),
            issue_date=on,
            due_date=on,
            po_number=po,
            net_minor=minor,
            tax_minor=0,
            total_minor=minor,
            created_at=uow.clock.now(),
            created_by="test",
        )
        uow.session.add(invoice)
        uow.session.flush()
        for position, description in enumerate(lines, 1):
            uow.session.add(
                InvoiceLine(
                    company_id=actor.company_id,
                    invoice_id=invoice.id,
                    position=position,
                    description=description,
                    quantity=Decimal(1),
                    unit_price_minor=minor // len(lines),
                    net_minor=minor // len(lines),
                    tax_category="standard",
                    tax_percent=Decimal(0),
                )
            )
        uow.commit()
        return invoice.id


def a_payment(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    amount: str = "250.00",
    on: date = date(2026, 2, 25),
    reference: str | None = "INV-000123",
) -> Payment:
    return record_payment(
        uow,
        actor,
        PaymentCreate(customer_id, Money(amount, "EUR"), PaymentMethod.WIRE, on, reference),
    )


def bank_lines(
    uow: UnitOfWork, actor: Actor, lines: list[tuple[str, str, date, str]], payment_id=None
) -> list[int]:
    """Credits on one statement: (bank reference, amount, booking date, payer account)."""
    with uow:
        statement = BankStatement(
            company_id=actor.company_id,
            file_hash=f"{next(_numbers):064d}",
            position=0,
            file_name="camt.xml",
            format="camt053",
            account="DE00OURS",
            currency="EUR",
            statement_id="S1",
            statement_date=lines[0][2],
            imported_at=datetime(2026, 3, 1, tzinfo=UTC),
            imported_by="test",
        )
        uow.session.add(statement)
        uow.session.flush()
        rows = [
            BankLineRow(
                company_id=actor.company_id,
                statement_id=statement.id,
                account="DE00OURS",
                bank_ref=bank_ref,
                booking_date=booked,
                value_date=booked,
                amount_minor=Money(amount, "EUR").minor,
                currency="EUR",
                counterparty_name="Payer GmbH",
                counterparty_account=account,
                remittance_text="Invoice INV-000123",
                status="matched" if payment_id else "new",
                payment_id=payment_id,
            )
            for bank_ref, amount, booked, account in lines
        ]
        uow.session.add_all(rows)
        uow.session.flush()
        ids = [row.id for row in rows]
        uow.commit()
        return ids


def a_refund(
    uow: UnitOfWork,
    actor: Actor,
    payment: Payment,
    on: date = date(2026, 3, 2),
    to_account: str | None = PAYER_IBAN,
    amount: str = "50.00",
) -> Refund:
    with uow:
        credit = payment_item(uow, actor.company_id, payment.id)
    return refund(
        uow,
        actor,
        credit.id,
        Money(amount, "EUR"),
        PaymentMethod.WIRE,
        on,
        to_account=to_account,
    )
