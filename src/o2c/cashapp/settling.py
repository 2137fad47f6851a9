"""Turning decisions into money movements: payments received, applied, deductions opened.

Each settled bank line becomes a payment of its payer (DR cash / CR unapplied cash) applied
to the decided invoices with the decided discount and write-off (DR unapplied / CR AR);
cash not applied stays on account. A short pay applies what was paid and leaves the short
amount open on the invoice, recorded as an open deduction: nothing is written off until the
deduction is resolved, so the receivable and the dispute stay visible. All set-based, inside
the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from o2c.cashapp.model import Allocation, MatchDecision, Suggestion
from o2c.cashapp.sources import StoredLine
from o2c.cashapp.tables import BankLineRow, MatchDecisionRow
from o2c.db.bulk import insert_rows, update_rows
from o2c.db.uow import UnitOfWork
from o2c.disputes.model import DeductionCreate
from o2c.disputes.service import open_deductions
from o2c.kernel.errors import ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem
from o2c.payments.applying import Run, execute_runs
from o2c.payments.model import PaymentCreate, PaymentMethod
from o2c.payments.receipts import check_receipts, insert_receipts
from o2c.payments.settlement import Settle
from o2c.security.model import Actor, Permission

CHUNK = 5000


@dataclass(frozen=True)
class Posting:
    """One payment to record for a line: whose cash, how much, and where it goes."""

    line: StoredLine | BankLineRow
    customer_id: int
    amount_minor: int
    allocations: tuple[Allocation, ...]
    deduction_reason: str | None = None


def received_on(line: StoredLine | BankLineRow, today: date) -> date:
    return line.value_date or line.booking_date or today


def post(uow: UnitOfWork, actor: Actor, postings: Sequence[Posting]) -> list[int]:
    """Record and apply every posting; returns the payment ids in order."""
    actor.require(Permission.PAYMENT_POST)
    actor.require(Permission.PAYMENT_APPLY)
    if not postings:
        return []
    today = uow.clock.today()
    commands = [
        PaymentCreate(
            customer_id=p.customer_id,
            amount=Money.from_minor(p.amount_minor, p.line.currency),
            method=PaymentMethod.WIRE,
            received_on=received_on(p.line, today),
            reference=(p.line.remittance_text or p.line.end_to_end_id)[:120] or None,
            bank_reference=p.line.bank_ref,
        )
        for p in postings
    ]
    rates, errors = check_receipts(uow, actor, commands, [f"lines[{p.line.id}]." for p in postings])
    if errors:
        raise ValidationFailed(errors)
    received = insert_receipts(uow, actor, commands, rates)
    items = _invoices(uow, actor.company_id, {a.item_id for p in postings for a in p.allocations})
    runs, plans = [], []
    for posting, receipt, command in zip(postings, received, commands, strict=True):
        if not posting.allocations:
            continue
        runs.append(
            Run(
                receipt.payment_id,
                receipt.number,
                receipt.item_id,
                command.amount.currency,
                posting.amount_minor,
                command.received_on,
                command.received_on,
                (),
            )
        )
        plans.append(
            [
                Settle(a.item_id, a.amount_minor, a.discount_minor, a.writeoff_minor)
                for a in posting.allocations
            ]
        )
    if runs:
        execute_runs(uow, actor, runs, plans, items)
    _deductions(uow, actor, postings, items)
    return [r.payment_id for r in received]


@dataclass(frozen=True, slots=True)
class _Invoice:
    """The columns of an allocated invoice that applying and deductions need."""

    id: int
    customer_id: int
    currency: str
    doc_date: date
    document_number: str


def _invoices(uow: UnitOfWork, company_id: int, ids: set[int]) -> dict[int, _Invoice]:
    """The allocated invoices as plain rows (the ledger row-locks them when it applies),
    looked up by primary key and checked for the company here (see `hold_items`)."""
    ordered = sorted(ids)
    found: dict[int, _Invoice] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = uow.session.execute(
            select(
                OpenItem.company_id,
                OpenItem.id,
                OpenItem.customer_id,
                OpenItem.currency,
                OpenItem.doc_date,
                OpenItem.document_number,
            ).where(OpenItem.id.in_(ordered[start : start + CHUNK]))
        )
        found.update((row[1], _Invoice(*row[1:])) for row in rows if row[0] == company_id)
    return found


def _open_amounts(uow: UnitOfWork, ids: set[int]) -> dict[int, int]:
    ordered = sorted(ids)
    found: dict[int, int] = {}
    for start in range(0, len(ordered), CHUNK):
        query = select(OpenItem.id, OpenItem.open_minor).where(
            OpenItem.id.in_(ordered[start : start + CHUNK])
        )
        found.update((row[0], row[1]) for row in uow.session.execute(query))
    return found


def _deductions(
    uow: UnitOfWork, actor: Actor, postings: Sequence[Posting], items: dict[int, _Invoice]
) -> None:
    """What a short pay left open on its invoices, as open deductions (after applying)."""
    short = [p for p in postings if p.deduction_reason is not None]
    still_open = _open_amounts(uow, {a.item_id for p in short for a in p.allocations})
    commands = []
    for posting in short:
        assert posting.deduction_reason is not None
        for allocation in posting.allocations:
            item = items[allocation.item_id]
            open_minor = still_open[item.id]
            if open_minor > 0:
                commands.append(
                    DeductionCreate(
                        customer_id=item.customer_id,
                        item_id=item.id,
                        amount_minor=open_minor,
                        currency=item.currency,
                        reason_code=_reason_code(posting.deduction_reason),
                        reason_text=posting.deduction_reason,
                        bank_line_ref=posting.line.bank_ref,
                    )
                )
    if commands:
        open_deductions(uow, actor, commands)


def _reason_code(text: str) -> str:
    """The payer's adjustment code when the reason quotes one ("code 01: damaged")."""
    words = text.replace(":", " ").split()
    for before, word in itertools.pairwise(words):
        if before.lower() == "code":
            return word[:20]
    return ""


