"""Payment use cases: receive cash, apply it to invoices, refund credits, and the bulk path.

Cash received is held on the unapplied-cash account as a credit item of the customer until
applied. Applying moves it to AR through `ledger.service.apply_items`, taking early-payment
discounts and writing off differences within the tolerance on the way (`settlement`); what
is not applied stays on account. Retried commands carry an idempotency key and replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from o2c.db.idempotency import previous_result, remember_result
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.config import Settings
from o2c.kernel.errors import ValidationFailed
from o2c.kernel.money import Money
from o2c.payments.applying import Run, execute_runs, payment_item, plan_runs, replay
from o2c.payments.model import (
    Allocation,
    AppliedPayment,
    BatchPayment,
    BatchResult,
    PaymentCreate,
    PaymentMethod,
    PaymentStatus,
    fingerprint,
)
from o2c.payments.receipts import (
    RECORD_SCOPE,
    Received,
    check_receipts,
    earlier_receipts,
    insert_receipts,
    record_print,
    remember_batch,
)
from o2c.payments.refund_requests import (
    REQUEST_SCOPE,
    needs_approval,
    replayed_request,
    request_refund,
)
from o2c.payments.refunds import checked_refund, post_refund
from o2c.payments.tables import Payment, Refund, RefundRequest
from o2c.security.model import Actor, Permission

DEFAULT_TOLERANCE_MINOR: int = Settings.model_fields["payment_tolerance_minor"].default
APPLY_SCOPE = "payment.apply"
REFUND_SCOPE = "refund.issue"


def record_payment(uow: UnitOfWork, actor: Actor, command: PaymentCreate) -> Payment:
    """Receive cash: DR cash / CR unapplied cash, held on account as a credit item."""
    actor.require(Permission.PAYMENT_POST)
    with uow:
        key, digest = command.idempotency_key, record_print(command)
        if key:
            previous = previous_result(uow.session, actor.company_id, RECORD_SCOPE, key, digest)
            if previous is not None:
                return _load(uow, actor, previous)
        rates, errors = check_receipts(uow, actor, [command], [""])
        if errors:
            raise ValidationFailed(errors)
        [received] = insert_receipts(uow, actor, [command], rates)
        if key:
            remember_result(
                uow.session,
                actor.company_id,
                RECORD_SCOPE,
                key,
                digest,
                received.payment_id,
                uow.clock.now(),
            )
        uow.commit()
        return _load(uow, actor, received.payment_id)


def apply_payment(
    uow: UnitOfWork,
    actor: Actor,
    payment_id: int,
    allocations: Sequence[Allocation],
    received_on: date | None = None,
    tolerance_minor: int = DEFAULT_TOLERANCE_MINOR,
    idempotency_key: str | None = None,
) -> AppliedPayment:
    """Apply a payment's unapplied cash to one or many invoices, in part or in full.

    `received_on` (default: the payment's date) decides whether an early-payment discount is
    still on offer. A shortfall within `tolerance_minor` is written off; cash not allocated
    stays on account. All allocations apply, or none.
    """
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        payment = _load(uow, actor, payment_id)
        digest = fingerprint(
            payment_id,
            [(a.invoice_id, str(a.amount.amount), a.amount.currency) for a in allocations],
            received_on,
            tolerance_minor,
        )
        if idempotency_key:
            previous = previous_result(
                uow.session, actor.company_id, APPLY_SCOPE, idempotency_key, digest
            )
            if previous is not None:
                return replay(uow, payment, previous, len(allocations))
        item = payment_item(uow, actor.company_id, payment.id)
        run = Run(
            payment.id,
            payment.number,
            item.id,
            payment.currency,
            -item.open_minor,
            payment.received_on,
            received_on or payment.received_on,
            allocations,
        )
        plans, locked, errors = plan_runs(uow, actor, [run], tolerance_minor, lock={item.id})
        if errors:
            raise ValidationFailed(errors)
        [result] = execute_runs(uow, actor, [run], plans, locked)
        if idempotency_key:
            remember_result(
                uow.session,
                actor.company_id,
                APPLY_SCOPE,
                idempotency_key,
                digest,
                result.application_ids[0],
                uow.clock.now(),
            )
        uow.commit()
        return result


def record_and_apply(
    uow: UnitOfWork,
    actor: Actor,
    command: PaymentCreate,
    allocations: Sequence[Allocation],
    tolerance_minor: int = DEFAULT_TOLERANCE_MINOR,
) -> BatchResult:
    """Receive a payment and apply it at once: one transaction, one retry key (the receipt's)."""
    [result] = payment_batch(uow, actor, [BatchPayment(command, allocations)], tolerance_minor)
    return result


def payment_batch(
    uow: UnitOfWork,
    actor: Actor,
    batch: Sequence[BatchPayment],
    tolerance_minor: int = DEFAULT_TOLERANCE_MINOR,
) -> list[BatchResult]:
    """Receive many payments and apply each to its invoices: one transaction, set-based.

    Everything is checked before anything is written, and every problem is reported at once
    (fields prefixed `payments[i].`). A payment whose idempotency key was already used is not
    received again; its earlier receipt is returned and its allocations are not re-applied.
    """
    actor.require(Permission.PAYMENT_POST)
    if any(line.allocations for line in batch):
        actor.require(Permission.PAYMENT_APPLY)
    with uow:
        done, errors = earlier_receipts(uow, actor, batch)
        fresh = [i for i in range(len(batch)) if i not in done]
        commands = [batch[i].payment for i in fresh]
        prefixes = [f"payments[{i}]." for i in fresh]
        rates, receipt_errors = check_receipts(uow, actor, commands, prefixes)
        runs = [
            Run(
                0,
                "",
                None,
                batch[i].payment.amount.currency,
                batch[i].payment.amount.minor,
                batch[i].payment.received_on,
                batch[i].payment.received_on,
                batch[i].allocations,
                f"payments[{i}].",
            )
            for i in fresh
            if batch[i].allocations
        ]
        plans, locked, plan_errors = plan_runs(uow, actor, runs, tolerance_minor, lock=set())
        errors += receipt_errors + plan_errors
        if errors:
            raise ValidationFailed(errors)
        received = dict(zip(fresh, insert_receipts(uow, actor, commands, rates), strict=True))
        ready = [
            Run(received[i].payment_id, received[i].number, received[i].item_id, *_tail(run))
            for i, run in zip([i for i in fresh if batch[i].allocations], runs, strict=True)
        ]
        applied = {r.payment_id: r for r in execute_runs(uow, actor, ready, plans, locked)}
        remember_batch(uow, actor, batch, received)
        results = [
            _batch_result(uow, actor, batch, i, received, applied, done) for i in range(len(batch))
        ]
        uow.commit()
        return results


def _tail(run: Run) -> tuple[Any, ...]:
    return (run.currency, run.credit_open, run.paid_on, run.on, run.allocations, run.prefix)


def _batch_result(
    uow: UnitOfWork,
    actor: Actor,
    batch: Sequence[BatchPayment],
    index: int,
    received: dict[int, Received],
    applied: dict[int, AppliedPayment],
    done: dict[int, int],
) -> BatchResult:
    if index in done:
        payment = _load(uow, actor, done[index])
        item = payment_item(uow, actor.company_id, payment.id)
        nothing = AppliedPayment(payment.id, (), 0, 0, 0, -item.open_minor)
        return BatchResult(payment.id, payment.number, nothing)
    receipt = received[index]
    result = applied.get(receipt.payment_id)
    if result is None:  # received only: all of it is unapplied
        amount = batch[index].payment.amount.minor
        result = AppliedPayment(receipt.payment_id, (), 0, 0, 0, amount)
    return BatchResult(receipt.payment_id, receipt.number, result)


def refund(
    uow: UnitOfWork,
    actor: Actor,
    credit_item_id: int,
    amount: Money,
    method: PaymentMethod,
    on: date,
    reference: str | None = None,
    idempotency_key: str | None = None,
    to_account: str | None = None,
) -> Refund | RefundRequest:
    """Pay back a credit (unapplied cash or a credit note): DR its account / CR cash.

    The refund is a debit document on the credit's own account, applied at once against
    the credit, so the credit's open amount drops by exactly what left the bank.
    `to_account` names the account the money goes to (fraud checks compare it with the
    account the payment came from). Above the company's approval limit nothing is posted:
    the refund becomes a request for someone else to approve (`refund_requests`).
    """
    actor.require(Permission.REFUND_ISSUE)
    with uow:
        digest = fingerprint(
            credit_item_id,
            str(amount.amount),
            amount.currency,
            str(method),
            on,
            reference,
            *([to_account] if to_account else []),
        )
        if idempotency_key:
            previous = previous_result(
                uow.session, actor.company_id, REFUND_SCOPE, idempotency_key, digest
            )
            if previous is not None:
                return _load_refund(uow, actor, previous)
            requested = replayed_request(uow, actor, idempotency_key, digest)
            if requested is not None:
                return requested
        checked = checked_refund(uow, actor, credit_item_id, amount, method, on)
        result: Refund | RefundRequest
        if needs_approval(uow, actor, amount, checked.rate):
            scope = REQUEST_SCOPE
            result = request_refund(uow, actor, checked, amount, method, on, reference, to_account)
        else:
            scope = REFUND_SCOPE
            result = post_refund(
                uow,
                actor,
                checked.credit,
                checked.role,
                amount,
                method,
                on,
                checked.rate,
                reference,
                to_account,
            )
        if idempotency_key:
            remember_result(
                uow.session,
                actor.company_id,
                scope,
                idempotency_key,
                digest,
                result.id,
                uow.clock.now(),
            )
        uow.commit()
        return result


def _load(uow: UnitOfWork, actor: Actor, payment_id: int) -> Payment:
    payment = owned(uow.session, Payment, actor.company_id, payment_id, "payment", refresh=True)
    actor.require_customer_scope(payment.customer_id, "payment", payment_id)
    return payment


def _load_refund(uow: UnitOfWork, actor: Actor, refund_id: int) -> Refund:
    return owned(uow.session, Refund, actor.company_id, refund_id, "refund")


def get_payment(uow: UnitOfWork, actor: Actor, payment_id: int) -> Payment:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _load(uow, actor, payment_id)


def unapplied(uow: UnitOfWork, actor: Actor, payment_id: int) -> Money:
    """What is left of a payment to apply or refund."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        payment = _load(uow, actor, payment_id)
        item = payment_item(uow, actor.company_id, payment_id)
        return Money.from_minor(-item.open_minor, payment.currency)


def list_payments(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int | None = None,
    status: PaymentStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Payment], int]:
    """One page of payments (newest first) and the number of all that match."""
    actor.require(Permission.LEDGER_READ)
    conditions = [Payment.company_id == actor.company_id]
    customer_id = actor.customer_filter(customer_id)
    if customer_id is not None:
        conditions.append(Payment.customer_id == customer_id)
    if status is not None:
        conditions.append(Payment.status == status.value)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(Payment).where(*conditions))
        rows = uow.session.scalars(
            select(Payment)
            .where(*conditions)
            .order_by(Payment.received_on.desc(), Payment.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return list(rows), int(total or 0)
