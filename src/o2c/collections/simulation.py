"""Replaying history under a strategy: which actions would have fired, and when.

Day by day from `start` to `end`, the open items are rebuilt as they were that day (issued
by then, open amount then: today's open amount minus the settlements dated later), promises
as they stood, and the engine decides with the memory of what the simulation itself fired
on earlier days. Nothing is written: a credit manager judges a strategy before it runs.

Known approximations: disputes and deductions are taken as they stand now, and a
customer's risk class and channel from today's data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select

from o2c.collections.facts import average_days_late, customer_profiles, risk_of
from o2c.collections.model import PromiseStatus
from o2c.collections.policy import Channel, Strategy
from o2c.collections.strategy import BROKEN_PROMISE, CustomerFacts, Engine, Event, ItemFacts
from o2c.collections.tables import CollectionAccount, PromiseItem, PromiseToPay
from o2c.db.uow import UnitOfWork
from o2c.disputes.service import disputed_minor_by_item
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem, Settlement
from o2c.security.model import Actor, Permission
from o2c.security.service import get_company

MAX_DAYS = 400


@dataclass(frozen=True, slots=True)
class SimulatedAction:
    day: date
    customer_id: int
    segment: str
    step: str
    kind: str
    level: int
    channel: str
    invoice_numbers: tuple[str, ...]
    amount_minor: int
    currency: str


@dataclass
class _Item:
    id: int
    customer_id: int
    kind: str
    number: str
    currency: str
    doc: date
    due: date
    amount: int
    open: int  # on the day being simulated
    base: int  # the amount in base currency, to convert the open amount at the item's rate
    later: dict[date, int] = field(default_factory=dict)  # settlements by day, after `start`


@dataclass(frozen=True, slots=True)
class _Promise:
    id: int
    customer_id: int
    made_on: date
    resolved_on: date | None
    status: str
    item_ids: tuple[int, ...]


def _items(uow: UnitOfWork, company_id: int, start: date, end: date) -> list[_Item]:
    rows = uow.session.execute(
        select(
            OpenItem.id,
            OpenItem.customer_id,
            OpenItem.kind,
            OpenItem.document_number,
            OpenItem.currency,
            OpenItem.doc_date,
            OpenItem.due_date,
            OpenItem.amount_minor,
            OpenItem.open_minor,
            OpenItem.base_minor,
        ).where(
            OpenItem.company_id == company_id,
            OpenItem.doc_date <= end,
            or_(OpenItem.closed_on.is_(None), OpenItem.closed_on >= start),
        )
    )
    items = {r[0]: _Item(*r) for r in rows}
    for item_id, day, amount in uow.session.execute(
        select(Settlement.item_id, Settlement.settled_on, Settlement.amount_minor).where(
            Settlement.company_id == company_id, Settlement.settled_on >= start
        )
    ):
        item = items.get(item_id)
        if item is not None:
            item.open -= amount  # undo: back to the open amount on the day before `start`
            item.later[day] = item.later.get(day, 0) + amount
    return list(items.values())


def _promises(uow: UnitOfWork, company_id: int, end: date) -> list[_Promise]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = {}
    for p, item_id in uow.session.execute(
        select(PromiseToPay, PromiseItem.item_id)
        .join(PromiseItem, PromiseItem.promise_id == PromiseToPay.id)
        .where(PromiseToPay.company_id == company_id, PromiseToPay.made_on <= end)
    ):
        rows[p.id] = p
        found[p.id].append(item_id)
    return [
        _Promise(p.id, p.customer_id, p.made_on, p.resolved_on, p.status, tuple(found[p.id]))
        for p in rows.values()
    ]


def simulate(
    uow: UnitOfWork, actor: Actor, strategy: Strategy, start: date, end: date
) -> list[SimulatedAction]:
    """The actions `strategy` would have taken each day from `start` to `end` (inclusive)."""
    actor.require(Permission.LEDGER_READ)
    if end < start or (end - start).days > MAX_DAYS:
        raise ValidationFailed([FieldError("to", f"on or after from, at most {MAX_DAYS} days")])
    with uow:
        company = get_company(uow, actor.company_id)
        items = _items(uow, actor.company_id, start, end)
        promises = _promises(uow, actor.company_id, end)
        disputed = disputed_minor_by_item(uow, actor.company_id)
        profiles = customer_profiles(uow, actor.company_id, {i.customer_id for i in items})
        lateness = average_days_late(uow, actor.company_id, end)
        broken_counts = dict(
            uow.session.execute(
                select(CollectionAccount.customer_id, CollectionAccount.promises_broken).where(
                    CollectionAccount.company_id == actor.company_id
                )
            ).all()
        )
    engine = Engine(strategy, company.base_currency)
    replay = _Replay(engine, items, promises, disputed, profiles, lateness, broken_counts)
    out: list[SimulatedAction] = []
    day = start
    while day <= end:
        out += replay.day(day)
        day += timedelta(days=1)
    return out


class _Replay:
    """The simulation's state: open amounts rolled forward and what it fired so far."""

    def __init__(
        self,
        engine: Engine,
        items: list[_Item],
        promises: list[_Promise],
        disputed: dict[int, int],
        profiles: dict[int, tuple[str | None, dict[str, object], bool]],
        lateness: dict[int, int],
        broken: dict[int, int],
    ) -> None:
        self.engine, self.items, self.promises = engine, items, promises
        self.disputed, self.profiles, self.lateness, self.broken = (
            disputed,
            profiles,
            lateness,
            broken,
        )
        self.done: dict[int, set[str]] = defaultdict(set)
        self.causes: dict[int, set[tuple[str, str]]] = defaultdict(set)

    def day(self, day: date) -> list[SimulatedAction]:
        pending_items, promising, events = self._promises_on(day)
        by_customer: dict[int, list[_Item]] = defaultdict(list)
        for item in self.items:
            item.open += item.later.get(day, 0)
            if item.doc <= day and item.open != 0:
                by_customer[item.customer_id].append(item)
        out = []
        for cid, items in by_customer.items():
            facts = self._facts(cid, items, pending_items, promising, events.get(cid, ()))
            for action in self.engine.decide(facts, day):
                for covered, step in zip(action.items, action.item_steps, strict=True):
                    if action.cause:
                        self.causes[cid].add((step, action.cause))
                    else:
                        self.done[covered.item_id].add(step)
                out.append(
                    SimulatedAction(
                        day,
                        cid,
                        action.segment,
                        action.step,
                        action.kind.value,
                        action.level,
                        action.channel,
                        action.numbers,
                        action.amount_minor,
                        action.currency,
                    )
                )
        return out

    def _promises_on(self, day: date) -> tuple[set[int], set[int], dict[int, list[Event]]]:
        items: set[int] = set()
        customers: set[int] = set()
        events: dict[int, list[Event]] = defaultdict(list)
        for p in self.promises:
            if p.made_on > day or p.status == PromiseStatus.CANCELLED:
                continue
            if p.resolved_on is None or p.resolved_on > day:
                items.update(p.item_ids)
                customers.add(p.customer_id)
            elif p.status == PromiseStatus.BROKEN:
                events[p.customer_id].append(Event(BROKEN_PROMISE, f"promise:{p.id}", p.item_ids))
        return items, customers, events

    def _facts(
        self,
        cid: int,
        items: list[_Item],
        promised: set[int],
        promising: set[int],
        events: list[Event] | tuple[()],
    ) -> CustomerFacts:
        balance: dict[str, int] = defaultdict(int)
        base = 0
        chased = []
        for item in items:
            balance[item.currency] += item.open
            base += item.open * item.base // item.amount
            if item.kind == ItemKind.INVOICE and item.open > 0:
                chased.append(
                    ItemFacts(
                        item.id,
                        item.number,
                        item.currency,
                        item.doc,
                        item.due,
                        item.amount,
                        item.open - self.disputed.get(item.id, 0),
                        item.id in promised,
                        frozenset(self.done.get(item.id, ())),
                    )
                )
        country, attributes, reachable = self.profiles.get(cid, (None, {}, False))
        channel = (
            Channel.LETTER
            if attributes.get("dunning_channel") == "letter" or not reachable
            else Channel.EMAIL
        )
        late, broken = self.lateness.get(cid, 0), self.broken.get(cid, 0)
        return CustomerFacts(
            cid,
            tuple(chased),
            dict(balance),
            base,
            country,
            channel,
            risk_of(dict(attributes), late, broken),
            late,
            broken,
            any(self.disputed.get(i.id) for i in items),
            cid in promising,
            tuple(events),
            frozenset(self.causes.get(cid, ())),
        )
