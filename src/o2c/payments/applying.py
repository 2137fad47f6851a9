"""Applying payments: plan every allocation against locked invoices, then settle them.

Used by the payment services inside their unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select, update

from o2c.billing.service import invoice_items
from o2c.credit.reassessment import queue_reassessment
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound
from o2c.ledger.audit_batches import audit_batch, id_runs
from o2c.ledger.model import ItemKind
from o2c.ledger.service import ApplyCommand, apply_items
from o2c.ledger.tables import Application, OpenItem
from o2c.payments.model import Allocation, AppliedPayment, PaymentStatus, check_allocations
from o2c.payments.settlement import InvoiceOpen, Settle, plan
from o2c.payments.tables import Payment
from o2c.security.model import Actor


@dataclass(frozen=True)
class Run:
    """One payment's allocations: `on` decides discounts, `paid_on` is the payment's date."""

    payment_id: int
    number: str
    item_id: int | None
    currency: str
    credit_open: int
    paid_on: date
    on: date
    allocations: Sequence[Allocation]
    prefix: str = ""


def plan_runs(
    uow: UnitOfWork, actor: Actor, runs: Sequence[Run], tolerance_minor: int, lock: set[int]
) -> tuple[list[list[Settle]], dict[int, OpenItem], list[FieldError]]:
    """Check and settle every run's allocations against the locked invoices' open amounts."""
    errors: list[FieldError] = []
    for run in runs:
        if not run.allocations:
            errors.append(FieldError(f"{run.prefix}allocations", "nothing to apply"))
        errors += check_allocations(run.allocations, run.currency, run.prefix)
    invoice_ids = {a.invoice_id for run in runs for a in run.allocations}
    by_invoice = invoice_items(uow, actor.company_id, sorted(invoice_ids))
    locked = lock_items(uow, actor.company_id, lock | {i.id for i in by_invoice.values()})
    running = {item.id: item.open_minor for item in locked.values()}
    plans: list[list[Settle]] = []
    for run in runs:
        invoices: list[InvoiceOpen | None] = []
        for index, allocation in enumerate(run.allocations):
            item = by_invoice.get(allocation.invoice_id)
            where = f"{run.prefix}allocations[{index}].invoice_id"
            usable = allocation.amount.currency == run.currency and allocation.amount.minor > 0
            if item is None or item.kind != ItemKind.INVOICE.value:
                errors.append(FieldError(where, "not a posted invoice"))
            elif item.currency != run.currency:
                errors.append(FieldError(where, f"invoice is in {item.currency}"))
            elif usable:
                invoices.append(
                    InvoiceOpen(item.id, running[item.id], item.discount_date, item.discount_minor)
                )
                continue
            invoices.append(None)
        cash = [a.amount.minor for a in run.allocations]
        settles, found = plan(invoices, cash, run.credit_open, run.on, tolerance_minor, run.prefix)
        errors += found
        for settle in settles:
            running[settle.item_id] -= settle.amount + settle.discount + settle.writeoff
        plans.append(settles)
    return plans, locked, errors


LOCK_CHUNK = 5000


def lock_items(uow: UnitOfWork, company_id: int, ids: set[int]) -> dict[int, OpenItem]:
    """Row-lock the items in id order (the ledger's order, so appliers never deadlock), in
    chunks that stay below the database's limit of bound parameters; by primary key, the
    company checked here (see `o2c.ledger.held_items.hold_items`)."""
    ordered = sorted(ids)
    found: dict[int, OpenItem] = {}
    for start in range(0, len(ordered), LOCK_CHUNK):
        items = uow.session.scalars(
            select(OpenItem)
            .where(OpenItem.id.in_(ordered[start : start + LOCK_CHUNK]))
            .order_by(OpenItem.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found.update((item.id, item) for item in items if item.company_id == company_id)
    return found


class InvoiceDates(Protocol):
    """What an application needs of its invoice: an `OpenItem` or a lighter row of it."""

    @property
    def doc_date(self) -> date: ...

    @property
    def document_number(self) -> str: ...


def _commands(
    runs: Sequence[Run], plans: Sequence[Sequence[Settle]], items: Mapping[int, InvoiceDates]
) -> list[ApplyCommand]:
    """One application per settlement, dated when both items exist and the cash counted."""
    commands = []
    for run, settles in zip(runs, plans, strict=True):
        assert run.item_id is not None
        for settle in settles:
            invoice = items[settle.item_id]
            commands.append(
                ApplyCommand(
                    settle.item_id,
                    run.item_id,
                    settle.amount,
                    max(run.on, run.paid_on, invoice.doc_date),
                    discount=settle.discount,
                    writeoff=settle.writeoff,
                    memo=f"{run.number} applied to {invoice.document_number}",
                )
            )
    return commands


def execute_runs(
    uow: UnitOfWork,
    actor: Actor,
    runs: Sequence[Run],
    plans: Sequence[Sequence[Settle]],
    items: Mapping[int, InvoiceDates],
) -> list[AppliedPayment]:
    """Settle the planned runs through the ledger; report what each did and what is left."""
    commands = _commands(runs, plans, items)
    application_ids = iter(apply_items(uow, actor, commands) if commands else [])
    credit_ids = sorted({run.item_id for run in runs if run.item_id is not None})
    still_open: dict[int, int] = {}
    for start in range(0, len(credit_ids), LOCK_CHUNK):
        query = select(OpenItem.id, OpenItem.open_minor).where(
            OpenItem.id.in_(credit_ids[start : start + LOCK_CHUNK])
        )
        still_open.update((row.id, row.open_minor) for row in uow.session.execute(query))
    results = []
    for run, settles in zip(runs, plans, strict=True):
        assert run.item_id is not None
        results.append(
            AppliedPayment(
                run.payment_id,
                tuple(next(application_ids) for _ in settles),
                sum(s.amount for s in settles),
                sum(s.discount for s in settles),
                sum(s.writeoff for s in settles),
                -still_open[run.item_id],
            )
        )
    mark_applied(uow, [r.payment_id for r in results if r.unapplied_minor == 0])
    if results:
        audit_batch(
            uow,
            actor,
            "payment.apply",
            "payment",
            [r.payment_id for r in results],
            {"applications": list(results[0].application_ids)},
            {"applications": id_runs(a for r in results for a in r.application_ids)},
        )
    uow.publish_many(
        actor.company_id,
        "payment.applied",
        [
            {
                "id": r.payment_id,
                "applied_minor": r.applied_minor,
                "discount_minor": r.discount_minor,
                "writeoff_minor": r.writeoff_minor,
                "unapplied_minor": r.unapplied_minor,
            }
            for r in results
        ],
    )
    applied = [a for r in results for a in r.application_ids]
    if applied:
        payers = _payers(uow, [r.payment_id for r in results])
        queue_reassessment(uow, actor.company_id, payers, f"applications-{min(applied)}")
    return results


def _payers(uow: UnitOfWork, payment_ids: Sequence[int]) -> set[int]:
    """The customers who paid: their credit is reassessed once the payment is applied."""
    payers: set[int] = set()
    for start in range(0, len(payment_ids), LOCK_CHUNK):
        query = select(Payment.customer_id).where(
            Payment.id.in_(payment_ids[start : start + LOCK_CHUNK])
        )
        payers.update(uow.session.scalars(query))
    return payers


def mark_applied(uow: UnitOfWork, payment_ids: Sequence[int]) -> None:
    """Payments fully applied, in chunks below the databases' limits of bound parameters."""
    for start in range(0, len(payment_ids), LOCK_CHUNK):
        uow.session.execute(
            update(Payment)
            .where(Payment.id.in_(payment_ids[start : start + LOCK_CHUNK]))
            .values(status=PaymentStatus.APPLIED.value)
            .execution_options(synchronize_session=False)
        )


def replay(uow: UnitOfWork, payment: Payment, first: int, count: int) -> AppliedPayment:
    """The result of an earlier run: its `count` applications, from the first it made."""
    item = payment_item(uow, payment.company_id, payment.id)
    applications = uow.session.scalars(
        select(Application)
        .where(Application.credit_item_id == item.id, Application.id >= first)
        .order_by(Application.id)
        .limit(count)
    ).all()
    return AppliedPayment(
        payment.id,
        tuple(a.id for a in applications),
        sum(a.amount_minor for a in applications),
        sum(a.discount_minor for a in applications),
        sum(a.writeoff_minor for a in applications),
        -item.open_minor,
    )


def payment_item(uow: UnitOfWork, company_id: int, payment_id: int) -> OpenItem:
    item = uow.session.scalar(
        select(OpenItem).where(
            OpenItem.company_id == company_id,
            OpenItem.kind == ItemKind.PAYMENT.value,
            OpenItem.source_id == payment_id,
        )
    )
    if item is None:
        raise NotFound("open item of payment", payment_id)
    return item
