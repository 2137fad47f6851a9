"""Messages between a customer and AR, kept as entries of the customer's timeline.

A customer writes from the portal (`message_in`); AR answers (`message_out`). Both sit on the
timeline the back office shows, in order, so the thread reads with the calls, mails and
promises around it; a published event lets mail or a worklist pick a new message up.
"""

from __future__ import annotations

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.parties.events import EventCreate, record_events
from o2c.parties.service import get_customer
from o2c.parties.tables import CustomerEvent
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

FROM_CUSTOMER = "message_in"
TO_CUSTOMER = "message_out"
MAX_LENGTH = 500


def send_message(uow: UnitOfWork, actor: Actor, customer_id: int, body: str) -> None:
    """Add a message to the thread: from the customer when the actor is bound to one (a
    portal user), else from AR to the customer (a collector's right)."""
    from_customer = actor.customer_id is not None
    if from_customer:
        actor.require_customer_scope(customer_id)
    else:
        actor.require(Permission.COLLECTIONS_WORK)
    text = body.strip()
    if not text or len(text) > MAX_LENGTH:
        raise ValidationFailed([FieldError("body", f"1 to {MAX_LENGTH} characters")])
    kind = FROM_CUSTOMER if from_customer else TO_CUSTOMER
    with uow:
        get_customer(uow, actor, customer_id)
        record_events(uow, actor, [EventCreate(customer_id, kind, text)])
        audit(uow, actor, "customer.message", "customer", customer_id, {"kind": kind})
        uow.publish(
            actor.company_id, "customer.message", {"customer_id": customer_id, "kind": kind}
        )
        uow.commit()


def messages(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[CustomerEvent]:
    """The thread with one customer, oldest first."""
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id)
    with uow:
        return list(
            uow.session.scalars(
                select(CustomerEvent)
                .where(
                    CustomerEvent.company_id == actor.company_id,
                    CustomerEvent.customer_id == customer_id,
                    CustomerEvent.kind.in_([FROM_CUSTOMER, TO_CUSTOMER]),
                )
                .order_by(CustomerEvent.at, CustomerEvent.id)
            )
        )
