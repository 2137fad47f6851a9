"""Order and shipment numbers: series, year and a per-company counter ("SO-2026-000001").

Numbers are unique and increasing per company, series and year (gapless numbering, which the
law asks of invoices, is billing's). The counter row stays locked until the taking transaction
ends, so concurrent creators queue on it instead of colliding.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.uow import UnitOfWork
from o2c.orders.tables import SequenceCounter

ORDER_SERIES = "SO"
SHIPMENT_SERIES = "SH"
DIGITS = 6


def format_number(series: str, year: int, value: int) -> str:
    return f"{series}-{year}-{value:0{DIGITS}d}"


def next_number(uow: UnitOfWork, company_id: int, series: str, day: date) -> str:
    """Take the next number of `series` in the year of `day`, inside the caller's transaction.

    One statement: the increment takes the row lock and returns the number, so a busy
    order desk pays one round trip per number instead of a locking read and a write.
    """
    value = _increment(uow, company_id, series, day.year)
    if value is None:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        uow.session.execute(
            make_insert(SequenceCounter)
            .values(company_id=company_id, series=series, year=day.year, last_value=0)
            .on_conflict_do_nothing(index_elements=["company_id", "series", "year"])
        )
        value = _increment(uow, company_id, series, day.year)
        assert value is not None
    return format_number(series, day.year, value)


def _increment(uow: UnitOfWork, company_id: int, series: str, year: int) -> int | None:
    """The counter moved on by one (row-locked until the transaction ends), or None if absent."""
    return uow.session.scalar(
        update(SequenceCounter)
        .where(
            SequenceCounter.company_id == company_id,
            SequenceCounter.series == series,
            SequenceCounter.year == year,
        )
        .values(last_value=SequenceCounter.last_value + 1)
        .returning(SequenceCounter.last_value)
        .execution_options(synchronize_session=False)
    )
