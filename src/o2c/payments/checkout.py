"""Paying invoices at a payment processor: o2c's side of payment intents and their webhooks.

A customer (or a clerk for them) chooses invoices and amounts; `start_checkout` opens an
intent at the processor for the total and keeps the choice. The customer confirms it with a
card or bank account (`confirm_checkout`), perhaps after a 3-D Secure step. Nothing is
booked until the processor's signed webhook says the intent succeeded: then the payment is
received and applied to the chosen invoices in one transaction (`receive_webhook`), each
allocation cut to what the invoice still owes so cash never over-applies (the rest stays on
account). A payout webhook records the funds on their way to the bank, which cash
application reconciles with the bank line when it arrives. Webhooks are idempotent: a
processor that delivers twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from o2c.billing.service import invoice_items
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.payments.gateway import (
    EventType,
    Intent,
    IntentRequest,
    IntentStatus,
    MethodDetails,
    MethodKind,
    PaymentProvider,
    WebhookEvent,
)
from o2c.payments.model import (
    Allocation,
    BatchResult,
    PaymentCreate,
    PaymentMethod,
    check_allocations,
)
from o2c.payments.service import record_and_apply
from o2c.payments.tables import GatewayIntent, GatewayPayout
from o2c.security.model import Actor, Permission, system_actor
from o2c.security.service import audit


@dataclass(frozen=True)
class CheckoutCreate:
    customer_id: int
    allocations: Sequence[Allocation]
    idempotency_key: str
    return_url: str = ""


def _require_payer(actor: Actor, customer_id: int) -> None:
    """The customer itself pays its own invoices; staff need the right to post payments."""
    if actor.customer_id is None:
        actor.require(Permission.PAYMENT_POST)
    else:
        actor.require(Permission.LEDGER_READ)
        actor.require_customer_scope(customer_id)


def start_checkout(
    uow: UnitOfWork, actor: Actor, provider: PaymentProvider, cmd: CheckoutCreate
) -> GatewayIntent:
    """Open an intent at the processor for the chosen invoices; a retried key returns it."""
    _require_payer(actor, cmd.customer_id)
    with uow:
        known = uow.session.scalar(
            select(GatewayIntent).where(
                GatewayIntent.company_id == actor.company_id,
                GatewayIntent.idempotency_key == cmd.idempotency_key,
            )
        )
        if known is not None:
            return known
        currency = _checked(uow, actor, cmd)
        total = Money.from_minor(sum(a.amount.minor for a in cmd.allocations), currency)
        intent = provider.create_intent(
            IntentRequest(
                total,
                f"{actor.company_id}:{cmd.idempotency_key}",
                f"{len(cmd.allocations)} invoice(s)",
                {"account": str(actor.company_id), "customer": str(cmd.customer_id)},
                cmd.return_url,
            )
        )
        now = uow.clock.now()
        row = GatewayIntent(
            company_id=actor.company_id,
            customer_id=cmd.customer_id,
            provider=provider.name,
            intent_ref=intent.id,
            idempotency_key=cmd.idempotency_key,
            currency=currency,
            amount_minor=total.minor,
            allocations=[
                {"invoice_id": a.invoice_id, "amount_minor": a.amount.minor}
                for a in cmd.allocations
            ],
            status=intent.status.value,
            created_at=now,
            created_by=actor.name,
            updated_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
        audit(uow, actor, "checkout.start", "gateway_intent", row.id, {"intent": intent.id})
        uow.commit()
        return row


def _checked(uow: UnitOfWork, actor: Actor, cmd: CheckoutCreate) -> str:
    """The one currency of the chosen invoices, after checking they are the customer's and
    open for at least the amounts chosen."""
    if not cmd.allocations:
        raise ValidationFailed([FieldError("allocations", "choose at least one invoice")])
    currency = cmd.allocations[0].amount.currency
    errors = check_allocations(cmd.allocations, currency)
    items = invoice_items(uow, actor.company_id, [a.invoice_id for a in cmd.allocations])
    for index, allocation in enumerate(cmd.allocations):
        item = items.get(allocation.invoice_id)
        where = f"allocations[{index}]"
        if item is None or item.customer_id != cmd.customer_id:
            errors.append(FieldError(f"{where}.invoice_id", "not an invoice of this customer"))
        elif item.kind != ItemKind.INVOICE.value or item.open_minor <= 0:
            errors.append(FieldError(f"{where}.invoice_id", "nothing is open on it"))
        elif allocation.amount.minor > item.open_minor:
            errors.append(FieldError(f"{where}.amount", f"more than the open {item.open_minor}"))
    if errors:
        raise ValidationFailed(errors)
    return currency


def get_checkout(uow: UnitOfWork, actor: Actor, checkout_id: int) -> GatewayIntent:
    """One checkout; another customer's is reported as missing."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = owned(uow.session, GatewayIntent, actor.company_id, checkout_id, "checkout")
        if actor.customer_id is not None and row.customer_id != actor.customer_id:
            raise NotFound("checkout", checkout_id)
        return row


