"""Collections as pure values: the states of actions, promises and tasks, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from o2c.kernel.errors import FieldError


class ActionStatus(StrEnum):
    """sent: carried out (mail delivered, hold placed, fee invoiced, case handed over);
    scheduled: decided, waiting for delivery, print or a person; skipped: nothing to do
    (already on hold, say); failed: delivery failed (the reason is kept)."""

    SENT = "sent"
    SCHEDULED = "scheduled"
    SKIPPED = "skipped"
    FAILED = "failed"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class TaskKind(StrEnum):
    CALL = "call"
    ESCALATION = "escalation"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class CallOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    PROMISED = "promised"
    DISPUTED = "disputed"
    WRONG_CONTACT = "wrong_contact"


RISK_WEIGHT = {"low": 1.0, "medium": 1.5, "high": 2.0}


@dataclass(frozen=True, slots=True)
class PromiseCreate:
    """A promise to pay `amount_minor` of the listed invoices by `pay_by`."""

    customer_id: int
    item_ids: tuple[int, ...]
    amount_minor: int
    currency: str
    pay_by: date
    note: str = ""
    grace_days: int | None = None  # the strategy's when omitted


def promise_problems(cmd: PromiseCreate, today: date) -> list[FieldError]:
    problems = []
    if not cmd.item_ids:
        problems.append(FieldError("invoices", "name at least one invoice"))
    if cmd.amount_minor <= 0:
        problems.append(FieldError("amount", "must be positive"))
    if cmd.pay_by < today:
        problems.append(FieldError("pay_by", "must not be in the past"))
    if cmd.grace_days is not None and not 0 <= cmd.grace_days <= 30:
        problems.append(FieldError("grace_days", "between 0 and 30"))
    return problems


def promise_outcome(
    amount_minor: int, paid_minor: int, pay_by: date, grace_days: int, as_of: date
) -> PromiseStatus:
    """Kept once the cash covers the promise; broken once the grace after `pay_by` is over."""
    if paid_minor >= amount_minor:
        return PromiseStatus.KEPT
    if (as_of - pay_by).days > grace_days:
        return PromiseStatus.BROKEN
    return PromiseStatus.PENDING


def call_value(overdue_base_minor: int, risk: str, weighted_days: float) -> float:
    """Expected value of calling: overdue amount × risk weight × age factor.

    The age factor grows a month at a time (1 + average days overdue / 30): an old debt
    slips further each month it is not chased, so it outranks a fresh one of the same size.
    Used for ranking only, never as money.
    """
    return overdue_base_minor * RISK_WEIGHT.get(risk, 1.0) * (1.0 + weighted_days / 30.0)
