"""Reconciling gateway payouts: the bank line that brings a processor's payout to the bank.

Payments taken through a payment gateway were received and applied when the processor's
webhook said so; the money reaches the bank days later in one payout for many of them. The
bank line of that payout must not be applied again as a customer's payment: a waiting line
whose amount and currency equal an unreconciled payout's, and whose reference, end-to-end id
or remittance text names the payout, is settled against the payout instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from o2c.cashapp.model import LineStatus
from o2c.cashapp.settling import record_decisions
from o2c.cashapp.sources import StoredLine
from o2c.db.uow import UnitOfWork
from o2c.payments.tables import GatewayPayout
from o2c.security.model import Actor


def reconcile_payouts(uow: UnitOfWork, actor: Actor, lines: Sequence[StoredLine]) -> set[int]:
    """Settle the lines that carry a gateway payout; returns their ids (inside the caller's
    unit of work)."""
    payouts = list(
        uow.session.scalars(
            select(GatewayPayout).where(
                GatewayPayout.company_id == actor.company_id,
                GatewayPayout.bank_line_id.is_(None),
            )
        )
    )
    if not payouts:
        return set()
    now = uow.clock.now()
    settled: set[int] = set()
    verdicts = []
    for line in lines:
        text = " ".join((line.bank_ref, line.end_to_end_id, line.remittance_text))
        for payout in payouts:
            if (
                payout.bank_line_id is None
                and payout.payout_ref in text
                and payout.amount_minor == line.amount_minor
                and payout.currency == line.currency
            ):
                payout.bank_line_id, payout.reconciled_at = line.id, now
                settled.add(line.id)
                reason = f"gateway payout {payout.payout_ref} ({payout.intent_count} payments)"
                verdicts.append((line, LineStatus.APPLIED.value, {"reason": reason}))
                break
    record_decisions(uow, actor, verdicts, automatic=True)
    return settled