def find_checkout(uow: UnitOfWork, actor: Actor, provider: str, intent_ref: str) -> GatewayIntent:
    """The checkout of a processor's intent (the processor names it when the customer comes
    back from its page); another customer's is reported as missing."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = uow.session.scalar(
            select(GatewayIntent).where(
                GatewayIntent.company_id == actor.company_id,
                GatewayIntent.provider == provider,
                GatewayIntent.intent_ref == intent_ref,
            )
        )
        if row is None or (actor.customer_id is not None and row.customer_id != actor.customer_id):
            raise NotFound("checkout", intent_ref)
        return row


def confirm_checkout(
    uow: UnitOfWork,
    actor: Actor,
    provider: PaymentProvider,
    checkout_id: int,
    details: MethodDetails,
) -> tuple[GatewayIntent, Intent]:
    """Hand the customer's card or account to the processor; the outcome arrives by webhook,
    the intent returned says whether a 3-D Secure step comes first."""
    row = get_checkout(uow, actor, checkout_id)
    _require_payer(actor, row.customer_id)
    intent = provider.confirm_intent(row.intent_ref, details)
    return _noted(uow, actor, checkout_id, intent, details.kind), intent


def refresh_checkout(
    uow: UnitOfWork, actor: Actor, provider: PaymentProvider, checkout_id: int
) -> GatewayIntent:
    """Ask the processor where the intent stands (the customer is back from its page before
    its webhook may have arrived); the money still moves only by webhook."""
    row = get_checkout(uow, actor, checkout_id)
    if row.payment_id is not None or IntentStatus(row.status).final:
        return row
    return _noted(uow, actor, checkout_id, provider.get_intent(row.intent_ref), None)


def _noted(
    uow: UnitOfWork, actor: Actor, checkout_id: int, intent: Intent, kind: MethodKind | None
) -> GatewayIntent:
    """Keep what the processor said of the intent, unless its webhook has already settled it."""
    with uow:
        row = owned(
            uow.session, GatewayIntent, actor.company_id, checkout_id, "checkout", lock=True
        )
        if row.payment_id is None and not IntentStatus(row.status).final:
            row.status, row.decline_code = intent.status.value, intent.decline_code
        if kind is not None:
            row.method = kind.value
        row.updated_at = uow.clock.now()
        audit(uow, actor, "checkout.confirm", "gateway_intent", row.id, {"status": row.status})
        uow.commit()
        return row


def customer_checkouts(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[GatewayIntent]:
    """A customer's payments at the processor, newest first."""
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id)
    with uow:
        return list(
            uow.session.scalars(
                select(GatewayIntent)
                .where(
                    GatewayIntent.company_id == actor.company_id,
                    GatewayIntent.customer_id == customer_id,
                )
                .order_by(GatewayIntent.created_at.desc(), GatewayIntent.id.desc())
            )
        )


