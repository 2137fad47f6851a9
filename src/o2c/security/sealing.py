"""Sealing append-only records into per-company hash chains, and verifying the chains.

Writers never touch a chain: services insert audit records and journal entries as before,
however many at once. A sealing step (the worker's `security.seal` job every minute, or
`o2c audit seal`) locks the company's chain head, appends a link for every record not yet
sealed, in id order, and commits in chunks. So the hot paths stay as fast as they were and
only sealers of one company's chain wait for each other. The chain's order is the sealing
order; each link names its record.

Verifying walks every link in order, recomputes the hashes from the records as they are
now, and reports each record that was changed or deleted and each link that is missing;
records not sealed long after they were written are reported too, since an edit made
before sealing cannot be told apart from the original.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork
from o2c.security.chain_tables import ChainHead, ChainLink
from o2c.security.chaining import GENESIS, link_hash
from o2c.security.tables import AuditRecord

LINKS = ChainLink.__table__
SEAL_CHUNK = 10_000


@dataclass(frozen=True)
class ChainSpec:
    """A chain: the table of its records, the columns hashed, and when each was written."""

    name: str
    table: Table
    columns: tuple[str, ...]
    written_at: ColumnElement[datetime]


@dataclass(frozen=True)
class Finding:
    """One break in a chain, naming the record (and link) where it shows."""

    chain: str
    company_id: int
    record_id: int | None
    seq: int | None
    problem: str

    def describe(self) -> str:
        where = f"{self.chain} {self.record_id}" if self.record_id is not None else self.chain
        link = f", link {self.seq}" if self.seq is not None else ""
        return f"{where} (company {self.company_id}{link}): {self.problem}"


def chain_of(table: Table, written_at: ColumnElement[datetime]) -> ChainSpec:
    """The chain over every column of `table`, named after it."""
    return ChainSpec(table.name, table, tuple(column.name for column in table.columns), written_at)


_AUDIT = AuditRecord.metadata.tables[AuditRecord.__tablename__]
AUDIT_CHAIN = chain_of(_AUDIT, _AUDIT.c.at)


def _record(row: Any, spec: ChainSpec) -> dict[str, Any]:
    return {name: row[name] for name in spec.columns}


def _unsealed(spec: ChainSpec) -> ColumnElement[bool]:
    table = spec.table
    return ~exists().where(LINKS.c.chain == spec.name, LINKS.c.record_id == table.c.id)


def _locked_head(uow: UnitOfWork, chain: str, company_id: int) -> ChainHead:
    def locked() -> ChainHead | None:
        query = select(ChainHead).where(
            ChainHead.company_id == company_id, ChainHead.chain == chain
        )
        return uow.session.scalar(query.with_for_update())

    head = locked()
    if head is None:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        uow.session.execute(
            make_insert(ChainHead)
            .values(
                company_id=company_id, chain=chain, seq=0, hash=GENESIS, sealed_at=uow.clock.now()
            )
            .on_conflict_do_nothing(index_elements=["company_id", "chain"])
        )
        head = locked()
        assert head is not None
    return head


def seal_chain(
    uow: UnitOfWork, spec: ChainSpec, company_id: int, after: int = 0, at_most: int | None = None
) -> int:
    """Append a link for each of the company's unsealed records with an id above `after`.

    Commits every `SEAL_CHUNK` records, so the head's lock is held briefly, and stops after
    about `at_most` records when given; returns how many were sealed. Safe to run on several
    workers at once.
    """
    table, sealed = spec.table, 0
    while True:
        with uow:
            head = _locked_head(uow, spec.name, company_id)
            query = (
                select(*(table.c[name] for name in spec.columns))
                .where(table.c.company_id == company_id, table.c.id > after, _unsealed(spec))
                .order_by(table.c.id)
                .limit(SEAL_CHUNK)
            )
            rows = uow.session.execute(query).mappings().all()
            now, seq, previous, links = uow.clock.now(), head.seq, head.hash, []
            for row in rows:
                seq, previous = seq + 1, link_hash(previous, _record(row, spec))
                links.append(
                    {
                        "company_id": company_id,
                        "chain": spec.name,
                        "seq": seq,
                        "record_id": row["id"],
                        "hash": previous,
                        "sealed_at": now,
                    }
                )
            if links:
                insert_rows(uow.session, ChainLink, links)
                head.seq, head.hash, head.sealed_at = seq, previous, now
            uow.commit()
        sealed += len(rows)
        if len(rows) < SEAL_CHUNK or (at_most is not None and sealed >= at_most):
            return sealed
        after = rows[-1]["id"]


def last_sealed(uow: UnitOfWork, spec: ChainSpec) -> int:
    """The largest record id sealed in the chain, over all companies (0 when none)."""
    with uow:
        query = select(func.max(LINKS.c.record_id)).where(LINKS.c.chain == spec.name)
        return int(uow.session.scalar(query) or 0)


def _links_with_records(uow: UnitOfWork, spec: ChainSpec, company_id: int) -> Iterator[Any]:
    table = spec.table
    query = (
        select(
            LINKS.c.seq.label("link_seq"),
            LINKS.c.record_id.label("link_record"),
            LINKS.c.hash.label("link_hash"),
            table.c.id.label("record_found"),
            *(table.c[name] for name in spec.columns),
        )
        .select_from(LINKS.outerjoin(table, table.c.id == LINKS.c.record_id))
        .where(LINKS.c.company_id == company_id, LINKS.c.chain == spec.name)
        .order_by(LINKS.c.seq)
        .execution_options(yield_per=SEAL_CHUNK)
    )
    yield from uow.session.execute(query).mappings()


def verify_chain(
    uow: UnitOfWork, spec: ChainSpec, company_id: int, sealed_by: datetime
) -> list[Finding]:
    """Every break in the company's chain, in chain order; empty when it is intact.

    After a break the walk goes on from the stored hash, so each further edit is reported
    on its own. Records written before `sealed_by` and still unsealed are one finding.
    """
    findings: list[Finding] = []

    def found(record_id: int | None, seq: int | None, problem: str) -> None:
        findings.append(Finding(spec.name, company_id, record_id, seq, problem))

    with uow:
        expected, previous = 1, GENESIS
        for row in _links_with_records(uow, spec, company_id):
            seq, record_id = row["link_seq"], row["link_record"]
            if seq != expected:
                found(record_id, seq, f"links {expected}..{seq - 1} are missing (deleted)")
            if row["record_found"] is None:
                found(record_id, seq, "the record was deleted")
            elif link_hash(previous, _record(row, spec)) != row["link_hash"]:
                found(record_id, seq, "the record was changed after it was sealed")
            expected, previous = seq + 1, row["link_hash"]
        head = uow.session.scalar(
            select(ChainHead).where(
                ChainHead.company_id == company_id, ChainHead.chain == spec.name
            )
        )
        last = (head.seq, head.hash) if head else (0, GENESIS)
        if last != (expected - 1, previous):
            found(None, last[0], "the chain's last links were deleted (head does not match)")
        table = spec.table
        late = uow.session.execute(
            select(func.count(), func.min(table.c.id)).where(
                table.c.company_id == company_id, spec.written_at < sealed_by, _unsealed(spec)
            )
        ).one()
        if late[0]:
            found(late[1], None, f"{late[0]} records written before {sealed_by} are not sealed")
    return findings