def allocations_json(allocations: Sequence[Allocation]) -> list[list[int]]:
    return [[a.item_id, a.amount_minor, a.discount_minor, a.writeoff_minor] for a in allocations]


def allocations_of(data: Sequence[Sequence[int]]) -> tuple[Allocation, ...]:
    return tuple(Allocation(*row) for row in data)


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "customer_id": s.customer_id,
        "allocations": allocations_json(s.allocations),
        "confidence": s.confidence,
        "reason": s.reason,
        "deduction_minor": s.deduction_minor,
        "on_account_minor": s.on_account_minor,
    }


def decision_json(decision: MatchDecision, payment_ids: Sequence[int] = ()) -> dict[str, Any]:
    """The decision as stored in `match_decision` and shown by the API."""
    return {
        "status": decision.status.value,
        "customer_id": decision.customer_id,
        "allocations": allocations_json(decision.allocations),
        "deduction_minor": decision.deduction_minor,
        "deduction_reason": decision.deduction_reason,
        "on_account_minor": decision.on_account_minor,
        "confidence": decision.confidence,
        "reason": decision.reason,
        "suggestions": [suggestion_json(s) for s in decision.suggestions],
        "payment_ids": list(payment_ids),
    }


def record_decisions(
    uow: UnitOfWork,
    actor: Actor,
    verdicts: Sequence[tuple[StoredLine | BankLineRow, str, dict[str, Any]]],
    automatic: bool,
) -> None:
    """Store each line's new state and the decision behind it (line, status, decision)."""
    if not verdicts:
        return
    update_rows(
        uow.session,
        BankLineRow,
        [
            {
                "id": line.id,
                "status": status,
                "customer_id": data.get("customer_id"),
                "payment_id": (data.get("payment_ids") or [None])[0],
                "confidence": data.get("confidence"),
                "reason": str(data.get("reason", ""))[:1000],
            }
            for line, status, data in verdicts
        ],
    )
    now = uow.clock.now()
    insert_rows(
        uow.session,
        MatchDecisionRow,
        [
            {
                "company_id": actor.company_id,
                "line_id": line.id,
                "decision": data,
                "automatic": automatic,
                "decided_by": actor.name,
                "decided_at": now,
            }
            for line, _, data in verdicts
        ],
    )