def receive_webhook(
    uow: UnitOfWork, provider: PaymentProvider, body: bytes, signature: str
) -> WebhookEvent:
    """Act on one verified webhook; a forged or stale signature changes nothing, and events
    about intents o2c did not open here are acknowledged and left alone."""
    event = provider.parse_webhook(body, signature)
    if event.type is EventType.PAYOUT_PAID:
        _payout(uow, provider.name, event)
    elif event.intent_id is not None:
        _intent_event(uow, provider.name, event)
    return event


def _intent_event(uow: UnitOfWork, provider: str, event: WebhookEvent) -> None:
    with uow:
        row = uow.session.scalar(
            select(GatewayIntent)
            .where(GatewayIntent.provider == provider, GatewayIntent.intent_ref == event.intent_id)
            .with_for_update()
        )
        if row is None:
            return  # a charge o2c did not start here (autopay records its own)
        actor = system_actor(row.company_id, f"gateway:{provider}")
        if event.type is EventType.INTENT_SUCCEEDED and row.payment_id is None:
            row.payment_id = _received(uow, actor, row).payment_id
            row.status = IntentStatus.SUCCEEDED.value
        elif event.type is EventType.INTENT_FAILED and row.payment_id is None:
            row.status, row.decline_code = IntentStatus.FAILED.value, event.decline_code
        elif event.type is EventType.REFUNDED:
            row.refunded_minor += event.amount.minor
        else:
            return  # a repeated delivery
        row.updated_at = uow.clock.now()
        audit(
            uow,
            actor,
            f"checkout.{event.type.value}",
            "gateway_intent",
            row.id,
            {"event": event.id},
        )
        uow.commit()


def _received(uow: UnitOfWork, actor: Actor, row: GatewayIntent) -> BatchResult:
    """Receive the intent's money and apply it to its invoices, each cut to what is open."""
    wanted = {int(a["invoice_id"]): int(a["amount_minor"]) for a in row.allocations}
    items = invoice_items(uow, row.company_id, sorted(wanted))
    allocations = []
    for invoice_id, amount in wanted.items():
        item = items.get(invoice_id)
        part = min(amount, item.open_minor) if item is not None else 0
        if part > 0:
            allocations.append(Allocation(invoice_id, Money.from_minor(part, row.currency)))
    method = PaymentMethod.CARD if row.method != MethodKind.BANK.value else PaymentMethod.ACH
    payment = PaymentCreate(
        row.customer_id,
        Money.from_minor(row.amount_minor, row.currency),
        method,
        uow.clock.today(),
        reference=row.intent_ref,
        idempotency_key=f"gateway:{row.provider}:{row.intent_ref}",
    )
    return record_and_apply(uow, actor, payment, allocations)


def _payout(uow: UnitOfWork, provider: str, event: WebhookEvent) -> None:
    assert event.payout_id is not None
    assert event.arrival_date is not None
    with uow:
        known = uow.session.scalar(
            select(GatewayPayout.id).where(
                GatewayPayout.provider == provider, GatewayPayout.payout_ref == event.payout_id
            )
        )
        if known is not None:
            return
        company_ids = set(
            uow.session.scalars(
                select(GatewayIntent.company_id).where(
                    GatewayIntent.provider == provider,
                    GatewayIntent.intent_ref.in_(event.intent_ids),
                )
            )
        )
        if len(company_ids) != 1:
            return  # none of its intents are ours, or (never by account) several companies'
        [company_id] = company_ids
        payout = GatewayPayout(
            company_id=company_id,
            provider=provider,
            payout_ref=event.payout_id,
            currency=event.amount.currency,
            amount_minor=event.amount.minor,
            arrival_date=event.arrival_date,
            intent_count=len(event.intent_ids),
            created_at=uow.clock.now(),
        )
        uow.session.add(payout)
        uow.session.execute(
            update(GatewayIntent)
            .where(
                GatewayIntent.provider == provider,
                GatewayIntent.intent_ref.in_(event.intent_ids),
            )
            .values(payout_ref=event.payout_id)
        )
        uow.session.flush()
        actor = system_actor(company_id, f"gateway:{provider}")
        audit(uow, actor, "gateway.payout", "gateway_payout", payout.id, {"ref": event.payout_id})
        uow.commit()
