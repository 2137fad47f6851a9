"""The collector's worklist: customers ranked by the expected value of a call, and call logging.

Ranking is one set-based pass: overdue amounts and their age per customer from the open items
(in the company's base currency, so customers in different currencies compare), the risk class
from behaviour, and the open tasks the strategy created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, literal, select, update

from o2c.collections.accounts import ensure_accounts
from o2c.collections.facts import days_between, risk_of
from o2c.collections.model import CallOutcome, TaskStatus, call_value
from o2c.collections.tables import CollectionAccount, CollectionTask
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.parties.events import EventCreate, record_events
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


@dataclass(frozen=True, slots=True)
class OpenTask:
    id: int
    kind: str
    due_on: date
    note: str


@dataclass(frozen=True, slots=True)
class WorklistRow:
    customer_id: int
    code: str
    name: str
    collector: str | None
    risk_class: str
    overdue_base_minor: int
    oldest_days: int
    average_days: float  # overdue days weighted by amount
    value: float  # expected value of the call (ranking only)
    tasks: tuple[OpenTask, ...] = field(default_factory=tuple)


def assign_collector(
    uow: UnitOfWork, actor: Actor, customer_ids: Sequence[int], collector: str | None
) -> int:
    """Give customers to a collector (None: unassign); returns how many were given."""
    actor.require(Permission.COLLECTIONS_RUN)
    with uow:
        known = set(
            uow.session.scalars(
                select(Customer.id).where(
                    Customer.company_id == actor.company_id, Customer.id.in_(customer_ids)
                )
            )
        )
        missing = [
            FieldError(f"customers[{i}]", "unknown customer")
            for i, c in enumerate(customer_ids)
            if c not in known
        ]
        if missing:
            raise ValidationFailed(missing)
        accounts = ensure_accounts(uow, actor.company_id, known)
        for account in accounts.values():
            account.collector = collector
        uow.session.execute(
            update(CollectionTask)
            .where(
                CollectionTask.company_id == actor.company_id,
                CollectionTask.customer_id.in_(known),
                CollectionTask.status == TaskStatus.OPEN.value,
            )
            .values(assigned_to=collector)
        )
        audit(
            uow,
            actor,
            "collections.assign",
            "collector",
            collector or "",
            {"customers": sorted(known)},
        )
        uow.commit()
        return len(known)


def _overdue(uow: UnitOfWork, company_id: int, as_of: date) -> dict[int, tuple[int, int, int]]:
    """Customer id → (overdue base amount, Σ amount × days, oldest days overdue)."""
    dialect = uow.session.get_bind().dialect.name
    days = days_between(literal(as_of), OpenItem.due_date, dialect)
    rows = uow.session.execute(
        select(
            OpenItem.customer_id,
            func.sum(OpenItem.open_base_minor),
            func.sum(OpenItem.open_base_minor * days),
            func.max(days),
        )
        .where(
            OpenItem.company_id == company_id,
            OpenItem.closed_on.is_(None),
            OpenItem.kind == ItemKind.INVOICE.value,
            OpenItem.due_date < as_of,
            OpenItem.open_minor > 0,
        )
        .group_by(OpenItem.customer_id)
    )
    return {cid: (int(total), int(weighted), int(oldest)) for cid, total, weighted, oldest in rows}


def worklist(
    uow: UnitOfWork, actor: Actor, as_of: date, collector: str | None = None, limit: int = 100
) -> list[WorklistRow]:
    """Customers with overdue invoices or open tasks, most valuable call first.

    With `collector`, only that collector's customers; unassigned customers appear for
    everyone when no collector is named.
    """
    actor.require(Permission.COLLECTIONS_WORK)
    with uow:
        overdue = _overdue(uow, actor.company_id, as_of)
        tasks: dict[int, list[OpenTask]] = defaultdict(list)
        for t in uow.session.scalars(
            select(CollectionTask)
            .where(
                CollectionTask.company_id == actor.company_id,
                CollectionTask.status == TaskStatus.OPEN.value,
            )
            .order_by(CollectionTask.due_on)
        ):
            tasks[t.customer_id].append(OpenTask(t.id, t.kind, t.due_on, t.note))
        accounts = {
            a.customer_id: a
            for a in uow.session.scalars(
                select(CollectionAccount).where(CollectionAccount.company_id == actor.company_id)
            )
        }
        ids = set(overdue) | set(tasks)
        if collector is not None:
            ids = {c for c in ids if c in accounts and accounts[c].collector == collector}
        customers = {
            c.id: c
            for c in uow.session.scalars(
                select(Customer).where(
                    Customer.company_id == actor.company_id, Customer.id.in_(ids)
                )
            )
        }
    rows = []
    for cid in ids:
        total, weighted, oldest = overdue.get(cid, (0, 0, 0))
        account = accounts.get(cid)
        broken = account.promises_broken if account else 0
        average = weighted / total if total else 0.0
        risk = risk_of(customers[cid].attributes or {}, round(average), broken).value
        rows.append(
            WorklistRow(
                cid,
                customers[cid].code,
                customers[cid].name,
                account.collector if account else None,
                risk,
                total,
                oldest,
                average,
                call_value(total, risk, average),
                tuple(tasks[cid]),
            )
        )
    rows.sort(key=lambda r: (-r.value, r.code))
    return rows[:limit]


def log_call(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    outcome: CallOutcome,
    note: str = "",
    task_id: int | None = None,
) -> None:
    """Log a call's outcome on the customer's timeline and close its task, if named."""
    actor.require(Permission.COLLECTIONS_WORK)
    with uow:
        owned(uow.session, Customer, actor.company_id, customer_id, "customer")
        ref = None
        if task_id is not None:
            task = owned(uow.session, CollectionTask, actor.company_id, task_id, "task", lock=True)
            if task.customer_id != customer_id:
                raise ValidationFailed([FieldError("task_id", "a task of another customer")])
            if task.status != TaskStatus.OPEN:
                raise InvalidTransition(f"task {task_id} is already {task.status}")
            task.status, task.outcome = TaskStatus.DONE.value, outcome.value
            task.done_at, task.done_by = uow.clock.now(), actor.name
            ref = f"collection_task:{task_id}"
        summary = f"call: {outcome.value}" + (f" - {note}" if note else "")
        record_events(uow, actor, [EventCreate(customer_id, "call", summary, ref)])
        audit(
            uow,
            actor,
            "collections.call",
            "customer",
            customer_id,
            {"outcome": outcome.value, "note": note, "task_id": task_id},
        )
        uow.commit()


def add_note(uow: UnitOfWork, actor: Actor, customer_id: int, note: str) -> None:
    """A collector's note on the customer's timeline."""
    actor.require(Permission.COLLECTIONS_WORK)
    if not note.strip():
        raise ValidationFailed([FieldError("note", "must not be empty")])
    with uow:
        owned(uow.session, Customer, actor.company_id, customer_id, "customer")
        record_events(uow, actor, [EventCreate(customer_id, "note", note)])
        uow.commit()
