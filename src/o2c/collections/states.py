"""After a run: each acted-on invoice's dunning state, and each moved customer's segment.

An invoice's state holds the time-triggered steps that acted on it and the next day a step
of its customer's segment can act (see `horizon`); the run reads an invoice again on that
day, or when its customer moves. States are updated in place (one prepared UPDATE run over
all changed rows) and inserted for invoices acted on for the first time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, update

from o2c.collections.accounts import update_accounts
from o2c.collections.gathering import Gathered
from o2c.collections.horizon import Horizon
from o2c.collections.strategy import DueAction, ItemFacts
from o2c.collections.tables import DunningState
from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork

_Changed = tuple[ItemFacts, list[str], str | None]  # invoice, steps added today, segment


def _changed(gathered: Gathered, due: Sequence[DueAction]) -> dict[int, _Changed]:
    """Invoice id → its state to store: acted on today, or of a customer that moved."""
    changed: dict[int, _Changed] = {}
    for action in due:
        if action.cause:
            continue  # event steps are remembered by their cause, on the action
        segment = gathered.segments.get(action.customer_id)
        for item, step in zip(action.items, action.item_steps, strict=True):
            found = changed.get(item.item_id)
            if found is None:
                found = changed[item.item_id] = (item, [], segment)
            found[1].append(step)
    for customer in gathered.customers:
        if customer.customer_id not in gathered.moved:
            continue
        segment = gathered.segments.get(customer.customer_id)
        for item in customer.items:
            if item.item_id in gathered.stated and item.item_id not in changed:
                changed[item.item_id] = (item, [], segment)
    return changed


def remember(
    uow: UnitOfWork,
    company_id: int,
    gathered: Gathered,
    due: Sequence[DueAction],
    horizon: Horizon,
    strategy_id: int,
    as_of: date,
) -> None:
    """Store the dunning states the run changed and the segments customers moved to."""
    # Invoices due the same day with the same steps in the same segment share their state:
    # computed once (a catch-up run changes hundreds of thousands).
    shared: dict[tuple[Any, ...], tuple[str, date | None]] = {}
    rows: list[dict[str, Any]] = []
    for item, added, segment in _changed(gathered, due).values():
        key = (segment, item.due_date, item.done, tuple(added))
        found = shared.get(key)
        if found is None:
            steps = item.done.union(added)
            found = shared[key] = (
                " ".join(sorted(steps)),
                horizon.next_on(item.due_date, steps, as_of, segment),
            )
        rows.append(
            {"company_id": company_id, "item_id": item.item_id, "steps": found[0],
             "next_on": found[1], "strategy_id": strategy_id, "updated_on": as_of}
        )  # fmt: skip
    existing = [row for row in rows if row["item_id"] in gathered.stated]
    if existing:
        state = DunningState.__table__
        assert isinstance(state, Table)
        uow.session.execute(
            update(state)
            .where(
                state.c.company_id == bindparam("b_company"), state.c.item_id == bindparam("b_item")
            )
            .values(
                steps=bindparam("b_steps"),
                next_on=bindparam("b_next"),
                strategy_id=bindparam("b_strategy"),
                updated_on=bindparam("b_day"),
            )
            .execution_options(synchronize_session=False),
            [
                {"b_company": r["company_id"], "b_item": r["item_id"], "b_steps": r["steps"],
                 "b_next": r["next_on"], "b_strategy": strategy_id, "b_day": as_of}
                for r in existing
            ],
        )  # fmt: skip
    insert_rows(
        uow.session, DunningState, [row for row in rows if row["item_id"] not in gathered.stated]
    )
    by_segment: dict[str, set[int]] = defaultdict(set)
    for customer_id, moved_to in gathered.moved.items():
        by_segment[moved_to].add(customer_id)
    for moved_to, customers in by_segment.items():
        update_accounts(uow, company_id, customers, {"dunning_segment": moved_to})
