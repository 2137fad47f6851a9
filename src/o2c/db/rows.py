"""Loading one row of the acting company: the tenant check every service makes on a lookup."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from o2c.db.base import Base
from o2c.kernel.errors import NotFound

Row = TypeVar("Row", bound=Base)


def owned(
    session: Session,
    model: type[Row],
    company_id: int,
    key: int,
    entity: str,
    *,
    lock: bool = False,
    refresh: bool = False,
) -> Row:
    """Row `key` of `model` when it belongs to `company_id`, else NotFound.

    Another company's row is reported exactly like a missing one, so ids never reveal what
    other tenants hold. `lock` row-locks it until the transaction ends (and rereads it);
    `refresh` rereads it even if the session already holds it.
    """
    row = session.get(model, key, with_for_update=lock or None, populate_existing=refresh or lock)
    if row is None or getattr(row, "company_id", None) != company_id:
        raise NotFound(entity, key)
    return row
