"""Payment plans: instalments on one invoice or on a customer's open balance.

The schedule is pure: the total split by `allocate` into equal parts that sum exactly to it
(the first instalments take the odd cents), due every `every_months` from the first date on
the same day of the month (clamped to short months). A plan is stored with its instalments;
`payments.autopay` charges them when a stored payment method is attached.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from o2c.billing.tables import Invoice
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.parties import service as parties
from o2c.payments.model import PaymentMethod
from o2c.payments.tables import PaymentPlan, PlanInstalment, StoredPaymentMethod
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

DEFAULT_RETRY_DAYS = (1, 3, 7)


@dataclass(frozen=True)
class PlanCreate:
    """`invoice_id` None plans the customer's whole open balance in `currency`."""

    customer_id: int
    currency: str
    instalments: int
    first_due: date
    invoice_id: int | None = None
    every_months: int = 1
    payment_method_id: int | None = None
    retry_days: Sequence[int] = DEFAULT_RETRY_DAYS


def due_dates(first: date, count: int, every_months: int) -> list[date]:
    dates = []
    for n in range(count):
        index = first.year * 12 + first.month - 1 + n * every_months
        year, month = index // 12, index % 12 + 1
        dates.append(date(year, month, min(first.day, calendar.monthrange(year, month)[1])))
    return dates


def schedule(total: Money, count: int, first: date, every_months: int) -> list[tuple[date, Money]]:
    """`count` instalments summing exactly to `total`, the first ones taking the odd cents."""
    parts = total.allocate([1] * count)
    return list(zip(due_dates(first, count, every_months), parts, strict=True))


def add_payment_method(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    provider: str,
    token: str,
    label: str,
    method: PaymentMethod = PaymentMethod.CARD,
) -> StoredPaymentMethod:
    """Keep a gateway token for a customer (the card itself never reaches us)."""
    actor.require(Permission.PAYMENT_POST)
    with uow:
        parties.get_customer(uow, actor, customer_id)
        stored = StoredPaymentMethod(
            company_id=actor.company_id,
            customer_id=customer_id,
            provider=provider,
            token=token,
            method=method.value,
            label=label[:60],
            created_at=uow.clock.now(),
        )
        uow.session.add(stored)
        uow.session.flush()
        audit(uow, actor, "payment_method.add", "stored_payment_method", stored.id)
        uow.commit()
        return stored


def _planned_total(uow: UnitOfWork, actor: Actor, cmd: PlanCreate) -> int:
    """What is open on the invoice, or on all the customer's invoices in the currency."""
    query = select(func.coalesce(func.sum(OpenItem.open_minor), 0)).where(
        OpenItem.company_id == actor.company_id,
        OpenItem.customer_id == cmd.customer_id,
        OpenItem.kind == ItemKind.INVOICE.value,
        OpenItem.currency == cmd.currency,
        OpenItem.open_minor > 0,
    )
    if cmd.invoice_id is not None:
        query = query.where(OpenItem.source_id == cmd.invoice_id)
    return int(uow.session.scalar(query) or 0)


def _problems(uow: UnitOfWork, actor: Actor, cmd: PlanCreate, total: int) -> list[FieldError]:
    errors = []
    if not 1 <= cmd.instalments <= 120:
        errors.append(FieldError("instalments", "between 1 and 120"))
    if not 1 <= cmd.every_months <= 12:
        errors.append(FieldError("every_months", "between 1 and 12"))
    if any(days < 1 for days in cmd.retry_days):
        errors.append(FieldError("retry_days", "each retry at least a day later"))
    if total <= 0:
        field = "invoice_id" if cmd.invoice_id is not None else "customer_id"
        errors.append(FieldError(field, f"nothing open in {cmd.currency} to plan"))
    elif cmd.instalments > total:
        errors.append(FieldError("instalments", "more instalments than cents open"))
    if cmd.payment_method_id is not None:
        method = uow.session.get(StoredPaymentMethod, cmd.payment_method_id)
        if method is None or (method.company_id, method.customer_id) != (
            actor.company_id,
            cmd.customer_id,
        ):
            errors.append(FieldError("payment_method_id", "not a method of this customer"))
    return errors


def create_payment_plan(uow: UnitOfWork, actor: Actor, cmd: PlanCreate) -> PaymentPlan:
    """Split what is open into dated instalments; with a payment method, autopay charges them."""
    actor.require(Permission.PAYMENT_POST)
    with uow:
        try:
            parties.get_customer(uow, actor, cmd.customer_id)
        except NotFound:
            raise ValidationFailed([FieldError("customer_id", "customer not found")]) from None
        total = _planned_total(uow, actor, cmd)
        errors = _problems(uow, actor, cmd, total)
        if errors:
            raise ValidationFailed(errors)
        plan = PaymentPlan(
            company_id=actor.company_id,
            customer_id=cmd.customer_id,
            invoice_id=cmd.invoice_id,
            currency=cmd.currency,
            total_minor=total,
            status="active",
            payment_method_id=cmd.payment_method_id,
            retry_days=",".join(str(days) for days in cmd.retry_days),
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(plan)
        uow.session.flush()
        money = Money.from_minor(total, cmd.currency)
        for sequence, (due, part) in enumerate(
            schedule(money, cmd.instalments, cmd.first_due, cmd.every_months), start=1
        ):
            uow.session.add(
                PlanInstalment(
                    company_id=actor.company_id,
                    plan_id=plan.id,
                    sequence=sequence,
                    due_on=due,
                    amount_minor=part.minor,
                    status="due",
                    next_attempt_on=due,
                )
            )
        uow.session.flush()
        audit(uow, actor, "payment_plan.create", "payment_plan", plan.id, {"total": total})
        uow.commit()
        return plan


def instalments(uow: UnitOfWork, actor: Actor, plan_id: int) -> list[PlanInstalment]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        owned(uow.session, PaymentPlan, actor.company_id, plan_id, "payment plan")
        return list(
            uow.session.scalars(
                select(PlanInstalment)
                .where(PlanInstalment.plan_id == plan_id)
                .order_by(PlanInstalment.sequence)
            )
        )


def get_payment_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> PaymentPlan:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, PaymentPlan, actor.company_id, plan_id, "payment plan")


def list_payment_plans(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PaymentPlan], int]:
    """One page of plans, newest first, and how many match in all."""
    actor.require(Permission.LEDGER_READ)
    conditions = [PaymentPlan.company_id == actor.company_id]
    if customer_id is not None:
        conditions.append(PaymentPlan.customer_id == customer_id)
    if status is not None:
        conditions.append(PaymentPlan.status == status)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(PaymentPlan).where(*conditions))
        rows = uow.session.scalars(
            select(PaymentPlan)
            .where(*conditions)
            .order_by(PaymentPlan.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return list(rows), total or 0


def get_payment_method(uow: UnitOfWork, actor: Actor, method_id: int) -> StoredPaymentMethod:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, StoredPaymentMethod, actor.company_id, method_id, "method")


def invoice_numbered(uow: UnitOfWork, actor: Actor, number: str) -> int:
    """The id of the posted invoice numbered `number` (plans name invoices by number in the CLI)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        found = uow.session.scalar(
            select(Invoice.id).where(
                Invoice.company_id == actor.company_id, Invoice.number == number
            )
        )
    if found is None:
        raise NotFound("invoice", number)
    return found
