"""Cash application's use cases in one place: import, match, the exception queue, export.

The work lives in modules named by idea (`statements`, `matching_run`, `review`); this
module adds the reads (the queue, one line, the contract export) and re-exports the rest so
callers import one service module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from o2c.cashapp.matching_run import WAITING, MatchSummary, match
from o2c.cashapp.model import LineStatus
from o2c.cashapp.review import (
    accept_suggestion,
    get_line_row,
    ignore,
    latest_decision,
    match_manually,
    split,
)
from o2c.cashapp.sources import decimal_of
from o2c.cashapp.statements import (
    ImportSummary,
    RemittanceSummary,
    import_remittance,
    import_statement,
)
from o2c.cashapp.tables import BankLineRow, MatchDecisionRow
from o2c.db.uow import UnitOfWork
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Permission

EXPORT_HEADER = ("line_ref", "invoice_number", "amount_applied", "status", "confidence", "reason")
QUEUED = (LineStatus.SUGGESTED.value, LineStatus.UNMATCHED.value)
CHUNK = 5000

__all__ = [
    "EXPORT_HEADER",
    "ImportSummary",
    "LineView",
    "MatchSummary",
    "RemittanceSummary",
    "accept_suggestion",
    "export",
    "get_line",
    "ignore",
    "import_remittance",
    "import_statement",
    "match",
    "match_manually",
    "queue",
    "split",
]


@dataclass(frozen=True)
class LineView:
    """A bank line with the latest decision on it (allocations, suggestions, reason)."""

    line: BankLineRow
    decision: dict[str, Any] | None


def get_line(uow: UnitOfWork, actor: Actor, line_id: int) -> LineView:
    with uow:
        line = get_line_row(uow, actor, line_id)
        return LineView(line, latest_decision(uow, actor, line_id))


def queue(
    uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0, include_new: bool = False
) -> tuple[list[LineView], int]:
    """The exception queue: credit lines waiting for a person, largest amounts first."""
    actor.require(Permission.LEDGER_READ)
    statuses = WAITING if include_new else QUEUED
    conditions = [
        BankLineRow.company_id == actor.company_id,
        BankLineRow.status.in_(statuses),
        BankLineRow.amount_minor > 0,
    ]
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(BankLineRow).where(*conditions))
        lines = uow.session.scalars(
            select(BankLineRow)
            .where(*conditions)
            .order_by(BankLineRow.amount_minor.desc(), BankLineRow.id)
            .limit(limit)
            .offset(offset)
        ).all()
        views = [LineView(line, latest_decision(uow, actor, line.id)) for line in lines]
        return views, int(total or 0)


def _numbers(uow: UnitOfWork, company_id: int, item_ids: set[int]) -> dict[int, str]:
    ordered = sorted(item_ids)
    numbers: dict[int, str] = {}
    for start in range(0, len(ordered), CHUNK):
        # By primary key, the company checked here: with the company in the WHERE clause
        # SQLite walks every item of the company for each chunk.
        query = select(OpenItem.company_id, OpenItem.id, OpenItem.document_number).where(
            OpenItem.id.in_(ordered[start : start + CHUNK])
        )
        for owner, item_id, number in uow.session.execute(query):
            if owner == company_id:
                numbers[item_id] = number
    return numbers


def _latest_decisions(uow: UnitOfWork, company_id: int) -> dict[int, dict[str, Any]]:
    """Each line's latest decision, read in one pass (later decisions overwrite earlier)."""
    rows = uow.session.execute(
        select(MatchDecisionRow.line_id, MatchDecisionRow.decision)
        .where(MatchDecisionRow.company_id == company_id)
        .order_by(MatchDecisionRow.id)
    )
    return dict(rows.all())


def export(uow: UnitOfWork, actor: Actor) -> list[tuple[str, str, str, str, str, str]]:
    """The contract rows (`EXPORT_HEADER`): one per invoice of a settled line, else one per line.

    `status` is the line's: applied, deduction, on_account, suggested or unmatched (debits,
    lines not matched yet and lines a person ignored are `unmatched`, the reason says why).
    `amount_applied` is the cash applied to that invoice, `0` on rows without one.
    """
    actor.require(Permission.LEDGER_READ)
    with uow:
        lines = uow.session.scalars(
            select(BankLineRow)
            .where(BankLineRow.company_id == actor.company_id)
            .order_by(BankLineRow.id)
        ).all()
        decisions = _latest_decisions(uow, actor.company_id)
        wanted = {row[0] for d in decisions.values() if d for row in d.get("allocations", [])}
        numbers = _numbers(uow, actor.company_id, wanted)
        rows: list[tuple[str, str, str, str, str, str]] = []
        for line in lines:
            rows += _line_rows(line, decisions.get(line.id), numbers)
        return rows


def _line_rows(
    line: BankLineRow, decision: dict[str, Any] | None, numbers: dict[int, str]
) -> list[tuple[str, str, str, str, str, str]]:
    status = line.status
    reason = line.reason or ("not matched yet" if status == LineStatus.NEW.value else "")
    if status in (LineStatus.NEW.value, LineStatus.IGNORED.value):
        status = LineStatus.UNMATCHED.value
    confidence = "" if line.confidence is None else f"{line.confidence:.3f}"
    zero = str(decimal_of(0, line.currency))
    settled = status in (
        LineStatus.APPLIED.value,
        LineStatus.DEDUCTION.value,
        LineStatus.ON_ACCOUNT.value,
    )
    allocations = (decision or {}).get("allocations", []) if settled else []
    if not allocations:
        return [(line.bank_ref, "", zero, status, confidence, reason)]
    return [
        (
            line.bank_ref,
            numbers.get(item_id, ""),
            str(decimal_of(amount, line.currency)),
            status,
            confidence,
            reason,
        )
        for item_id, amount, *_ in allocations
    ]
