"""Subscription use cases: plans, start, change plan, cancel, and the billing run.

Every charge is a posted invoice (or credit note) made by billing's services, so numbering,
tax and the journal entry are billing's; this package decides only what is due and for how
much. Each charge is recorded in `subscription_charge` under a unique key (subscription,
kind, period start) in the same transaction, which makes the run idempotent per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from o2c.billing import service as billing
from o2c.billing.model import CreditLine, InvoiceCreate, LineCreate
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties import service as parties
from o2c.security.model import Actor, Permission
from o2c.security.service import audit
from o2c.subscriptions.model import (
    ChargeKind,
    Interval,
    Period,
    PlanCreate,
    SubscriptionStatus,
    anchor_problems,
    charge_for,
    period_containing,
    period_from,
    plan_problems,
    remaining,
)
from o2c.subscriptions.tables import Subscription, SubscriptionCharge, SubscriptionPlan


@dataclass(frozen=True)
class Charge:
    subscription_id: int
    kind: ChargeKind
    period_start: date
    period_end: date
    invoice_id: int
    amount: Money


def create_plan(uow: UnitOfWork, actor: Actor, cmd: PlanCreate) -> SubscriptionPlan:
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = plan_problems(cmd)
    with uow:
        taken = uow.session.scalar(
            select(SubscriptionPlan.id).where(
                SubscriptionPlan.company_id == actor.company_id, SubscriptionPlan.code == cmd.code
            )
        )
        if taken is not None:
            errors.append(FieldError("code", f"plan {cmd.code} exists"))
        if errors:
            raise ValidationFailed(errors)
        plan = SubscriptionPlan(
            company_id=actor.company_id,
            code=cmd.code,
            name=cmd.name,
            currency=cmd.price.currency,
            price_minor=cmd.price.minor,
            interval=cmd.interval.value,
            tax_category=cmd.tax_category,
            created_at=uow.clock.now(),
        )
        uow.session.add(plan)
        uow.session.flush()
        audit(uow, actor, "plan.create", "subscription_plan", plan.id, {"code": cmd.code})
        uow.commit()
        return plan


def start_subscription(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    plan_id: int,
    start: date,
    anchor_day: int | None = None,
) -> Subscription:
    """Put a customer on a plan from `start`; the billing run invoices each period when due.

    `anchor_day` (default: the start's day) is the day of the month periods begin on; a start
    off the anchor is billed a short first period, prorated by days.
    """
    actor.require(Permission.INVOICE_POST)
    anchor = start.day if anchor_day is None else anchor_day
    errors = anchor_problems(anchor)
    with uow:
        plan = _plan(uow, actor, plan_id)
        try:
            customer = parties.get_customer(uow, actor, customer_id)
            if customer.currency != plan.currency:
                errors.append(FieldError("plan_id", f"plan is in {plan.currency}"))
        except NotFound:
            errors.append(FieldError("customer_id", f"customer {customer_id} not found"))
        if errors:
            raise ValidationFailed(errors)
        subscription = Subscription(
            company_id=actor.company_id,
            customer_id=customer_id,
            plan_id=plan.id,
            status=SubscriptionStatus.ACTIVE.value,
            start_date=start,
            anchor_day=anchor,
            next_start=start,
            ends_on=None,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(subscription)
        uow.session.flush()
        audit(
            uow, actor, "subscription.start", "subscription", subscription.id, {"plan": plan.code}
        )
        uow.publish(actor.company_id, "subscription.started", {"subscription_id": subscription.id})
        uow.commit()
        return subscription


def run_billing(uow: UnitOfWork, actor: Actor, as_of: date) -> list[Charge]:
    """Invoice every period that has begun by `as_of` and is not billed yet; post each invoice.

    Periods missed by earlier runs are caught up one invoice each. Running again bills
    nothing new. On PostgreSQL due subscriptions are taken with SKIP LOCKED, so concurrent
    runs share the work instead of waiting on each other.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        due = (
            select(Subscription)
            .where(
                Subscription.company_id == actor.company_id,
                Subscription.status == SubscriptionStatus.ACTIVE.value,
                Subscription.next_start <= as_of,
            )
            .order_by(Subscription.id)
            .with_for_update(skip_locked=True)
        )
        charges: list[Charge] = []
        for subscription in uow.session.scalars(due).all():
            charges += _bill_due_periods(uow, actor, subscription, as_of)
        uow.commit()
        return charges


def _bill_due_periods(
    uow: UnitOfWork, actor: Actor, subscription: Subscription, as_of: date
) -> list[Charge]:
    plan = _plan(uow, actor, subscription.plan_id)
    charges = []
    while subscription.next_start <= as_of and (
        subscription.ends_on is None or subscription.next_start < subscription.ends_on
    ):
        period = period_from(
            subscription.next_start,
            subscription.anchor_day,
            Interval(plan.interval),
            subscription.ends_on,
        )
        amount = charge_for(Money.from_minor(plan.price_minor, plan.currency), period)
        text = f"{plan.name}, {period.start} to {period.end - timedelta(days=1)}"
        charges.append(
            _invoice(uow, actor, subscription, plan, ChargeKind.PERIOD, period, amount, text)
        )
        subscription.next_start = period.end
    return charges


def _invoice(
    uow: UnitOfWork,
    actor: Actor,
    subscription: Subscription,
    plan: SubscriptionPlan,
    kind: ChargeKind,
    period: Period,
    amount: Money,
    text: str,
) -> Charge:
    """Post one invoice for `amount` net and record it as the charge of (kind, period)."""
    draft = billing.create_invoice(
        uow,
        actor,
        InvoiceCreate(
            customer_id=subscription.customer_id,
            lines=[LineCreate(text, Decimal(1), amount.amount, tax_category=plan.tax_category)],
            issue_date=period.start,
            currency=plan.currency,
        ),
    )
    billing.post_invoice(uow, actor, draft.id)
    return _record(uow, actor, subscription, plan, kind, period, draft.id, amount)


def _record(
    uow: UnitOfWork,
    actor: Actor,
    subscription: Subscription,
    plan: SubscriptionPlan,
    kind: ChargeKind,
    period: Period,
    invoice_id: int,
    amount: Money,
) -> Charge:
    uow.session.add(
        SubscriptionCharge(
            company_id=actor.company_id,
            subscription_id=subscription.id,
            kind=kind.value,
            period_start=period.start,
            period_end=period.end,
            plan_id=plan.id,
            invoice_id=invoice_id,
            currency=amount.currency,
            amount_minor=amount.minor,
            created_at=uow.clock.now(),
        )
    )
    uow.session.flush()
    audit(uow, actor, f"subscription.{kind.value}", "subscription", subscription.id)
    return Charge(subscription.id, kind, period.start, period.end, invoice_id, amount)


def change_plan(
    uow: UnitOfWork, actor: Actor, subscription_id: int, plan_id: int, on: date
) -> Charge | None:
    """Move a subscription to another plan of the same interval and currency from `on`.

    When `on` falls in a period already billed, the rest of that period is settled by days:
    an upgrade is invoiced the new plan's share less the old plan's, a downgrade credited
    the difference on the period's invoice. Later periods are billed at the new price.
    """
    actor.require(Permission.INVOICE_POST)
    with uow:
        subscription = _lock(uow, actor, subscription_id)
        old, new = _plan(uow, actor, subscription.plan_id), _plan(uow, actor, plan_id)
        if (old.interval, old.currency) != (new.interval, new.currency):
            raise ValidationFailed(
                [FieldError("plan_id", "the new plan must have the same interval and currency")]
            )
        charge = None
        billed = _billed_period(uow, actor, subscription, on)
        if billed is not None:
            period, invoice_id = billed
            old_rest = remaining(Money.from_minor(old.price_minor, old.currency), period, on)
            new_rest = remaining(Money.from_minor(new.price_minor, new.currency), period, on)
            rest = Period(on, period.end, period.full_start, period.full_end)
            difference = new_rest - old_rest
            text = f"{old.name} to {new.name} from {on}, {rest.days} of {rest.full_days} days"
            if difference.minor > 0:
                charge = _invoice(
                    uow, actor, subscription, new, ChargeKind.CHANGE, rest, difference, text
                )
            elif difference.minor < 0:
                charge = _credit(
                    uow, actor, subscription, new, ChargeKind.CHANGE, rest, invoice_id, -difference
                )
        subscription.plan_id = new.id
        audit(uow, actor, "subscription.change", "subscription", subscription.id, {"to": new.code})
        uow.commit()
        return charge


def cancel_subscription(
    uow: UnitOfWork, actor: Actor, subscription_id: int, on: date, refund_unused: bool = True
) -> Charge | None:
    """End a subscription before `on`; unused days already billed are credited when asked."""
    actor.require(Permission.INVOICE_POST)
    with uow:
        subscription = _lock(uow, actor, subscription_id)
        if subscription.status != SubscriptionStatus.ACTIVE:
            raise InvalidTransition(f"subscription {subscription.id} is {subscription.status}")
        if on < subscription.start_date:
            raise ValidationFailed([FieldError("on", "before the subscription started")])
        plan = _plan(uow, actor, subscription.plan_id)
        charge = None
        billed = _billed_period(uow, actor, subscription, on)
        if billed is not None and refund_unused:
            period, invoice_id = billed
            unused = remaining(Money.from_minor(plan.price_minor, plan.currency), period, on)
            rest = Period(on, period.end, period.full_start, period.full_end)
            if unused.minor > 0:
                charge = _credit(
                    uow, actor, subscription, plan, ChargeKind.CANCEL, rest, invoice_id, unused
                )
        subscription.status = SubscriptionStatus.CANCELLED.value
        subscription.ends_on = on
        audit(uow, actor, "subscription.cancel", "subscription", subscription.id, {"on": str(on)})
        uow.publish(
            actor.company_id, "subscription.cancelled", {"subscription_id": subscription.id}
        )
        uow.commit()
        return charge


def _credit(
    uow: UnitOfWork,
    actor: Actor,
    subscription: Subscription,
    plan: SubscriptionPlan,
    kind: ChargeKind,
    rest: Period,
    invoice_id: int,
    amount: Money,
) -> Charge:
    """Credit `amount` net of the period's invoice line (its tax follows at the line's rate)."""
    line = billing.invoice_details(uow, actor, invoice_id).lines[0]
    note = billing.create_credit_note(
        uow,
        actor,
        invoice_id,
        [CreditLine(line.id, Decimal(1), amount.amount)],
        f"{kind.value} of subscription {subscription.id} from {rest.start}",
    )
    return _record(uow, actor, subscription, plan, kind, rest, note.id, -amount)


def _billed_period(
    uow: UnitOfWork, actor: Actor, subscription: Subscription, on: date
) -> tuple[Period, int] | None:
    """The billed period holding `on` and its invoice, or None when `on` is not billed yet."""
    if on >= subscription.next_start:
        return None
    plan = _plan(uow, actor, subscription.plan_id)
    period = period_containing(
        on, subscription.start_date, subscription.anchor_day, Interval(plan.interval)
    )
    invoice_id = uow.session.scalar(
        select(SubscriptionCharge.invoice_id).where(
            SubscriptionCharge.company_id == actor.company_id,
            SubscriptionCharge.subscription_id == subscription.id,
            SubscriptionCharge.kind == ChargeKind.PERIOD.value,
            SubscriptionCharge.period_start == period.start,
        )
    )
    return None if invoice_id is None else (period, invoice_id)


def _plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> SubscriptionPlan:
    return owned(uow.session, SubscriptionPlan, actor.company_id, plan_id, "subscription plan")


def _lock(uow: UnitOfWork, actor: Actor, subscription_id: int) -> Subscription:
    return owned(
        uow.session, Subscription, actor.company_id, subscription_id, "subscription", lock=True
    )


def list_charges(uow: UnitOfWork, actor: Actor, subscription_id: int) -> list[SubscriptionCharge]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        owned(uow.session, Subscription, actor.company_id, subscription_id, "subscription")
        return list(
            uow.session.scalars(
                select(SubscriptionCharge)
                .where(
                    SubscriptionCharge.company_id == actor.company_id,
                    SubscriptionCharge.subscription_id == subscription_id,
                )
                .order_by(SubscriptionCharge.id)
            )
        )


def list_plans(uow: UnitOfWork, actor: Actor) -> list[SubscriptionPlan]:
    """Every plan of the company, by code."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(SubscriptionPlan)
                .where(SubscriptionPlan.company_id == actor.company_id)
                .order_by(SubscriptionPlan.code)
            )
        )


def find_plan(uow: UnitOfWork, actor: Actor, code: str) -> SubscriptionPlan:
    """The plan with this code; NotFound if the company has none."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        plan = uow.session.scalar(
            select(SubscriptionPlan).where(
                SubscriptionPlan.company_id == actor.company_id, SubscriptionPlan.code == code
            )
        )
    if plan is None:
        raise NotFound("subscription plan", code)
    return plan


def get_subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> Subscription:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, Subscription, actor.company_id, subscription_id, "subscription")


def list_subscriptions(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int | None = None,
    status: SubscriptionStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Subscription], int]:
    """One page of subscriptions, oldest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    conditions = [Subscription.company_id == actor.company_id]
    if customer_id is not None:
        conditions.append(Subscription.customer_id == customer_id)
    if status is not None:
        conditions.append(Subscription.status == status.value)
    with uow:
        total = uow.session.scalar(
            select(func.count()).select_from(Subscription).where(*conditions)
        )
        rows = uow.session.scalars(
            select(Subscription)
            .where(*conditions)
            .order_by(Subscription.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return list(rows), total or 0


def get_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> SubscriptionPlan:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _plan(uow, actor, plan_id)
