"""A customer's timeline entries that no other table keeps: mails, calls, notes, actions.

Any domain above parties writes here (collections, correspondence); the timeline composes
these with the documents, payments, promises and disputes their own tables hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork
from o2c.parties.tables import CustomerEvent
from o2c.security.model import Actor, Permission


@dataclass(frozen=True, slots=True)
class EventCreate:
    customer_id: int
    kind: str  # "collection_action", "mail", "call", "note", "promise", ...
    summary: str
    ref: str | None = None
    at: datetime | None = None  # now when omitted


def record_events(uow: UnitOfWork, actor: Actor, events: Sequence[EventCreate]) -> None:
    """Append timeline entries in the caller's unit of work, with one set-based insert.

    The caller has checked its own permission for the change the entries describe; the
    entries land or vanish with that change.
    """
    if not events:
        return
    now = uow.clock.now()
    insert_rows(
        uow.session,
        CustomerEvent,
        [
            {
                "company_id": actor.company_id,
                "customer_id": e.customer_id,
                "at": e.at or now,
                "kind": e.kind,
                "summary": e.summary[:500],
                "ref": e.ref,
                "actor": actor.name,
            }
            for e in events
        ],
    )


def customer_events(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[CustomerEvent]:
    """Every entry of one customer, oldest first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(CustomerEvent)
                .where(
                    CustomerEvent.company_id == actor.company_id,
                    CustomerEvent.customer_id == customer_id,
                )
                .order_by(CustomerEvent.at, CustomerEvent.id)
            )
        )
