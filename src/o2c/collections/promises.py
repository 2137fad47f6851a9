"""Promises to pay: recorded by a collector, kept or broken as the cash arrives (or not).

A promise covers named invoices. What settles those invoices between the day the promise
was made and its date plus the grace days counts towards it (cash, and credit notes or
write-offs that reduce what is owed). Once that reaches the promised amount the promise is
kept; once the grace is over without it, broken. Each outcome is counted on the customer's
collections account, which feeds the strategy (the broken-promise trigger, segments by broken
promises) and the customer's risk class.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from o2c.collections.accounts import ensure_accounts
from o2c.collections.model import PromiseCreate, PromiseStatus, promise_outcome, promise_problems
from o2c.collections.service import active_strategy
from o2c.collections.tables import PromiseItem, PromiseToPay
from o2c.db.bulk import insert_rows
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem, Settlement
from o2c.parties.events import EventCreate, record_events
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

DEFAULT_GRACE_DAYS = 2


def record_promise(uow: UnitOfWork, actor: Actor, cmd: PromiseCreate) -> PromiseToPay:
    """Record a promise; its invoices are not chased while it is pending."""
    actor.require(Permission.COLLECTIONS_WORK)
    problems = promise_problems(cmd, uow.clock.today())
    with uow:
        items = list(
            uow.session.scalars(
                select(OpenItem).where(
                    OpenItem.company_id == actor.company_id, OpenItem.id.in_(cmd.item_ids)
                )
            )
        )
        found = {item.id: item for item in items}
        for index, item_id in enumerate(cmd.item_ids):
            item = found.get(item_id)
            if item is None or item.customer_id != cmd.customer_id:
                problems.append(FieldError(f"invoices[{index}]", "not an invoice of the customer"))
            elif item.currency != cmd.currency:
                problems.append(FieldError(f"invoices[{index}]", f"not in {cmd.currency}"))
        if problems:
            raise ValidationFailed(problems)
        promise = PromiseToPay(
            company_id=actor.company_id,
            customer_id=cmd.customer_id,
            made_on=uow.clock.today(),
            pay_by=cmd.pay_by,
            grace_days=_grace(uow, actor, cmd),
            currency=cmd.currency,
            amount_minor=cmd.amount_minor,
            paid_minor=0,
            status=PromiseStatus.PENDING.value,
            note=cmd.note[:500],
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(promise)
        uow.session.flush()
        insert_rows(
            uow.session,
            PromiseItem,
            [
                {"company_id": actor.company_id, "promise_id": promise.id, "item_id": i}
                for i in dict.fromkeys(cmd.item_ids)
            ],
        )
        numbers = " ".join(found[i].document_number for i in cmd.item_ids)
        amount = Money.from_minor(cmd.amount_minor, cmd.currency)
        record_events(
            uow,
            actor,
            [
                EventCreate(
                    cmd.customer_id,
                    "promise",
                    f"promised {amount} by {cmd.pay_by} on {numbers}",
                    f"promise_to_pay:{promise.id}",
                )
            ],
        )
        audit(
            uow,
            actor,
            "collections.promise",
            "promise_to_pay",
            promise.id,
            {
                "customer_id": cmd.customer_id,
                "amount": cmd.amount_minor,
                "pay_by": cmd.pay_by.isoformat(),
                "items": list(cmd.item_ids),
            },
        )
        uow.commit()
        return promise


def _grace(uow: UnitOfWork, actor: Actor, cmd: PromiseCreate) -> int:
    """The promise's own grace, else the active strategy's, else the default."""
    if cmd.grace_days is not None:
        return cmd.grace_days
    found = active_strategy(uow, actor.company_id)
    return found[1].promise_grace_days if found else DEFAULT_GRACE_DAYS


def cancel_promise(uow: UnitOfWork, actor: Actor, promise_id: int, reason: str) -> PromiseToPay:
    """Withdraw a pending promise (recorded by mistake); it counts neither way."""
    actor.require(Permission.COLLECTIONS_WORK)
    with uow:
        promise = owned(
            uow.session, PromiseToPay, actor.company_id, promise_id, "promise", lock=True
        )
        if promise.status != PromiseStatus.PENDING:
            raise InvalidTransition(f"promise {promise_id} is {promise.status}, not pending")
        promise.status = PromiseStatus.CANCELLED.value
        promise.resolved_on = uow.clock.today()
        audit(
            uow,
            actor,
            "collections.promise_cancel",
            "promise_to_pay",
            promise_id,
            {"reason": reason},
        )
        uow.commit()
        return promise


def _paid_towards(
    uow: UnitOfWork, company_id: int, promises: list[PromiseToPay], as_of: date
) -> dict[int, int]:
    """Promise id → what settled its invoices between the promise and its grace end."""
    window = {
        p.id: (p.made_on, min(as_of, p.pay_by + timedelta(days=p.grace_days))) for p in promises
    }
    rows = uow.session.execute(
        select(PromiseItem.promise_id, Settlement.settled_on, Settlement.amount_minor)
        .join(Settlement, Settlement.item_id == PromiseItem.item_id)
        .where(
            PromiseItem.company_id == company_id,
            PromiseItem.promise_id.in_(list(window)),
            Settlement.settled_on <= as_of,
        )
    )
    paid: dict[int, int] = defaultdict(int)
    for promise_id, day, amount in rows:
        start, end = window[promise_id]
        if start <= day <= end:
            paid[promise_id] -= amount  # settlements reduce a debit item: negative amounts
    return paid


def resolve_promises(uow: UnitOfWork, actor: Actor, as_of: date) -> tuple[int, int]:
    """Mark pending promises kept or broken as of a day; returns (kept, broken).

    Part of every dunning run (before deciding, so a promise broken yesterday triggers
    today), and callable on its own.
    """
    actor.require(Permission.COLLECTIONS_RUN)
    with uow:
        pending = list(
            uow.session.scalars(
                select(PromiseToPay)
                .where(
                    PromiseToPay.company_id == actor.company_id,
                    PromiseToPay.status == PromiseStatus.PENDING.value,
                    PromiseToPay.made_on <= as_of,
                )
                .order_by(PromiseToPay.id)
                .with_for_update()
            )
        )
        if not pending:
            return 0, 0
        paid = _paid_towards(uow, actor.company_id, pending, as_of)
        outcomes: dict[int, PromiseStatus] = {}
        for promise in pending:
            promise.paid_minor = paid.get(promise.id, 0)
            outcome = promise_outcome(
                promise.amount_minor, promise.paid_minor, promise.pay_by, promise.grace_days, as_of
            )
            if outcome != PromiseStatus.PENDING:
                promise.status, promise.resolved_on = outcome.value, as_of
                outcomes[promise.id] = outcome
        _count(uow, actor, [p for p in pending if p.id in outcomes])
        uow.commit()
        kept = sum(1 for o in outcomes.values() if o == PromiseStatus.KEPT)
        return kept, len(outcomes) - kept


def _count(uow: UnitOfWork, actor: Actor, resolved: list[PromiseToPay]) -> None:
    """Count outcomes on the customers' accounts and put them on their timelines."""
    accounts = ensure_accounts(uow, actor.company_id, {p.customer_id for p in resolved})
    events = []
    for promise in resolved:
        account = accounts[promise.customer_id]
        if promise.status == PromiseStatus.KEPT:
            account.promises_kept += 1
        else:
            account.promises_broken += 1
        amount = Money.from_minor(promise.amount_minor, promise.currency)
        paid = Money.from_minor(promise.paid_minor, promise.currency)
        events.append(
            EventCreate(
                promise.customer_id,
                "promise",
                f"promise of {amount} by {promise.pay_by} {promise.status} (paid {paid})",
                f"promise_to_pay:{promise.id}",
            )
        )
        uow.publish(
            actor.company_id,
            f"collections.promise_{promise.status}",
            {"promise_id": promise.id, "customer_id": promise.customer_id},
        )
    record_events(uow, actor, events)


