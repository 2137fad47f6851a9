"""Customers paying as their profiles say, and the exceptions finance deals with.

A day's payments go in as one bank batch (`payment_batch`, the set-based path): one payment
per payer and currency, applied to every invoice it covers, the way a remittance arrives.
The exceptions are staged a few times each: short payments later written off, an overpayment
refunded, credit notes for returns and price corrections.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from o2c.app.demo.agenda import CreditDue, PaymentDue, RefundDue, World, WriteOffDue
from o2c.app.demo.behaviour import Profile, payment_cash
from o2c.billing.model import CreditLine
from o2c.billing.service import create_credit_note, invoice_details, invoice_items
from o2c.kernel.money import Money
from o2c.ledger.service import get_item, write_off
from o2c.payments.applying import payment_item
from o2c.payments.model import Allocation, BatchPayment, PaymentCreate, PaymentMethod
from o2c.payments.service import payment_batch, refund

OVERPAID_MINOR = 15_000
RETURN_REASONS = ("Goods damaged in transit", "Wrong item delivered, returned")
PRICE_REASON = "Price correction: agreed project price"
FIRST_EXCEPTIONS_AFTER = 90  # days of history before short payments and overpayments start


def pay(world: World, day: date, due: list[PaymentDue]) -> None:
    """Receive the day's payments in one batch and apply each to the invoices it covers."""
    if not due:
        return
    items = invoice_items(world.uow, world.actor.company_id, [d.invoice_id for d in due])
    groups: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    seen: set[int] = set()
    for payment in due:
        item = items[payment.invoice_id]
        if item.open_minor <= 0 or payment.invoice_id in seen:
            continue
        seen.add(payment.invoice_id)
        on_offer = item.discount_minor if item.discount_date and day <= item.discount_date else 0
        cash = payment_cash(item.open_minor, payment.share, min(on_offer, item.open_minor))
        if payment.share is None:
            cash = _short_paid(world, day, item.id, item.customer_id, cash)
        payer = world.customers[item.customer_id].payer
        groups[payer, item.currency].append((payment.invoice_id, cash, item.document_number))
    batch: list[BatchPayment] = []
    overpaid: int | None = None
    for (payer, currency), allocations in groups.items():
        amount = sum(cash for _, cash, _ in allocations)
        if overpaid is None and _stage(world, day, "overpayments"):
            overpaid, amount = len(batch), amount + OVERPAID_MINOR
        batch.append(_payment(world, day, payer, currency, amount, allocations))
    results = payment_batch(world.uow, world.actor, batch)
    world.counts.payments += len(results)
    if overpaid is not None:
        currency = batch[overpaid].payment.amount.currency
        refund_on = day + timedelta(days=world.rng.randint(10, 20))
        world.plan(refund_on, RefundDue(results[overpaid].payment_id, OVERPAID_MINOR, currency))


def _payment(
    world: World,
    day: date,
    payer: int,
    currency: str,
    amount: int,
    allocations: list[tuple[int, int, str]],
) -> BatchPayment:
    customer = world.customers[payer]
    if customer.country == "US":
        method = world.rng.choice((PaymentMethod.ACH, PaymentMethod.ACH, PaymentMethod.CHECK))
    else:
        method = PaymentMethod.CARD if world.rng.random() < 0.03 else PaymentMethod.WIRE
    numbers = ", ".join(number for _, _, number in allocations)
    return BatchPayment(
        PaymentCreate(
            payer,
            Money.from_minor(amount, currency),
            method,
            day,
            reference=numbers[:120],
            bank_reference=f"{day:%Y%m%d}{world.rng.randint(10**7, 10**8 - 1)}",
        ),
        [
            Allocation(invoice_id, Money.from_minor(cash, currency))
            for invoice_id, cash, _ in allocations
        ],
    )


def _stage(world: World, day: date, exception: str) -> bool:
    """Whether to stage one more of a rare exception today (each has a fixed quota)."""
    started = (day - world.start).days >= FIRST_EXCEPTIONS_AFTER
    if not started or world.special.get(exception, 0) <= 0 or world.rng.random() >= 0.05:
        return False
    world.special[exception] -= 1
    return True


def _short_paid(world: World, day: date, item_id: int, customer_id: int, cash: int) -> int:
    """Now and then a punctual customer pays a few euros short (bank charges deducted): the
    rest is above the tolerance, stays open, and is written off a month later."""
    profile = world.customers[customer_id].profile
    if profile is not Profile.PUNCTUAL or cash < 10_000 or not _stage(world, day, "short_pays"):
        return cash
    world.plan(day + timedelta(days=30), WriteOffDue(item_id))
    return cash - world.rng.randint(250, 1500)


def write_off_rest(world: World, day: date, due: WriteOffDue) -> None:
    """Write off the small rest a short payment left open."""
    item = get_item(world.uow, world.actor, due.item_id)
    if 0 < item.open_minor <= 2_000:
        write_off(
            world.uow, world.actor, item.id, item.open_minor, day, "Small balance written off"
        )
        world.counts.write_offs += 1


def refund_overpayment(world: World, day: date, due: RefundDue) -> None:
    """Pay back the cash an overpayment left on account."""
    credit = payment_item(world.uow, world.actor.company_id, due.payment_id)
    if -credit.open_minor >= due.amount_minor:
        refund(
            world.uow,
            world.actor,
            credit.id,
            Money.from_minor(due.amount_minor, due.currency),
            PaymentMethod.WIRE,
            day,
            reference="Refund of overpayment",
        )
        world.counts.refunds += 1


def issue_credit_note(world: World, due: CreditDue) -> None:
    """A return or a price correction on an invoice nothing has been paid on yet."""
    item = invoice_items(world.uow, world.actor.company_id, [due.invoice_id])[due.invoice_id]
    if item.open_minor != item.amount_minor:
        return
    details = invoice_details(world.uow, world.actor, due.invoice_id)
    line = world.rng.choice(details.lines)
    if world.rng.random() < 0.5 and line.unit_price_minor >= 100:
        correction = Money.from_minor(line.unit_price_minor // 10, details.invoice.currency)
        credit = CreditLine(line.id, line.quantity, correction.amount)
        reason = PRICE_REASON
    else:
        returned = max(Decimal(1), (line.quantity / 2).to_integral_value())
        credit = CreditLine(line.id, min(returned, line.quantity))
        reason = world.rng.choice(RETURN_REASONS)
    create_credit_note(world.uow, world.actor, due.invoice_id, [credit], reason)
    world.counts.credit_notes += 1
