"""Set-based inserts (returning the new ids in the order of the rows) and updates by primary
key, fast on both backends.

SQLite: one prepared INSERT run by the driver's executemany over tuples that were put
through each column's bind processor once (SQLAlchemy's own executemany builds its
parameters row by row in Python, which costs more than SQLite takes to store the row). New
rows take the next rowid after the largest (writers are serialised by BEGIN IMMEDIATE), so
the ids of a batch are the run after the table's largest id before it, checked afterwards.

PostgreSQL: ids are drawn from the table's sequence in one query and the rows are streamed
with COPY. Large multi-row INSERT statements cost psycopg more to parse than the server
takes to run them (about 0.7 ms per row); COPY streams rows at a fraction of that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Table, bindparam, text, update
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
        _executemany(session, table, rows)


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
    largest = text(f'SELECT coalesce(max(id), 0) FROM "{table.name}"')
    before = int(session.execute(largest).scalar_one())
    _executemany(session, table, rows)
    after = int(session.execute(largest).scalar_one())
    if after != before + len(rows):
        raise RuntimeError(f"{table.name}: ids of the batch are not the run after {before}")
    return list(range(before + 1, after + 1))


def update_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by primary key: each row gives `id` and the new values of the same columns.

    SQLite: one prepared UPDATE run by the driver's executemany (see `insert_rows`);
    PostgreSQL: SQLAlchemy's executemany of one UPDATE statement.
    """
    if not rows:
        return
    table = Base.metadata.tables[model.__tablename__]
    columns = [key for key in rows[0] if key != "id"]
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in columns})
        )
        session.connection().execute(
            statement, [{f"b_{key}": value for key, value in row.items()} for row in rows]
        )
        return
    keys = [*columns, "id"]
    processors = [
        (index, processor)
        for index, name in enumerate(keys)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    assignments = ", ".join(f'"{name}" = ?' for name in columns)
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f'UPDATE "{table.name}" SET {assignments} WHERE id = ?',
            _bound(rows, keys, [], processors),
        )
    finally:
        cursor.close()


def _defaults(table: Table, keys: Sequence[str]) -> dict[str, Callable[[], Any]]:
    """Python-side defaults of the columns the rows leave out, as an INSERT applies them:
    scalars as they are, callables (`default=list`) called once per row."""
    found: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default: Any = column.default
        if column.name in keys or column.name == "id" or default is None:
            continue
        if default.is_scalar:
            found[column.name] = (lambda value: lambda: value)(default.arg)
        elif default.is_callable:
            found[column.name] = (lambda make: lambda: make(None))(default.arg)
    return found


def _executemany(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """SQLite: one prepared INSERT over tuples of bound values, through the driver directly."""
    keys = list(rows[0])
    defaults = _defaults(table, keys)
    columns = keys + list(defaults)
    dialect = session.get_bind().dialect
    processors = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, _bound(rows, keys, list(defaults.values()), processors))
    finally:
        cursor.close()


def _bound(
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    defaults: Sequence[Callable[[], Any]],
    processors: Sequence[tuple[int, Callable[[Any], Any]]],
) -> Iterator[list[Any]]:
    """Each row's values in column order, defaults last, through the columns' processors.

    A value that is the same object as in the row before (the batch's `now`, its actor's
    date) reuses the processed value instead of formatting it again."""
    last: list[tuple[Any, Any]] = [(_NOTHING, None)] * len(processors)
    for row in rows:
        values = [row[key] for key in keys]
        values += [default() for default in defaults]
        for at, (index, processor) in enumerate(processors):
            value = values[index]
            before, processed = last[at]
            if value is not before:
                processed = processor(value)
                last[at] = (value, processed)
            values[index] = processed
        yield values


_NOTHING = object()


def _copy(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], ids: list[int] | None
) -> None:
    keys = list(rows[0])
    defaults = _defaults(table, keys)
    columns = keys + list(defaults)
    json_at = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in (["id"] if ids is not None else []) + columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for index, row in enumerate(rows):
            values = [row[key] for key in keys] + [default() for default in defaults.values()]
            for at in json_at:
                values[at] = Jsonb(values[at])
            copy.write_row([ids[index], *values] if ids is not None else values)
