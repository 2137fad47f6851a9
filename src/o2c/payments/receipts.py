"""Receiving payments: checks, gapless numbers, set-based storage and posting.

Used by the payment services inside their unit of work; nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from o2c.billing.numbering import PAYMENT_SERIES
from o2c.billing.service import take_numbers
from o2c.db.bulk import insert_ids
from o2c.db.idempotency import IdempotencyKey
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, IdempotencyMismatch, ValidationFailed
from o2c.ledger.audit_batches import audit_batch
from o2c.ledger.model import AccountRole, EntryDraft, ItemKind, to_base
from o2c.ledger.service import ItemDraft, post_documents, rate_on
from o2c.parties import service as parties
from o2c.payments.model import (
    BatchPayment,
    PaymentCreate,
    PaymentStatus,
    check_payment,
    fingerprint,
)
from o2c.payments.posting import payment_entry
from o2c.payments.tables import Payment
from o2c.security.model import Actor
from o2c.security.service import get_company

RECORD_SCOPE = "payment.record"


@dataclass(frozen=True)
class Received:
    payment_id: int
    number: str
    item_id: int


def record_print(command: PaymentCreate) -> str:
    return fingerprint(
        command.customer_id,
        str(command.amount.amount),
        command.amount.currency,
        str(command.method),
        command.received_on,
        command.reference,
        command.bank_reference,
    )


def check_receipts(
    uow: UnitOfWork, actor: Actor, commands: Sequence[PaymentCreate], prefixes: Sequence[str]
) -> tuple[dict[tuple[str, date], Decimal], list[FieldError]]:
    """Every problem of the receipts, and the rate of each (currency, day) they need."""
    errors: list[FieldError] = []
    customers = parties.get_customers(uow, actor.company_id, {c.customer_id for c in commands})
    rates: dict[tuple[str, date], Decimal] = {}
    missing: set[tuple[str, date]] = set()
    for command, prefix in zip(commands, prefixes, strict=True):
        errors += check_payment(command, prefix)
        if command.customer_id not in customers:
            errors.append(FieldError(f"{prefix}customer_id", "unknown customer"))
        key = (command.amount.currency, command.received_on)
        if key in rates or key in missing:
            problem = key in missing
        else:
            try:
                rates[key] = rate_on(uow, actor.company_id, *key)
                problem = False
            except ValidationFailed:
                missing.add(key)
                problem = True
        if problem:
            errors.append(
                FieldError(
                    f"{prefix}amount", f"no exchange rate for {key[0]} on or before {key[1]}"
                )
            )
    return rates, errors


def insert_receipts(
    uow: UnitOfWork,
    actor: Actor,
    commands: Sequence[PaymentCreate],
    rates: dict[tuple[str, date], Decimal],
) -> list[Received]:
    """Number, store and post the receipts set-based; numbers follow the dates received."""
    if not commands:
        return []
    numbers = _numbers(uow, actor, commands)
    now = uow.clock.now()
    ids = insert_ids(
        uow.session,
        Payment,
        [
            {
                "company_id": actor.company_id,
                "number": numbers[i],
                "customer_id": c.customer_id,
                "method": str(c.method),
                "currency": c.amount.currency,
                "amount_minor": c.amount.minor,
                "rate": rates[(c.amount.currency, c.received_on)],
                "received_on": c.received_on,
                "reference": c.reference,
                "bank_reference": c.bank_reference,
                "status": PaymentStatus.RECEIVED.value,
                "created_at": now,
                "created_by": actor.name,
            }
            for i, c in enumerate(commands)
        ],
    )
    base_currency = get_company(uow, actor.company_id).base_currency
    documents = [
        _document(payment_id, numbers[i], c, base_currency, rates)
        for i, (payment_id, c) in enumerate(zip(ids, commands, strict=True))
    ]
    posted = post_documents(uow, actor, documents)
    received = [
        Received(payment_id, numbers[i], doc.item_id or 0)
        for i, (payment_id, doc) in enumerate(zip(ids, posted, strict=True))
    ]
    _announce(uow, actor, commands, received)
    return received


def _numbers(uow: UnitOfWork, actor: Actor, commands: Sequence[PaymentCreate]) -> dict[int, str]:
    """One block of numbers per year, handed out in the order the cash was received."""
    order = sorted(range(len(commands)), key=lambda i: (commands[i].received_on, i))
    by_year: dict[int, list[int]] = defaultdict(list)
    for index in order:
        by_year[commands[index].received_on.year].append(index)
    numbers: dict[int, str] = {}
    for members in by_year.values():
        day = commands[members[0]].received_on
        block = take_numbers(uow, actor.company_id, PAYMENT_SERIES, day, len(members))
        numbers.update(zip(members, block, strict=True))
    return numbers


def _document(
    payment_id: int,
    number: str,
    c: PaymentCreate,
    base_currency: str,
    rates: dict[tuple[str, date], Decimal],
) -> tuple[EntryDraft, ItemDraft]:
    minor, currency = c.amount.minor, c.amount.currency
    base = to_base(minor, currency, base_currency, rates[(currency, c.received_on)])
    entry = payment_entry(payment_id, number, c.customer_id, currency, minor, base, c.received_on)
    item = ItemDraft(
        customer_id=c.customer_id,
        kind=ItemKind.PAYMENT,
        source_id=payment_id,
        document_number=number,
        currency=currency,
        amount=-minor,
        base=-base,
        doc_date=c.received_on,
        due_date=c.received_on,
        role=AccountRole.UNAPPLIED_CASH,
        reference=c.reference or c.bank_reference,
    )
    return entry, item


def _announce(
    uow: UnitOfWork, actor: Actor, commands: Sequence[PaymentCreate], received: Sequence[Received]
) -> None:
    if received:
        numbers = sorted(r.number for r in received)
        audit_batch(
            uow,
            actor,
            "payment.record",
            "payment",
            [r.payment_id for r in received],
            {"number": received[0].number},
            {"numbers": [numbers[0], numbers[-1]]},
        )
    uow.publish_many(
        actor.company_id,
        "payment.received",
        [
            {
                "id": r.payment_id,
                "number": r.number,
                "customer_id": c.customer_id,
                "currency": c.amount.currency,
                "amount_minor": c.amount.minor,
            }
            for r, c in zip(received, commands, strict=True)
        ],
    )


def earlier_receipts(
    uow: UnitOfWork, actor: Actor, batch: Sequence[BatchPayment]
) -> tuple[dict[int, int], list[FieldError]]:
    """Lines whose idempotency key was used before (line index → payment id)."""
    errors: list[FieldError] = []
    keyed: dict[str, int] = {}
    for index, line in enumerate(batch):
        key = line.payment.idempotency_key
        if key is None:
            continue
        if key in keyed:
            errors.append(
                FieldError(f"payments[{index}].idempotency_key", "used twice in the batch")
            )
        keyed[key] = index
    if not keyed:
        return {}, errors
    rows = uow.session.execute(
        select(IdempotencyKey.key, IdempotencyKey.fingerprint, IdempotencyKey.result_id).where(
            IdempotencyKey.company_id == actor.company_id,
            IdempotencyKey.scope == RECORD_SCOPE,
            IdempotencyKey.key.in_(sorted(keyed)),
        )
    ).all()
    done: dict[int, int] = {}
    for key, digest, result_id in rows:
        index = keyed[key]
        if digest != record_print(batch[index].payment):
            raise IdempotencyMismatch(f"Idempotency-Key {key!r} was used for a different request")
        done[index] = int(result_id)
    return done, errors


def remember_batch(
    uow: UnitOfWork, actor: Actor, batch: Sequence[BatchPayment], received: dict[int, Received]
) -> None:
    now = uow.clock.now()
    rows = [
        {
            "company_id": actor.company_id,
            "scope": RECORD_SCOPE,
            "key": batch[i].payment.idempotency_key,
            "fingerprint": record_print(batch[i].payment),
            "result_id": r.payment_id,
            "created_at": now,
        }
        for i, r in received.items()
        if batch[i].payment.idempotency_key
    ]
    if rows:
        uow.session.execute(insert(IdempotencyKey), rows)
