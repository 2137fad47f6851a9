"""Set-based inserts store exactly what SQLAlchemy's own INSERT stores, and hand back the ids
of the rows in the order given, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, text

from o2c.cashapp.tables import BankLineRow, BankStatement
from o2c.db.bulk import insert_ids, insert_rows, update_rows
from o2c.db.uow import UnitOfWork
from o2c.security.model import Actor
from o2c.security.tables import AuditRecord

AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def _statement(uow: UnitOfWork, actor: Actor) -> int:
    with uow:
        [statement_id] = insert_ids(
            uow.session,
            BankStatement,
            [
                {
                    "company_id": actor.company_id,
                    "file_hash": "f" * 64,
                    "position": 0,
                    "file_name": "day.xml",
                    "format": "camt053",
                    "account": "DE89370400440532013000",
                    "currency": "EUR",
                    "statement_id": "S-1",
                    "statement_date": date(2026, 3, 1),
                    "imported_at": AT,
                    "imported_by": "tester",
                }
            ],
        )
        uow.commit()
    return statement_id


def _line(actor: Actor, statement_id: int, n: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "company_id": actor.company_id,
        "statement_id": statement_id,
        "account": "DE89370400440532013000",
        "bank_ref": f"REF-{n}",
        "booking_date": date(2026, 3, 1),
        "value_date": None,
        "amount_minor": 1000 + n,
        "currency": "EUR",
        "status": "new",
        "confidence": None,
    }
    return row | overrides


def _stored(uow: UnitOfWork, table: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """The raw stored values of the rows (no ORM types in between), id left out."""
    with uow:
        rows = uow.session.execute(
            text(f"SELECT * FROM {table} WHERE id IN ({', '.join(map(str, ids))}) ORDER BY id")
        ).all()
        return [tuple(row)[1:] for row in rows]


def test_bulk_rows_are_stored_exactly_as_sqlalchemy_inserts_them(
    uow: UnitOfWork, actor: Actor
) -> None:
    # Given lines with dates, a missing date, omitted defaults (text, JSON list, booleans)
    statement_id = _statement(uow, actor)
    ours = [_line(actor, statement_id, n) for n in range(3)]
    theirs = [_line(actor, statement_id, n + 10) for n in range(3)]
    # When one half goes through insert_ids and the other through SQLAlchemy's INSERT
    with uow:
        our_ids = insert_ids(uow.session, BankLineRow, ours)
        uow.session.execute(insert(BankLineRow), theirs)
        their_ids = list(
            uow.session.scalars(
                select(BankLineRow.id).where(BankLineRow.bank_ref.like("REF-1_")).order_by("id")
            )
        )
        uow.commit()
    # Then the stored values are the same, apart from the references and amounts that differ
    mine = _stored(uow, "bank_line", our_ids)
    other = _stored(uow, "bank_line", their_ids)
    columns = [c.name for c in BankLineRow.__table__.columns][1:]
    differ = {columns.index("bank_ref"), columns.index("amount_minor")}
    for a, b in zip(mine, other, strict=True):
        assert [v for i, v in enumerate(a) if i not in differ] == [
            v for i, v in enumerate(b) if i not in differ
        ]


def test_insert_ids_returns_the_new_ids_in_row_order(uow: UnitOfWork, actor: Actor) -> None:
    # Given a table that already holds rows, the newest of them deleted again
    statement_id = _statement(uow, actor)
    with uow:
        first = insert_ids(
            uow.session, BankLineRow, [_line(actor, statement_id, n) for n in range(5)]
        )
        uow.session.execute(text(f"DELETE FROM bank_line WHERE id = {first[-1]}"))
        uow.commit()
    # When more rows are inserted
    rows = [_line(actor, statement_id, n, bank_ref=f"NEW-{n}") for n in range(250)]
    with uow:
        ids = insert_ids(uow.session, BankLineRow, rows)
        uow.commit()
    # Then each id is the row's own, in order (SQLite may hand the deleted id out again)
    with uow:
        stored = dict(
            uow.session.execute(
                select(BankLineRow.id, BankLineRow.bank_ref).where(BankLineRow.id.in_(ids))
            ).all()
        )
    assert [stored[i] for i in ids] == [r["bank_ref"] for r in rows]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(rows)


def test_bulk_audit_rows_keep_instants_and_json(uow: UnitOfWork, actor: Actor) -> None:
    # Given audit rows with an aware instant and nested JSON
    rows = [
        {
            "company_id": actor.company_id,
            "at": AT,
            "actor": "tester",
            "action": "thing.do",
            "entity": "thing",
            "entity_id": str(n),
            "data": {"ids": [[1, 2]], "note": None, "n": n},
        }
        for n in range(3)
    ]
    # When inserted set-based
    with uow:
        insert_rows(uow.session, AuditRecord, rows)
        uow.commit()
    # Then they read back as written, instants still aware and in UTC
    with uow:
        found = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "thing.do").order_by(AuditRecord.id)
        ).all()
        assert [(r.at, r.data, r.entity_id) for r in found] == [
            (AT, {"ids": [[1, 2]], "note": None, "n": n}, str(n)) for n in range(3)
        ]


def test_update_rows_changes_only_the_named_rows_and_columns(uow: UnitOfWork, actor: Actor) -> None:
    # Given three stored lines
    statement_id = _statement(uow, actor)
    with uow:
        ids = insert_ids(
            uow.session, BankLineRow, [_line(actor, statement_id, n) for n in range(3)]
        )
        uow.commit()
    # When two of them get a new status, confidence and reason (one confidence cleared)
    with uow:
        update_rows(
            uow.session,
            BankLineRow,
            [
                {"id": ids[0], "status": "applied", "confidence": 0.975, "reason": "INV-1"},
                {"id": ids[2], "status": "unmatched", "confidence": None, "reason": "none"},
            ],
        )
        uow.commit()
    # Then those two show the new values and everything else is as it was
    with uow:
        rows = uow.session.execute(
            select(
                BankLineRow.status,
                BankLineRow.confidence,
                BankLineRow.reason,
                BankLineRow.bank_ref,
                BankLineRow.booking_date,
            ).order_by(BankLineRow.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("applied", 0.975, "INV-1", "REF-0", date(2026, 3, 1)),
        ("new", None, "", "REF-1", date(2026, 3, 1)),
        ("unmatched", None, "none", "REF-2", date(2026, 3, 1)),
    ]
