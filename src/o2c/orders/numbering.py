"""Order and shipment numbers: series, year and a per-company counter ("SO-2026-000001").

Numbers are unique and increasing per company, series and year (gapless numbering, which the
law asks of invoices, is billing's). The counter row stays locked until the taking transaction
ends, so concurrent creators queue on it instead of colliding.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.uow import UnitOfWork
from o2c.orders.tables import SequenceCounter

ORDER_SERIES = "SO"
SHIPMENT_SERIES = "SH"
DIGITS = 6


def format_number(series: str, year: int, value: int) -> str:
    return f"{series}-{year}-{value:0{DIGITS}d}"


def next_number(uow: UnitOfWork, company_id: int, series: str, day: date) -> str:
    """Take the next number of `series` in the year of `day`, inside the caller's transaction."""
    counter = _locked_counter(uow, company_id, series, day.year)
    if counter is None:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        uow.session.execute(
            make_insert(SequenceCounter)
            .values(company_id=company_id, series=series, year=day.year, last_value=0)
            .on_conflict_do_nothing(index_elements=["company_id", "series", "year"])
        )
        counter = _locked_counter(uow, company_id, series, day.year)
        assert counter is not None
    counter.last_value += 1
    uow.session.flush()
    return format_number(series, day.year, counter.last_value)


def _locked_counter(
    uow: UnitOfWork, company_id: int, series: str, year: int
) -> SequenceCounter | None:
    return uow.session.scalar(
        select(SequenceCounter)
        .where(
            SequenceCounter.company_id == company_id,
            SequenceCounter.series == series,
            SequenceCounter.year == year,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
