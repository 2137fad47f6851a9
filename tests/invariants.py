"""The ledger's invariants, checked by property tests after every step they take."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from o2c.db.uow import UnitOfWork
from o2c.ledger.model import AccountRole
from o2c.ledger.service import accounts_by_role
from o2c.ledger.tables import JournalLine, OpenItem, Settlement
from o2c.security.model import Actor


def unbalanced_entries(uow: UnitOfWork, actor: Actor) -> list[tuple[int, str, int]]:
    """Entries whose lines do not sum to zero in one of their currencies or in base."""
    with uow:
        per_currency = uow.session.execute(
            select(JournalLine.entry_id, JournalLine.currency, func.sum(JournalLine.amount_minor))
            .where(JournalLine.company_id == actor.company_id)
            .group_by(JournalLine.entry_id, JournalLine.currency)
            .having(func.sum(JournalLine.amount_minor) != 0)
        ).all()
        in_base = uow.session.execute(
            select(JournalLine.entry_id, func.sum(JournalLine.base_minor))
            .where(JournalLine.company_id == actor.company_id)
            .group_by(JournalLine.entry_id)
            .having(func.sum(JournalLine.base_minor) != 0)
        ).all()
    return [(e, c, int(s)) for e, c, s in per_currency] + [(e, "base", int(s)) for e, s in in_base]


def check_ledger(uow: UnitOfWork, actor: Actor) -> None:
    """Assert every invariant of the ledger and the AR subledger for `actor`'s company."""
    assert unbalanced_entries(uow, actor) == []
    with uow:
        accounts = accounts_by_role(uow, actor.company_id)
        items = uow.session.execute(
            select(
                OpenItem.id,
                OpenItem.account_id,
                OpenItem.currency,
                OpenItem.amount_minor,
                OpenItem.open_minor,
                OpenItem.open_base_minor,
                OpenItem.closed_on,
                OpenItem.customer_id,
            ).where(OpenItem.company_id == actor.company_id)
        ).all()
        settled = dict(
            uow.session.execute(
                select(Settlement.item_id, func.sum(Settlement.amount_minor))
                .where(Settlement.company_id == actor.company_id)
                .group_by(Settlement.item_id)
            ).all()
        )
        balances = uow.session.execute(
            select(
                JournalLine.account_id,
                JournalLine.currency,
                func.sum(JournalLine.amount_minor),
                func.sum(JournalLine.base_minor),
            )
            .where(JournalLine.company_id == actor.company_id)
            .group_by(JournalLine.account_id, JournalLine.currency)
        ).all()
    by_account: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    per_customer: dict[tuple[int, str], int] = defaultdict(int)
    for item_id, account_id, currency, amount, open_, open_base, closed_on, customer in items:
        assert open_ == amount + int(settled.get(item_id, 0)), f"item {item_id} cache drifted"
        assert 0 <= open_ * (1 if amount > 0 else -1) <= abs(amount), f"item {item_id} over-settled"
        assert (closed_on is None) == (open_ != 0), f"item {item_id} closed_on disagrees"
        if open_ == 0:
            assert open_base == 0, f"item {item_id} closed with base residue {open_base}"
        by_account[(account_id, currency)][0] += open_
        by_account[(account_id, currency)][1] += open_base
        per_customer[(customer, currency)] += open_
    ledger = {(a, c): [int(s), int(b)] for a, c, s, b in balances}
    for role in (AccountRole.AR_CONTROL, AccountRole.UNAPPLIED_CASH):
        account_id = accounts[role]
        currencies = {c for a, c in ledger if a == account_id} | {
            c for a, c in by_account if a == account_id
        }
        for currency in currencies:
            assert ledger.get((account_id, currency), [0, 0]) == by_account.get(
                (account_id, currency), [0, 0]
            ), f"{role.value} {currency}: ledger and open items disagree"
    for currency in {c for _, c in per_customer}:
        items_total = sum(v for (a, c), (v, _) in by_account.items() if c == currency)
        customers_total = sum(v for (_, c), v in per_customer.items() if c == currency)
        assert items_total == customers_total
