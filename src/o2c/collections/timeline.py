"""A customer's timeline: documents, payments, mails, calls, notes, promises, disputes and
collection actions, in time order, from one request.

Documents and payments come from the ledger's open items, disputes and deductions from
`disputes.service.customer_disputes`, collection actions from their own table (an action is
its own entry, showing its current status), everything else from the customer's events
(written by the service that did it, in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from o2c.collections.tables import CollectionAction
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.disputes.service import customer_disputes
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem
from o2c.parties.events import customer_events
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Permission


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str  # invoice, credit_note, payment, refund, dispute, deduction, mail, call, ...
    summary: str
    ref: str | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _documents(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[TimelineEntry]:
    entries = []
    for item in uow.session.scalars(
        select(OpenItem)
        .where(OpenItem.company_id == actor.company_id, OpenItem.customer_id == customer_id)
        .order_by(OpenItem.doc_date, OpenItem.id)
    ):
        amount = Money.from_minor(abs(item.amount_minor), item.currency)
        left = Money.from_minor(abs(item.open_minor), item.currency)
        state = f"closed {item.closed_on}" if item.closed_on else f"open {left}"
        due = f", due {item.due_date}" if item.kind == "invoice" else ""
        entries.append(
            TimelineEntry(
                _start_of(item.doc_date),
                item.kind,
                f"{item.document_number} {amount}{due} ({state})",
                f"open_item:{item.id}",
            )
        )
    return entries


def _actions(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[TimelineEntry]:
    a = CollectionAction
    rows = uow.session.execute(
        select(
            a.id, a.created_at, a.step, a.kind, a.channel, a.level, a.invoice_numbers,
            a.amount_minor, a.currency, a.status, a.reason,
        )
        .where(a.company_id == actor.company_id, a.customer_id == customer_id)
        .order_by(a.id)
    )  # fmt: skip
    entries = []
    for id_, at, step, kind, channel, level, numbers, amount, currency, status, reason in rows:
        money = Money.from_minor(amount, currency)
        text = f"{step}: {kind} by {channel}{f', level {level}' if level else ''} on {numbers}"
        text = f"{text} ({money}) - {status}{f': {reason}' if reason else ''}"
        entries.append(TimelineEntry(at, "collection_action", text, f"collection_action:{id_}"))
    return entries


def customer_timeline(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[TimelineEntry]:
    """Everything that happened with a customer, oldest first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        owned(uow.session, Customer, actor.company_id, customer_id, "customer")
        entries = _documents(uow, actor, customer_id) + _actions(uow, actor, customer_id)
    for d in customer_disputes(uow, actor, customer_id):
        amount = Money.from_minor(d.amount_minor, d.currency)
        entries.append(
            TimelineEntry(
                d.opened_at,
                d.kind.value,
                f"{d.kind.value} {d.reason} {amount} ({d.status})",
                f"{d.kind.value}:{d.id}",
            )
        )
        if d.closed_at is not None:
            entries.append(
                TimelineEntry(
                    d.closed_at,
                    d.kind.value,
                    f"{d.kind.value} closed: {d.outcome or d.status}",
                    f"{d.kind.value}:{d.id}",
                )
            )
    for event in customer_events(uow, actor, customer_id):
        entries.append(TimelineEntry(event.at, event.kind, event.summary, event.ref))
    entries.sort(key=lambda e: e.at)
    return entries
