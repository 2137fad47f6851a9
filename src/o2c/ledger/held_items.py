"""Open items as `apply_items` settles them: read and row-locked as plain rows in chunks,
written back with one executemany by primary key, without ORM objects per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from o2c.db.bulk import update_rows
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound
from o2c.ledger.model import AccountRole
from o2c.ledger.posting import ItemState
from o2c.ledger.tables import OpenItem


@dataclass(slots=True)
class HeldItem:
    """A locked open item's columns as `apply_items` settles it, updated in place."""

    id: int
    kind: str
    customer_id: int
    account_id: int
    currency: str
    open_minor: int
    open_base_minor: int
    doc_date: date
    document_number: str
    closed_on: date | None
    changed: bool = False

    def state(self, roles: dict[int, AccountRole]) -> ItemState:
        return ItemState(
            id=self.id,
            customer_id=self.customer_id,
            role=roles[self.account_id],
            currency=self.currency,
            open_minor=self.open_minor,
            open_base=self.open_base_minor,
            doc_date=self.doc_date,
            number=self.document_number,
        )


_HELD_COLUMNS = (
    OpenItem.id,
    OpenItem.kind,
    OpenItem.customer_id,
    OpenItem.account_id,
    OpenItem.currency,
    OpenItem.open_minor,
    OpenItem.open_base_minor,
    OpenItem.doc_date,
    OpenItem.document_number,
    OpenItem.closed_on,
)
LOCK_CHUNK = 5000


def hold_items(uow: UnitOfWork, company_id: int, ids: set[int]) -> dict[int, HeldItem]:
    """Read and row-lock the items in id order (so concurrent appliers never deadlock),
    in chunks that stay below the database's limit of bound parameters.

    Looked up by primary key alone and checked for the company here: with the company in
    the WHERE clause SQLite walks the company's index (every item it has) for each chunk."""
    ordered = sorted(ids)
    found: dict[int, HeldItem] = {}
    for start in range(0, len(ordered), LOCK_CHUNK):
        rows = uow.session.execute(
            select(OpenItem.company_id, *_HELD_COLUMNS)
            .where(OpenItem.id.in_(ordered[start : start + LOCK_CHUNK]))
            .order_by(OpenItem.id)
            .with_for_update()
        )
        found.update((row[1], HeldItem(*row[1:])) for row in rows if row[0] == company_id)
    missing = ids - found.keys()
    if missing:
        raise NotFound("open item", min(missing))
    return found


def store_items(uow: UnitOfWork, items: Sequence[HeldItem]) -> None:
    """Write the new open amounts by primary key in one executemany, and show them on any
    ORM objects of those items the session already holds (without marking them dirty)."""
    if not items:
        return
    update_rows(
        uow.session,
        OpenItem,
        [
            {
                "id": i.id,
                "open_minor": i.open_minor,
                "open_base_minor": i.open_base_minor,
                "closed_on": i.closed_on,
            }
            for i in items
        ],
    )
    loaded = uow.session.identity_map
    held = {key[1][0]: key for key in loaded.keys() if key[0] is OpenItem}  # noqa: SIM118
    for item in items:
        if item.id in held:
            instance = loaded[held[item.id]]
            set_committed_value(instance, "open_minor", item.open_minor)
            set_committed_value(instance, "open_base_minor", item.open_base_minor)
            set_committed_value(instance, "closed_on", item.closed_on)
