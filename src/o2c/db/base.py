"""Declarative base and the column types every table uses.

Ids are 64-bit integers (plain INTEGER on SQLite so that they alias the rowid). Money is
stored as BIGINT minor units beside a CHAR(3) currency code; instants are timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

BigIntId = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware instants on every backend (SQLite drops the offset; we restore UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


Id = Annotated[int, mapped_column(BigIntId, primary_key=True, autoincrement=True)]
Minor = Annotated[int, mapped_column(BigInteger)]
Currency = Annotated[str, mapped_column(String(3))]


def company_fk() -> Any:
    """The tenant column every business table carries (and leads its indexes with)."""
    return mapped_column(BigIntId, ForeignKey("company.id"), index=False)


def ref_fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return mapped_column(BigIntId, ForeignKey(target), nullable=nullable, index=index)
