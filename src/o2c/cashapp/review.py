"""The exception queue's decisions: accept a suggestion, match by hand, split, ignore.

Each decision is a person's, recorded beside the engine's, and settles the line through the
same posting path as a match run. What the person's choice shows about the payer (a new
name or account, a way of writing our numbers) is learned and stored, so the next line of
that payer is matched without anyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.cashapp.learning import Lessons, learn
from o2c.cashapp.matching_run import WAITING
from o2c.cashapp.model import Allocation, LineStatus, MatchPolicy, OpenInvoice
from o2c.cashapp.settling import Posting, allocations_json, allocations_of, post, record_decisions
from o2c.cashapp.sources import bank_line, customer_profiles, own_accounts
from o2c.cashapp.tables import BankLineRow, MatchDecisionRow, PayerAlias, ReferencePatternRow
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.parties.tables import Customer
from o2c.payments.settlement import InvoiceOpen, settle
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


def waiting_line(uow: UnitOfWork, actor: Actor, line_id: int) -> BankLineRow:
    """A line of the caller's company that still waits for a decision (row-locked)."""
    line = uow.session.scalar(
        select(BankLineRow)
        .where(BankLineRow.id == line_id, BankLineRow.company_id == actor.company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if line is None:
        raise NotFound("bank line", line_id)
    if line.status not in WAITING or line.amount_minor <= 0:
        raise InvalidTransition(f"bank line {line_id} is {line.status}, not waiting for a decision")
    return line


def _invoices(
    uow: UnitOfWork, actor: Actor, line: BankLineRow, parts: Sequence[tuple[int, int]]
) -> dict[int, OpenItem]:
    """The invoices named, checked: open, in the line's currency, not over-applied."""
    ids = sorted({item_id for item_id, _ in parts})
    items = {
        i.id: i
        for i in uow.session.scalars(
            select(OpenItem).where(OpenItem.company_id == actor.company_id, OpenItem.id.in_(ids))
        )
    }
    errors = []
    seen: set[int] = set()
    for index, (item_id, amount) in enumerate(parts):
        where = f"allocations[{index}]"
        item = items.get(item_id)
        if item is None or item.kind != ItemKind.INVOICE.value:
            errors.append(FieldError(f"{where}.invoice_item_id", "not an open invoice"))
        elif item.currency != line.currency:
            errors.append(FieldError(f"{where}.invoice_item_id", f"invoice is in {item.currency}"))
        elif not 0 < amount <= item.open_minor:
            errors.append(
                FieldError(f"{where}.amount", f"must be 1..{item.open_minor} minor units")
            )
        if item_id in seen:
            errors.append(FieldError(f"{where}.invoice_item_id", "invoice named twice"))
        seen.add(item_id)
    if not parts:
        errors.append(FieldError("allocations", "name at least one invoice"))
    if sum(amount for _, amount in parts) > line.amount_minor:
        errors.append(
            FieldError("allocations", f"more than the line's {line.amount_minor} minor units")
        )
    if errors:
        raise ValidationFailed(errors)
    return items


def _allocations(
    line: BankLineRow, parts: Sequence[tuple[int, int]], items: dict[int, OpenItem]
) -> tuple[Allocation, ...]:
    """Cash per invoice, with the discount in terms and a small difference written off."""
    policy = MatchPolicy()
    on = line.value_date or line.booking_date
    result = []
    for item_id, amount in parts:
        item = items[item_id]
        invoice = InvoiceOpen(item.id, item.open_minor, item.discount_date, item.discount_minor)
        found = settle(invoice, amount, on or item.doc_date, policy.writeoff_limit(item.open_minor))
        result.append(Allocation(item_id, found.amount, found.discount, found.writeoff))
    return tuple(result)


def _payer(items: Sequence[OpenItem], parents: dict[int, int | None]) -> int:
    owners = {i.customer_id for i in items}
    if len(owners) == 1:
        return owners.pop()
    heads = {parents.get(c) or c for c in owners}
    if len(heads) == 1:
        return heads.pop()
    raise ValidationFailed(
        [FieldError("allocations", "invoices of unrelated customers: split the line")]
    )


def _remember(uow: UnitOfWork, actor: Actor, lessons: Lessons) -> None:
    """Store what was learned; a lesson already on file is skipped (insert or ignore)."""
    now = uow.clock.now()
    dialect = postgresql if uow.session.get_bind().dialect.name == "postgresql" else sqlite
    aliases = [
        {
            "company_id": actor.company_id,
            "customer_id": a.customer_id,
            "kind": "name",
            "value": a.name[:200],
            "learned_at": now,
        }
        for a in lessons.aliases
    ] + [
        {
            "company_id": actor.company_id,
            "customer_id": a.customer_id,
            "kind": "account",
            "value": a.account[:200],
            "learned_at": now,
        }
        for a in lessons.accounts
    ]
    if aliases:
        uow.session.execute(dialect.insert(PayerAlias).on_conflict_do_nothing(), aliases)
    found = [
        {
            "company_id": actor.company_id,
            "customer_id": p.customer_id,
            "label": p.label[:40],
            "form": p.form,
            "learned_at": now,
        }
        for p in lessons.patterns
    ]
    if found:
        uow.session.execute(dialect.insert(ReferencePatternRow).on_conflict_do_nothing(), found)


def _teach(uow: UnitOfWork, actor: Actor, line: BankLineRow, items: Sequence[OpenItem]) -> Lessons:
    profiles = {p.customer_id: p for p in customer_profiles(uow, actor.company_id)}
    chosen = [
        OpenInvoice(
            i.id,
            i.customer_id,
            i.document_number,
            i.reference,
            i.currency,
            i.open_minor,
            i.due_date,
        )
        for i in items
    ]
    lessons = learn(bank_line(line), chosen, profiles, own_accounts(uow, actor.company_id))
    _remember(uow, actor, lessons)
    return lessons


def _lessons_json(lessons: Lessons) -> dict[str, Any]:
    return {
        "aliases": [a.name for a in lessons.aliases],
        "accounts": [a.account for a in lessons.accounts],
        "patterns": [[p.label, p.form] for p in lessons.patterns],
    }


def _settle_by_hand(
    uow: UnitOfWork,
    actor: Actor,
    line: BankLineRow,
    postings: Sequence[Posting],
    items: Sequence[OpenItem],
    extra: dict[str, Any],
) -> BankLineRow:
    """Post the person's decision, learn from it, record it; the caller commits."""
    payment_ids = post(uow, actor, postings)
    lessons = _teach(uow, actor, line, items)
    applied = sum(a.amount_minor for p in postings for a in p.allocations)
    on_account = line.amount_minor - applied
    status = LineStatus.APPLIED if on_account == 0 else LineStatus.ON_ACCOUNT
    if any(p.deduction_reason is not None for p in postings):
        status = LineStatus.DEDUCTION
    data = {
        "status": status.value,
        "customer_id": postings[0].customer_id,
        "allocations": allocations_json([a for p in postings for a in p.allocations]),
        "on_account_minor": on_account,
        "confidence": 1.0,
        "reason": extra.pop("reason"),
        "payment_ids": payment_ids,
        "learned": _lessons_json(lessons),
        **extra,
    }
    record_decisions(uow, actor, [(line, status.value, data)], automatic=False)
    audit(uow, actor, "cashapp.decide", "bank_line", line.id, {"status": status.value})
    uow.publish(actor.company_id, "bank_line.settled", {"id": line.id, "status": status.value})
    return line


def match_manually(
    uow: UnitOfWork, actor: Actor, line_id: int, allocations: Sequence[tuple[int, int]]
) -> BankLineRow:
    """Settle a waiting line by hand: `allocations` are (invoice item id, cash in minor units).

    The invoices must belong to one payer (a customer or its group); cash left over stays on
    account. The payer's name, account and way of quoting numbers are learned.
    """
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        line = waiting_line(uow, actor, line_id)
        items = _invoices(uow, actor, line, allocations)
        parents = {i.customer_id: _parent(uow, i.customer_id) for i in items.values()}
        payer = _payer(list(items.values()), parents)
        chosen = _allocations(line, allocations, items)
        posting = Posting(line, payer, line.amount_minor, chosen)
        _settle_by_hand(
            uow, actor, line, [posting], list(items.values()), {"reason": "matched by hand"}
        )
        uow.commit()
        return get_line_row(uow, actor, line_id)


def split(
    uow: UnitOfWork, actor: Actor, line_id: int, allocations: Sequence[tuple[int, int]]
) -> BankLineRow:
    """Settle one line for several unrelated customers: one payment per invoice owner.

    The parts must use the whole line: nothing is left on an account nobody chose.
    """
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        line = waiting_line(uow, actor, line_id)
        items = _invoices(uow, actor, line, allocations)
        if sum(amount for _, amount in allocations) != line.amount_minor:
            raise ValidationFailed(
                [
                    FieldError(
                        "allocations", f"must add up to the line's {line.amount_minor} minor units"
                    )
                ]
            )
        by_owner: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for item_id, amount in allocations:
            by_owner[items[item_id].customer_id].append((item_id, amount))
        postings = [
            Posting(line, owner, sum(a for _, a in parts), _allocations(line, parts, items))
            for owner, parts in by_owner.items()
        ]
        _settle_by_hand(
            uow, actor, line, postings, list(items.values()), {"reason": "split by hand"}
        )
        uow.commit()
        return get_line_row(uow, actor, line_id)


def latest_decision(uow: UnitOfWork, actor: Actor, line_id: int) -> dict[str, Any] | None:
    return uow.session.scalar(
        select(MatchDecisionRow.decision)
        .where(MatchDecisionRow.company_id == actor.company_id, MatchDecisionRow.line_id == line_id)
        .order_by(MatchDecisionRow.id.desc())
        .limit(1)
    )


def accept_suggestion(uow: UnitOfWork, actor: Actor, line_id: int, index: int) -> BankLineRow:
    """Take the engine's `index`-th suggestion for a waiting line (0 is the best ranked)."""
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        line = waiting_line(uow, actor, line_id)
        suggestions = (latest_decision(uow, actor, line_id) or {}).get("suggestions", [])
        if not 0 <= index < len(suggestions):
            raise ValidationFailed(
                [FieldError("index", f"the line has {len(suggestions)} suggestions")]
            )
        chosen = suggestions[index]
        allocated = allocations_of(chosen["allocations"])
        items = _invoices(uow, actor, line, [(a.item_id, a.amount_minor) for a in allocated])
        customer = chosen["customer_id"] or _payer(list(items.values()), {})
        short = chosen["reason"] if chosen["deduction_minor"] else None
        posting = Posting(line, customer, line.amount_minor, allocated, short)
        reason = f"suggestion {index} accepted: {chosen['reason']}"
        _settle_by_hand(uow, actor, line, [posting], list(items.values()), {"reason": reason})
        uow.commit()
        return get_line_row(uow, actor, line_id)


def ignore(uow: UnitOfWork, actor: Actor, line_id: int, reason: str) -> BankLineRow:
    """Set a line aside for good (a refund, a transfer): it leaves the queue unposted."""
    actor.require(Permission.PAYMENT_APPLY)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "say why the line is ignored")])
    with uow:
        line = waiting_line(uow, actor, line_id)
        data = {
            "status": LineStatus.IGNORED.value,
            "customer_id": None,
            "confidence": None,
            "reason": reason.strip(),
        }
        record_decisions(uow, actor, [(line, LineStatus.IGNORED.value, data)], automatic=False)
        audit(uow, actor, "cashapp.ignore", "bank_line", line.id, {"reason": reason.strip()})
        uow.commit()
        return get_line_row(uow, actor, line_id)


def _parent(uow: UnitOfWork, customer_id: int) -> int | None:
    return uow.session.scalar(select(Customer.parent_id).where(Customer.id == customer_id))


def get_line_row(uow: UnitOfWork, actor: Actor, line_id: int) -> BankLineRow:
    """One bank line of the caller's company, freshly read."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        line = uow.session.get(BankLineRow, line_id, populate_existing=True)
        if line is None or line.company_id != actor.company_id:
            raise NotFound("bank line", line_id)
        return line
