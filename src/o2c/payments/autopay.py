"""Autopay: charge due instalments of payment plans to stored methods, retrying declines.

A run as of a day takes every instalment due by then (or whose retry is due), charges it
through the `PaymentGateway` port under a key naming the instalment and attempt, and records
the attempt under a unique key. An approved charge is received as a payment and applied to
the plan's invoice, or to the customer's oldest open invoices for a balance plan. A decline
schedules the next try after the plan's retry days; when they are spent the instalment fails
and the plan defaults. Each instalment moves forward once per run, so running the same day
again charges nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.payments.gateway import ChargeRequest, PaymentGateway
from o2c.payments.model import Allocation, PaymentCreate, PaymentMethod
from o2c.payments.service import record_and_apply
from o2c.payments.tables import AutopayAttempt, PaymentPlan, PlanInstalment, StoredPaymentMethod
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


@dataclass(frozen=True)
class AutopayResult:
    instalment_id: int
    attempt: int
    approved: bool
    payment_id: int | None
    next_attempt_on: date | None
    """When the next try is due after a decline; None once paid or failed for good."""


def run_autopay(
    uow: UnitOfWork, actor: Actor, gateway: PaymentGateway, as_of: date
) -> list[AutopayResult]:
    """Charge every autopay instalment due by `as_of`; one transaction per instalment."""
    actor.require(Permission.PAYMENT_POST)
    with uow:
        due = list(
            uow.session.scalars(
                select(PlanInstalment.id)
                .join(PaymentPlan, PaymentPlan.id == PlanInstalment.plan_id)
                .where(
                    PlanInstalment.company_id == actor.company_id,
                    PlanInstalment.status == "due",
                    PlanInstalment.next_attempt_on <= as_of,
                    PaymentPlan.status == "active",
                    PaymentPlan.payment_method_id.is_not(None),
                )
                .order_by(PlanInstalment.next_attempt_on, PlanInstalment.id)
            )
        )
    results = []
    for instalment_id in due:
        result = _charge(uow, actor, gateway, instalment_id, as_of)
        if result is not None:
            results.append(result)
    return results


def _charge(
    uow: UnitOfWork, actor: Actor, gateway: PaymentGateway, instalment_id: int, as_of: date
) -> AutopayResult | None:
    """Charge one instalment, keeping its attempt, payment and new state in one transaction."""
    with uow:
        instalment = uow.session.scalar(
            select(PlanInstalment)
            .where(PlanInstalment.id == instalment_id)
            .with_for_update(skip_locked=True)
        )
        if instalment is None or instalment.status != "due" or instalment.next_attempt_on > as_of:
            return None  # another run has it, or took it forward already
        plan = uow.session.get_one(PaymentPlan, instalment.plan_id)
        method = uow.session.get_one(StoredPaymentMethod, plan.payment_method_id)
        attempt = instalment.attempts + 1
        amount = Money.from_minor(instalment.amount_minor, plan.currency)
        key = f"autopay-{plan.id}-{instalment.sequence}-{attempt}"
        charged = gateway.charge(
            ChargeRequest(method.token, amount, key, f"plan {plan.id} #{instalment.sequence}")
        )
        uow.session.add(
            AutopayAttempt(
                company_id=actor.company_id,
                instalment_id=instalment.id,
                attempt=attempt,
                attempted_on=as_of,
                approved=charged.approved,
                gateway_reference=charged.reference,
                decline_code=charged.decline_code,
                created_at=uow.clock.now(),
            )
        )
        instalment.attempts = attempt
        payment_id = None
        if charged.approved:
            payment = PaymentCreate(
                plan.customer_id,
                amount,
                PaymentMethod(method.method),
                as_of,
                reference=charged.reference,
                idempotency_key=key,
            )
            allocations = _allocations(uow, actor, plan, amount)
            payment_id = record_and_apply(uow, actor, payment, allocations).payment_id
            _paid(uow, plan, instalment, payment_id)
        else:
            _declined(plan, instalment, as_of)
        audit(
            uow,
            actor,
            "autopay.charge",
            "plan_instalment",
            instalment.id,
            {"attempt": attempt, "approved": charged.approved, "ref": charged.reference},
        )
        uow.commit()
        next_on = instalment.next_attempt_on if instalment.status == "due" else None
        return AutopayResult(instalment.id, attempt, charged.approved, payment_id, next_on)


def _paid(uow: UnitOfWork, plan: PaymentPlan, instalment: PlanInstalment, payment_id: int) -> None:
    instalment.status, instalment.payment_id = "paid", payment_id
    uow.session.flush()
    left = uow.session.scalar(
        select(PlanInstalment.id).where(
            PlanInstalment.plan_id == plan.id, PlanInstalment.status != "paid"
        )
    )
    if left is None:
        plan.status = "completed"


def _declined(plan: PaymentPlan, instalment: PlanInstalment, as_of: date) -> None:
    retries = [int(days) for days in plan.retry_days.split(",") if days]
    if instalment.attempts <= len(retries):
        instalment.next_attempt_on = as_of + timedelta(days=retries[instalment.attempts - 1])
    else:
        instalment.status, plan.status = "failed", "defaulted"


def _allocations(
    uow: UnitOfWork, actor: Actor, plan: PaymentPlan, amount: Money
) -> list[Allocation]:
    """The plan's invoice, or the oldest open invoices, up to `amount`; the rest stays unapplied."""
    query = (
        select(OpenItem.source_id, OpenItem.open_minor)
        .where(
            OpenItem.company_id == actor.company_id,
            OpenItem.customer_id == plan.customer_id,
            OpenItem.kind == ItemKind.INVOICE.value,
            OpenItem.currency == plan.currency,
            OpenItem.open_minor > 0,
        )
        .order_by(OpenItem.due_date, OpenItem.id)
    )
    if plan.invoice_id is not None:
        query = query.where(OpenItem.source_id == plan.invoice_id)
    left = amount.minor
    allocations = []
    for invoice_id, open_minor in uow.session.execute(query).all():
        if left <= 0:
            break
        part = min(left, open_minor)
        allocations.append(Allocation(invoice_id, Money.from_minor(part, plan.currency)))
        left -= part
    return allocations
