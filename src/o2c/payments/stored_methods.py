"""A customer's cards kept at the processor for autopay: stored through the provider, which
hands back a token; the card number itself never reaches o2c's database."""

from __future__ import annotations

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.payments.gateway import MethodDetails, PaymentProvider
from o2c.payments.model import PaymentMethod
from o2c.payments.plans import add_payment_method
from o2c.payments.tables import StoredPaymentMethod
from o2c.security.model import Actor, Permission


def store_card(
    uow: UnitOfWork,
    actor: Actor,
    provider: PaymentProvider,
    customer_id: int,
    details: MethodDetails,
) -> StoredPaymentMethod:
    """Tokenise the card at the processor and keep the token for the customer."""
    actor.require(Permission.PAYMENT_POST)
    actor.require_customer_scope(customer_id)
    stored = provider.store_method(details)
    return add_payment_method(
        uow, actor, customer_id, provider.name, stored.token, stored.label, PaymentMethod.CARD
    )


def customer_methods(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[StoredPaymentMethod]:
    """The customer's active stored methods, oldest first."""
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id)
    with uow:
        return list(
            uow.session.scalars(
                select(StoredPaymentMethod)
                .where(
                    StoredPaymentMethod.company_id == actor.company_id,
                    StoredPaymentMethod.customer_id == customer_id,
                    StoredPaymentMethod.active.is_(True),
                )
                .order_by(StoredPaymentMethod.id)
            )
        )
