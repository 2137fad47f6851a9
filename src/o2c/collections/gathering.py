"""A run's view of the company: every customer's standing, and the invoices that can act today.

The customer-level facts (balances summed by the database, risk, channel, country) are cheap
for all customers and decide each one's segment. A customer still in the segment its
invoices' dunning states were computed for gives the engine only the invoices whose day has
come (`chased.candidates`); one that moved (or any customer, under a new strategy) gives all
its invoices in the window, and its states are recomputed for the new segment.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from o2c.collections.chased import Row, Sums, balances, candidates, of_customers, specials
from o2c.collections.facts import (
    EVENT_DAYS,
    accounts_of,
    average_days_late,
    customer_profiles,
    done_causes,
    promised_items,
    recent_events,
    risk_of,
)
from o2c.collections.horizon import Horizon
from o2c.collections.policy import Channel
from o2c.collections.strategy import CustomerFacts, Engine, ItemFacts
from o2c.db.uow import UnitOfWork
from o2c.disputes.service import disputed_minor_by_item

MANY_MOVED = 5_000  # beyond this many moved customers one scan of the window is cheaper


@dataclass(frozen=True)
class Gathered:
    """The engine's view of the customers to decide, and what the run must know to record."""

    customers: list[CustomerFacts]
    segments: dict[int, str | None]  # customer id → its segment today (customers decided)
    moved: dict[int, str]  # customer id → its new segment key, for customers that moved
    stated: set[int]  # invoice ids that have a dunning state


def segment_key(strategy_id: int, segment: str | None) -> str:
    return f"{strategy_id}:{segment or ''}"


def _items(
    rows: Iterable[Row], disputed: dict[int, int], promised: set[int]
) -> dict[int, dict[int, ItemFacts]]:
    """Customer id → invoice id → the invoice as the engine sees it."""
    steps_of: dict[str, frozenset[str]] = {}
    out: dict[int, dict[int, ItemFacts]] = defaultdict(dict)
    for r in rows:
        done: frozenset[str] = frozenset()
        if r.steps:
            done = steps_of.get(r.steps) or steps_of.setdefault(r.steps, frozenset(r.steps.split()))
        out[r.customer_id][r.item_id] = ItemFacts(
            r.item_id, r.number, r.currency, r.doc_date, r.due_date, r.amount_minor,
            r.open_minor - disputed.get(r.item_id, 0), r.item_id in promised, done,
        )  # fmt: skip
    return out


def _net_out(
    sums: dict[int, Sums],
    special: Iterable[Row],
    disputed: dict[int, int],
    promised: set[int],
    as_of: date,
) -> set[int]:
    """Take the unchased part of disputed and promised invoices out of the overdue sums, as
    the engine leaves it out; returns the customers with a disputed open invoice."""
    disputing = set()
    for r in special:
        held = disputed.get(r.item_id, 0)
        if held:
            disputing.add(r.customer_id)
        if r.due_date >= as_of or r.customer_id not in sums:
            continue
        net = r.open_minor - held
        chased = net if net > 0 and r.item_id not in promised else 0
        sums[r.customer_id].overdue[r.currency] += chased - r.open_minor
    return disputing


def _standing(
    uow: UnitOfWork,
    company_id: int,
    as_of: date,
    wanted: set[int],
    sums: dict[int, Sums],
    accounts: dict[int, tuple[int, bool, str | None]],
    promising: set[int],
) -> dict[int, CustomerFacts]:
    """Customer id → its facts without invoices: enough to know its segment."""
    profiles = customer_profiles(uow, company_id, wanted)
    lateness = average_days_late(uow, company_id, as_of)
    out = {}
    for cid in sorted(wanted):
        broken = accounts.get(cid, (0, False, None))[0]
        country, attributes, reachable = profiles.get(cid, (None, {}, False))
        preferred = attributes.get("dunning_channel")
        avg_late = lateness.get(cid, 0)
        found = sums.get(cid) or Sums({}, 0, {})
        out[cid] = CustomerFacts(
            customer_id=cid,
            items=(),
            balance_minor=found.balance,
            balance_base_minor=found.balance_base,
            country=country,
            channel=Channel.LETTER if preferred == "letter" or not reachable else Channel.EMAIL,
            risk_class=risk_of(attributes, avg_late, broken),
            avg_days_late=avg_late,
            broken_promises=broken,
            promise_pending=cid in promising,
            overdue_minor=dict(found.overdue),
        )
    return out


def gather(
    uow: UnitOfWork,
    company_id: int,
    as_of: date,
    engine: Engine,
    horizon: Horizon,
    strategy_id: int,
) -> Gathered:
    """The engine's view of every customer with an invoice some step could act on today, or
    an event of the last EVENT_DAYS. Customers handed over to an agency are left to it.

    The invoices given are only those that can act; the balance and overdue sums the
    segments and thresholds compare with cover all of the customer's open items.
    """
    accounts = accounts_of(uow, company_id)
    handed = {cid for cid, (_, gone, _) in accounts.items() if gone}
    disputed = disputed_minor_by_item(uow, company_id)
    promised, promising = promised_items(uow, company_id)
    events = {c: e for c, e in recent_events(uow, company_id, as_of).items() if c not in handed}
    sums = balances(uow, company_id, as_of)
    named = {i for found in events.values() for e in found for i in e.item_ids}
    special = specials(uow, company_id, as_of, named | set(disputed) | promised)
    disputing = _net_out(sums, special, disputed, promised, as_of)
    wanted = (set(sums) | set(events)) - handed
    standing = _standing(uow, company_id, as_of, wanted, sums, accounts, promising)
    segments: dict[int, str | None] = {}
    for cid, facts in standing.items():
        segment = engine.segment_of(facts)
        segments[cid] = segment.name if segment is not None else None
    moved = {
        cid: key
        for cid, segment in segments.items()
        if (key := segment_key(strategy_id, segment)) != accounts.get(cid, (0, False, None))[2]
    }
    many = len(moved) > MANY_MOVED
    rows = candidates(uow, company_id, as_of, horizon.lead, strategy_id, everything=many)
    if not many:
        rows += of_customers(uow, company_id, as_of, horizon.lead, moved)
    items = _items(rows + [r for r in special if r.item_id in named], disputed, promised)
    causes = done_causes(uow, company_id, as_of - timedelta(days=EVENT_DAYS + 1))
    out = [
        dataclasses.replace(
            standing[cid],
            items=tuple(items[cid].values()) if cid in items else (),
            disputed=cid in disputing,
            events=tuple(events.get(cid, ())),
            done_causes=frozenset(causes.get(cid, ())),
        )
        for cid in sorted((set(items) | set(events)) & set(standing))
    ]
    return Gathered(
        out,
        {c.customer_id: segments[c.customer_id] for c in out},
        moved,
        {r.item_id for r in rows if r.steps is not None},
    )
