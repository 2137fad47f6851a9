"""Set-based inserts that return the new ids in the order of the rows, fast on both backends.

SQLite: one multi-row INSERT per batch; SQLite hands out rowids in VALUES order (writers are
serialised), so the returned ids sorted are the ids in row order. SQLAlchemy's ordered
RETURNING would fall back to one statement per row there.

PostgreSQL: ids are drawn from the table's sequence in one query and the rows are streamed
with COPY. Large multi-row INSERT statements cost psycopg more to parse than the server
takes to run them (about 0.7 ms per row); COPY streams rows at a fraction of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.orm import Session

from o2c.db.base import Base


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys) without ORM bookkeeping per row."""
    if not rows:
        return
    table = Base.metadata.tables[model.__tablename__]
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows, None)
    else:
        session.execute(insert(table), rows)


def insert_ids(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` (all with the same keys) and return their new ids in the order of `rows`."""
    if not rows:
        return []
    table = Base.metadata.tables[model.__tablename__]
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": len(rows)},
            )
        )
        _copy(session, table, rows, ids)
        return ids
    return sorted(session.scalars(insert(table).returning(table.c.id), rows))


def _copy(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], ids: list[int] | None
) -> None:
    keys = list(rows[0])
    # Columns the rows leave out take their Python-side default, as an INSERT would.
    defaults = {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.name not in keys
        and column.name != "id"
        and column.default is not None
        and column.default.is_scalar
    }
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    columns = (["id"] if ids is not None else []) + keys + list(defaults)
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for index, row in enumerate(rows):
            values = [Jsonb(row[k]) if k in json_columns else row[k] for k in keys]
            head = [ids[index]] if ids is not None else []
            copy.write_row(head + values + list(defaults.values()))
