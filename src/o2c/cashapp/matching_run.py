"""The match run: every line still waiting is matched, and what clears the threshold is
posted, in one transaction.

The engine is built once per run from the customers (with learned aliases and accounts,
IBANs and parents), the open invoices and the learned reference patterns; lines are decided
in import order, each seeing what the earlier ones settled. Lines left below the threshold
wait in the exception queue with their ranked suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from o2c.cashapp.engine import Engine, without_cycle_collector
from o2c.cashapp.model import LineStatus, MatchDecision, MatchPolicy, MatchStatus
from o2c.cashapp.payouts import reconcile_payouts
from o2c.cashapp.settling import Posting, decision_json, post, record_decisions
from o2c.cashapp.sources import (
    StoredLine,
    bank_line,
    customer_profiles,
    link_remittances,
    open_invoices,
    own_accounts,
    patterns,
    stored_lines,
)
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

WAITING = (LineStatus.NEW.value, LineStatus.SUGGESTED.value, LineStatus.UNMATCHED.value)


@dataclass(frozen=True)
class MatchSummary:
    """How a run went: lines looked at and how many ended in each status."""

    lines: int
    by_status: dict[str, int]
    payments: int


def build_engine(uow: UnitOfWork, company_id: int, policy: MatchPolicy) -> Engine:
    """The engine over the company's current customers, open invoices and lessons."""
    return Engine(
        customer_profiles(uow, company_id),
        open_invoices(uow, company_id),
        policy=policy,
        patterns=patterns(uow, company_id),
        own_accounts=own_accounts(uow, company_id),
    )


def waiting_lines(uow: UnitOfWork, company_id: int, as_of: date | None) -> list[StoredLine]:
    return stored_lines(uow, company_id, WAITING, as_of)


def posting_of(line: StoredLine, decision: MatchDecision) -> Posting:
    """The payment an automatic decision makes: the payer's, for the whole line."""
    assert decision.customer_id is not None
    short = decision.status is MatchStatus.DEDUCTION
    reason = decision.deduction_reason or decision.reason
    return Posting(
        line,
        decision.customer_id,
        line.amount_minor,
        decision.allocations,
        reason if short else None,
    )


def decide_lines(
    uow: UnitOfWork, company_id: int, policy: MatchPolicy, lines: Sequence[StoredLine]
) -> list[MatchDecision]:
    """Every line's decision, in order; the engine (a million open items at full size) is
    dropped when this returns, before anything is posted."""
    engine = build_engine(uow, company_id, policy)
    advice = link_remittances(uow, company_id, lines)
    return engine.match_all(
        (bank_line(row) for row in lines),
        {row.bank_ref: advice[row.id] for row in lines if row.id in advice},
    )


def match(
    uow: UnitOfWork, actor: Actor, as_of: date | None = None, threshold: float | None = None
) -> MatchSummary:
    """Match every waiting credit line (booked by `as_of`, default all) and post what clears
    `threshold` (default the policy's 0.90); the rest waits in the exception queue.

    The whole run creates no reference cycles worth collecting, so the cyclic collector is
    paused: with the engine's million objects (and then the posted rows) alive, each full
    collection would walk all of them, several times per run.
    """
    actor.require(Permission.PAYMENT_POST)
    actor.require(Permission.PAYMENT_APPLY)
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ValidationFailed([FieldError("threshold", "between 0 (exclusive) and 1")])
    policy = MatchPolicy() if threshold is None else replace(MatchPolicy(), threshold=threshold)
    with uow, without_cycle_collector():
        lines = waiting_lines(uow, actor.company_id, as_of)
        payouts = reconcile_payouts(uow, actor, lines)
        lines = [row for row in lines if row.id not in payouts]
        decisions = decide_lines(uow, actor.company_id, policy, lines)
        settled = [(row, d) for row, d in zip(lines, decisions, strict=True) if d.status.automatic]
        payment_ids = post(uow, actor, [posting_of(row, d) for row, d in settled])
        paid = {row.id: pid for (row, _), pid in zip(settled, payment_ids, strict=True)}
        verdicts: list[tuple[StoredLine, str, dict[str, Any]]] = [
            (row, d.status.value, decision_json(d, [paid[row.id]] if row.id in paid else []))
            for row, d in zip(lines, decisions, strict=True)
        ]
        record_decisions(uow, actor, verdicts, automatic=True)
        counts: dict[str, int] = {}
        for _, status, _ in verdicts:
            counts[status] = counts.get(status, 0) + 1
        summary = MatchSummary(len(lines), counts, len(payment_ids))
        audit(uow, actor, "cashapp.match", "bank_line", "run", {"lines": len(lines), **counts})
        uow.publish(actor.company_id, "cashapp.matched", {"lines": len(lines), "by_status": counts})
        uow.commit()
        return summary
