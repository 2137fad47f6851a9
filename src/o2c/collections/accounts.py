"""Collections' own record per customer (collector, promise record, escalation, agency)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from o2c.collections.tables import CollectionAccount
from o2c.db.uow import UnitOfWork


def ensure_accounts(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int]
) -> dict[int, CollectionAccount]:
    """The customers' accounts, created where missing (racing creators do not fail), locked."""
    if not customer_ids:
        return {}
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = uow.clock.now()
    uow.session.execute(
        insert(CollectionAccount)
        .values(
            [
                {
                    "company_id": company_id,
                    "customer_id": cid,
                    "promises_kept": 0,
                    "promises_broken": 0,
                    "updated_at": now,
                }
                for cid in sorted(customer_ids)
            ]
        )
        .on_conflict_do_nothing(index_elements=["company_id", "customer_id"])
    )
    found = uow.session.scalars(
        select(CollectionAccount)
        .where(
            CollectionAccount.company_id == company_id,
            CollectionAccount.customer_id.in_(sorted(customer_ids)),
        )
        .order_by(CollectionAccount.customer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    accounts = {a.customer_id: a for a in found}
    for account in accounts.values():
        account.updated_at = now
    return accounts


CHUNK = 2000  # customers per statement, well below SQLite's bound-parameter limit


def update_accounts(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int], values: dict[str, object]
) -> None:
    """Set `values` on many customers' accounts set-based, creating missing accounts first."""
    wanted = sorted(set(customer_ids))
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = uow.clock.now()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        uow.session.execute(
            insert(CollectionAccount).on_conflict_do_nothing(
                index_elements=["company_id", "customer_id"]
            ),
            [
                {"company_id": company_id, "customer_id": cid, "promises_kept": 0,
                 "promises_broken": 0, "updated_at": now}
                for cid in chunk
            ],
        )  # fmt: skip
        uow.session.execute(
            update(CollectionAccount)
            .where(
                CollectionAccount.company_id == company_id,
                CollectionAccount.customer_id.in_(chunk),
            )
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )


def collectors(uow: UnitOfWork, company_id: int) -> dict[int, str]:
    """Customer id → its collector, for every assigned customer of the company."""
    return {
        cid: collector
        for cid, collector in uow.session.execute(
            select(CollectionAccount.customer_id, CollectionAccount.collector).where(
                CollectionAccount.company_id == company_id,
                CollectionAccount.collector.is_not(None),
            )
        )
        if collector is not None
    }
