"""Builders for payment tests: receipts and the entries of applications."""

from __future__ import annotations

from datetime import date
from typing import Any

from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.ledger.tables import Application
from o2c.payments.model import PaymentCreate, PaymentMethod
from o2c.payments.service import record_payment
from o2c.payments.tables import Payment
from o2c.security.model import Actor


def receipt(
    customer_id: int,
    amount: str = "100.00",
    currency: str = "EUR",
    on: date = date(2026, 2, 15),
    key: str | None = None,
    method: PaymentMethod = PaymentMethod.WIRE,
) -> PaymentCreate:
    return PaymentCreate(
        customer_id,
        Money(amount, currency),
        method,
        on,
        reference="remittance 42",
        idempotency_key=key,
    )


def a_received_payment(
    uow: UnitOfWork, actor: Actor, customer_id: int, amount: str = "100.00", **fields: Any
) -> Payment:
    return record_payment(uow, actor, receipt(customer_id, amount, **fields))


def application_entry(uow: UnitOfWork, application_id: int) -> int:
    with uow:
        return uow.session.get_one(Application, application_id).entry_id
