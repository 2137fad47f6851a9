"""The company's credit rules: read (defaults until set) and changed by a credit manager."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from o2c.credit.rules import CreditPolicy, RiskClass
from o2c.credit.tables import CreditPolicyRow
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


def policy_of(uow: UnitOfWork, company_id: int) -> CreditPolicy:
    """The rules in force; `CreditPolicy()` defaults for a company that never set them."""
    row = uow.session.scalar(
        select(CreditPolicyRow).where(CreditPolicyRow.company_id == company_id)
    )
    if row is None:
        return CreditPolicy()
    return CreditPolicy(
        customer_limit=row.customer_limit,
        group_limit=row.group_limit,
        max_days_past_due=row.max_days_past_due,
        blocked_classes=frozenset(RiskClass(c) for c in row.blocked_classes),
        broken_promise_days=row.broken_promise_days,
        max_broken_promises=row.max_broken_promises,
        auto_release=row.auto_release,
    )


def get_policy(uow: UnitOfWork, actor: Actor) -> CreditPolicy:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return policy_of(uow, actor.company_id)


def set_policy(uow: UnitOfWork, actor: Actor, policy: CreditPolicy) -> CreditPolicy:
    """Replace the company's credit rules (audited with before and after)."""
    actor.require(Permission.CREDIT_HOLD)
    errors = []
    if policy.max_days_past_due is not None and policy.max_days_past_due < 0:
        errors.append(FieldError("max_days_past_due", "must not be negative"))
    if not 1 <= policy.broken_promise_days <= 3660:
        errors.append(FieldError("broken_promise_days", "between 1 and 3660"))
    if policy.max_broken_promises is not None and policy.max_broken_promises < 0:
        errors.append(FieldError("max_broken_promises", "must not be negative"))
    if errors:
        raise ValidationFailed(errors)
    with uow:
        before = policy_of(uow, actor.company_id)
        row = uow.session.scalar(
            select(CreditPolicyRow)
            .where(CreditPolicyRow.company_id == actor.company_id)
            .with_for_update()
        )
        if row is None:
            row = CreditPolicyRow(company_id=actor.company_id)
            uow.session.add(row)
        row.customer_limit = policy.customer_limit
        row.group_limit = policy.group_limit
        row.max_days_past_due = policy.max_days_past_due
        row.blocked_classes = "".join(sorted(c.value for c in policy.blocked_classes))
        row.broken_promise_days = policy.broken_promise_days
        row.max_broken_promises = policy.max_broken_promises
        row.auto_release = policy.auto_release
        row.updated_at = uow.clock.now()
        row.updated_by = actor.name
        uow.session.flush()
        audit(
            uow,
            actor,
            "credit.policy",
            "company",
            actor.company_id,
            before=_shown(before),
            after=_shown(policy),
        )
        uow.commit()
        return policy


def _shown(policy: CreditPolicy) -> dict[str, object]:
    shown = asdict(policy)
    shown["blocked_classes"] = sorted(c.value for c in policy.blocked_classes)
    return shown
