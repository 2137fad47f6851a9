"""Set-based inserts that return the new ids in the order of the rows, fast on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from o2c.db.base import Base


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` through the Core table: executemany with no ORM bookkeeping per row."""
    if rows:
        session.execute(insert(Base.metadata.tables[model.__tablename__]), rows)


def insert_ids(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` set-based and return their new ids in the order of `rows`.

    SQLAlchemy cannot batch `RETURNING` with `sort_by_parameter_order` on SQLite and falls
    back to one statement per row. SQLite assigns the rowids of a multi-row insert in VALUES
    order, each above every existing one (writers are serialised), so there the ids sorted
    are the ids in row order. PostgreSQL batches the ordered form itself.
    """
    if not rows:
        return []
    table = Base.metadata.tables[model.__tablename__]
    if session.get_bind().dialect.name == "sqlite":
        return sorted(session.scalars(insert(table).returning(table.c.id), rows))
    returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(returning, rows))