def invoices_by_number(
    uow: UnitOfWork, actor: Actor, customer_id: int, numbers: list[str]
) -> dict[str, tuple[int, str]]:
    """Invoice number → (open item id, currency) of one customer's invoices."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        rows = uow.session.execute(
            select(OpenItem.document_number, OpenItem.id, OpenItem.currency).where(
                OpenItem.company_id == actor.company_id,
                OpenItem.customer_id == customer_id,
                OpenItem.document_number.in_(numbers),
            )
        )
        return {number: (item_id, currency) for number, item_id, currency in rows}


def list_promises(
    uow: UnitOfWork, actor: Actor, customer_id: int | None = None, status: str | None = None
) -> list[tuple[PromiseToPay, list[str]]]:
    """Promises with the numbers of their invoices, newest first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        query = select(PromiseToPay).where(PromiseToPay.company_id == actor.company_id)
        if customer_id is not None:
            query = query.where(PromiseToPay.customer_id == customer_id)
        if status is not None:
            query = query.where(PromiseToPay.status == status)
        promises = list(uow.session.scalars(query.order_by(PromiseToPay.id.desc())))
        numbers: dict[int, list[str]] = defaultdict(list)
        for promise_id, number in uow.session.execute(
            select(PromiseItem.promise_id, OpenItem.document_number)
            .join(OpenItem, OpenItem.id == PromiseItem.item_id)
            .where(PromiseItem.promise_id.in_([p.id for p in promises]))
            .order_by(PromiseItem.id)
        ):
            numbers[promise_id].append(number)
        return [(p, numbers[p.id]) for p in promises]
