"""The installation's hash chains: the audit trail and the posted journal, sealed and verified
together for every company.

The chains are defined where their records live (`security.sealing`, `ledger.journal_chain`);
only the composition root knows them all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.ledger.journal_chain import JOURNAL_ENTRIES, JOURNAL_LINES
from o2c.security.chain_tables import ChainLink
from o2c.security.model import Actor, Permission
from o2c.security.sealing import (
    AUDIT_CHAIN,
    SEAL_CHUNK,
    Finding,
    last_sealed,
    seal_chain,
    verify_chain,
)
from o2c.security.service import list_companies
from o2c.security.tables import AuditRecord

CHAINS = (AUDIT_CHAIN, JOURNAL_ENTRIES, JOURNAL_LINES)
SEAL_AFTER_COMMAND = 5 * SEAL_CHUNK
"""Records per chain an `o2c` command seals as it ends (a few seconds); the job does the rest."""
SEAL_WITHIN = timedelta(hours=1)
"""Records still unsealed this long after they were written are a verification finding."""


@dataclass
class Verification:
    """What `verify_all` walked and what it found (nothing, when every chain is intact)."""

    links: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def company_ids(uow: UnitOfWork) -> list[int]:
    with uow:
        return [company.id for company in list_companies(uow)]


def seal_company(uow: UnitOfWork, company_id: int) -> dict[str, int]:
    """Seal every chain of one company; how many records each chain took."""
    return {spec.name: seal_chain(uow, spec, company_id) for spec in CHAINS}


def seal_recent(uow: UnitOfWork) -> None:
    """Seal what was written since the newest sealed record, up to `SEAL_AFTER_COMMAND`.

    Run after every `o2c` command that used the database, so what a command wrote is sealed
    when it returns; a bulk command's remainder (and any record committed out of id order)
    is left to the worker's sealing job, which walks every chain from the start.
    """
    companies = company_ids(uow)
    for spec in CHAINS:
        after = last_sealed(uow, spec)
        for company_id in companies:
            seal_chain(uow, spec, company_id, after=after, at_most=SEAL_AFTER_COMMAND)


def verify_all(uow: UnitOfWork, companies: list[int], sealed_within: timedelta) -> Verification:
    """Verify every chain of the companies; findings in company, chain and link order."""
    result = Verification()
    sealed_by = uow.clock.now() - sealed_within
    for company_id in companies:
        for spec in CHAINS:
            result.findings += verify_chain(uow, spec, company_id, sealed_by)
            with uow:
                count = uow.session.scalar(
                    select(ChainLink.seq)
                    .where(ChainLink.company_id == company_id, ChainLink.chain == spec.name)
                    .order_by(ChainLink.seq.desc())
                    .limit(1)
                )
            result.links[spec.name] = result.links.get(spec.name, 0) + (count or 0)
    return result


EXPORT_FIELDS = (
    "seq",
    "hash",
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "request_id",
    "data",
)


def audit_rows(uow: UnitOfWork, actor: Actor, first: date, last: date) -> Iterator[dict[str, Any]]:
    """The company's audit records written from `first` to `last` (UTC days), with their links.

    An auditor who keeps the hash of the last row can later prove that nothing up to it
    changed: any edit changes every hash from the edited record on.
    """
    actor.require(Permission.AUDIT_READ)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    query = (
        select(AuditRecord, ChainLink.seq, ChainLink.hash)
        .outerjoin(
            ChainLink,
            (ChainLink.chain == AUDIT_CHAIN.name) & (ChainLink.record_id == AuditRecord.id),
        )
        .where(
            AuditRecord.company_id == actor.company_id,
            AuditRecord.at >= start,
            AuditRecord.at < end,
        )
        .order_by(AuditRecord.id)
        .execution_options(yield_per=5000)
    )
    with uow:
        for record, seq, digest in uow.session.execute(query):
            yield {
                "seq": seq,
                "hash": digest,
                "id": record.id,
                "at": record.at.isoformat(),
                "actor": record.actor,
                "action": record.action,
                "entity": record.entity,
                "entity_id": record.entity_id,
                "request_id": record.request_id,
                "data": record.data,
            }


def write_audit_export(rows: Iterator[dict[str, Any]], out: Path, file_format: str) -> int:
    """Write the rows as CSV (data as JSON text) or JSON Lines; how many were written."""
    count = 0
    with out.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, EXPORT_FIELDS) if file_format == "csv" else None
        if writer:
            writer.writeheader()
        for row in rows:
            if writer:
                writer.writerow({**row, "data": json.dumps(row["data"], sort_keys=True)})
            else:
                stream.write(json.dumps(row, sort_keys=True) + "\n")
            count += 1
    return count
