"""Ledger use cases: chart set-up, posting documents, applications, write-offs, period close.

Other domains compose their entries (pure functions of their documents) and post them here;
this is the only place that writes journal entries, open items and settlements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select, update

from o2c.db.bulk import insert_ids, insert_rows
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import (
    FieldError,
    InvalidTransition,
    NotFound,
    PeriodLocked,
    ValidationFailed,
)
from o2c.ledger.audit_batches import audit_batch
from o2c.ledger.held_items import HeldItem, hold_items, store_items
from o2c.ledger.model import (
    DEBIT_KINDS,
    DEFAULT_CHART,
    AccountRole,
    EntryDraft,
    ItemKind,
    LineDraft,
    check_balanced,
)
from o2c.ledger.posting import ComposedApplication, compose_application
from o2c.ledger.tables import (
    Account,
    Application,
    FxRate,
    JournalEntry,
    JournalLine,
    OpenItem,
    Settlement,
)
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company
from o2c.security.tables import Company


@dataclass(frozen=True)
class ItemDraft:
    """The open item a posted document leaves in the AR subledger (amounts signed, minor)."""

    customer_id: int
    kind: ItemKind
    source_id: int
    document_number: str
    currency: str
    amount: int
    base: int
    doc_date: date
    due_date: date
    role: AccountRole = AccountRole.AR_CONTROL
    reference: str | None = None
    discount_date: date | None = None
    discount: int = 0


@dataclass(frozen=True)
class PostedDocument:
    entry_id: int
    item_id: int | None


@dataclass(frozen=True)
class ApplyCommand:
    """Settle `amount` of the debit item with the credit item, plus discount and write-off."""

    debit_item_id: int | None
    credit_item_id: int | None
    amount: int
    applied_on: date
    discount: int = 0
    writeoff: int = 0
    memo: str = ""


def install_chart(uow: UnitOfWork, company_id: int) -> None:
    """Give a new company the default chart, one account for each posting role."""
    with uow:
        existing = set(
            uow.session.scalars(select(Account.code).where(Account.company_id == company_id))
        )
        for account in DEFAULT_CHART:
            if account.code not in existing:
                uow.session.add(
                    Account(
                        company_id=company_id,
                        code=account.code,
                        name=account.name,
                        kind=account.kind.value,
                        role=account.role.value if account.role else None,
                    )
                )
        uow.commit()


def accounts_by_role(uow: UnitOfWork, company_id: int) -> dict[AccountRole, int]:
    rows = uow.session.execute(
        select(Account.role, Account.id).where(
            Account.company_id == company_id, Account.role.is_not(None)
        )
    )
    return {AccountRole(role): account_id for role, account_id in rows if role is not None}


def list_accounts(uow: UnitOfWork, company_id: int) -> list[Account]:
    return list(
        uow.session.scalars(
            select(Account).where(Account.company_id == company_id).order_by(Account.code)
        )
    )


def set_fx_rate(
    uow: UnitOfWork, actor: Actor, currency: str, valid_from: date, rate: Decimal
) -> None:
    """Record the rate (base units per unit of `currency`) in force from `valid_from`."""
    actor.require(Permission.MASTER_DATA_WRITE)
    if rate <= 0:
        raise ValidationFailed([FieldError("rate", "must be positive")])
    with uow:
        row = uow.session.scalar(
            select(FxRate).where(
                FxRate.company_id == actor.company_id,
                FxRate.currency == currency,
                FxRate.valid_from == valid_from,
            )
        )
        if row is None:
            uow.session.add(
                FxRate(
                    company_id=actor.company_id, currency=currency, valid_from=valid_from, rate=rate
                )
            )
        else:
            row.rate = rate
        audit(uow, actor, "fx_rate.set", "fx_rate", f"{currency}@{valid_from}", {"rate": str(rate)})
        uow.commit()


def rate_on(uow: UnitOfWork, company_id: int, currency: str, day: date) -> Decimal:
    """The rate in force on `day`; 1 for the base currency."""
    company = get_company(uow, company_id)
    if currency == company.base_currency:
        return Decimal(1)
    rate = uow.session.scalar(
        select(FxRate.rate)
        .where(
            FxRate.company_id == company_id, FxRate.currency == currency, FxRate.valid_from <= day
        )
        .order_by(FxRate.valid_from.desc())
        .limit(1)
    )
    if rate is None:
        raise ValidationFailed(
            [FieldError("currency", f"no exchange rate for {currency} on or before {day}")]
        )
    return Decimal(rate)


def _check_open_period(company: Company, dates: Sequence[date]) -> None:
    if company.locked_through is None or not dates:
        return
    earliest = min(dates)
    if earliest <= company.locked_through:
        raise PeriodLocked(
            f"{earliest} is in a closed period (books locked through {company.locked_through})"
        )


def post_entries(uow: UnitOfWork, actor: Actor, drafts: Sequence[EntryDraft]) -> list[int]:
    """Write balanced entries with set-based inserts; refuse all if any is unbalanced or locked."""
    return [doc.entry_id for doc in post_documents(uow, actor, [(d, None) for d in drafts])]


def post_documents(
    uow: UnitOfWork, actor: Actor, documents: Sequence[tuple[EntryDraft, ItemDraft | None]]
) -> list[PostedDocument]:
    """Post each document's entry and the open item it leaves, all or nothing."""
    for entry, _ in documents:
        check_balanced(entry)
    with uow:
        company = get_company(uow, actor.company_id)
        _check_open_period(company, [entry.entry_date for entry, _ in documents])
        accounts = accounts_by_role(uow, actor.company_id)
        now = uow.clock.now()
        entry_ids = insert_ids(
            uow.session,
            JournalEntry,
            [
                {
                    "company_id": actor.company_id,
                    "entry_date": entry.entry_date,
                    "source_type": entry.source_type,
                    "source_id": entry.source_id,
                    "memo": entry.memo[:200],
                    "reverses_id": None,
                    "posted_at": now,
                    "posted_by": actor.name,
                }
                for entry, _ in documents
            ],
        )
        _insert_lines(
            uow, actor.company_id, accounts, zip(entry_ids, (e for e, _ in documents), strict=True)
        )
        item_rows = [
            _item_row(actor.company_id, accounts, item, entry_id)
            for entry_id, (_, item) in zip(entry_ids, documents, strict=True)
            if item is not None
        ]
        item_ids = iter(insert_ids(uow.session, OpenItem, item_rows))
        posted = [
            PostedDocument(entry_id, next(item_ids) if item is not None else None)
            for entry_id, (_, item) in zip(entry_ids, documents, strict=True)
        ]
        _audit_postings(uow, actor, entry_ids, [entry for entry, _ in documents])
        uow.commit()
        return posted


def _audit_postings(
    uow: UnitOfWork, actor: Actor, entry_ids: Sequence[int], entries: Sequence[EntryDraft]
) -> None:
    """One audit row per batch (see `audit_batches`), the entries counted by source."""
    if not entries:
        return
    sources: dict[str, int] = {}
    for entry in entries:
        sources[entry.source_type] = sources.get(entry.source_type, 0) + 1
    first = entries[0]
    alone = {"source": first.source_type, "source_id": first.source_id}
    audit_batch(
        uow, actor, "journal_entry.post", "journal_entry", entry_ids, alone, {"sources": sources}
    )


def _insert_lines(
    uow: UnitOfWork,
    company_id: int,
    accounts: dict[AccountRole, int],
    entries: Iterable[tuple[int, EntryDraft]],
) -> None:
    rows = [
        {
            "company_id": company_id,
            "entry_id": entry_id,
            "entry_date": entry.entry_date,
            "account_id": accounts[line.role],
            "customer_id": line.customer_id,
            "currency": line.currency,
            "amount_minor": line.amount,
            "base_minor": line.base,
            "memo": line.memo[:200],
        }
        for entry_id, entry in entries
        for line in entry.lines
    ]
    insert_rows(uow.session, JournalLine, rows)


def _item_row(
    company_id: int, accounts: dict[AccountRole, int], item: ItemDraft, entry_id: int
) -> dict[str, object]:
    return {
        "company_id": company_id,
        "customer_id": item.customer_id,
        "account_id": accounts[item.role],
        "kind": item.kind.value,
        "source_id": item.source_id,
        "document_number": item.document_number,
        "reference": item.reference,
        "currency": item.currency,
        "amount_minor": item.amount,
        "open_minor": item.amount,
        "base_minor": item.base,
        "open_base_minor": item.base,
        "doc_date": item.doc_date,
        "due_date": item.due_date,
        "discount_date": item.discount_date,
        "discount_minor": item.discount,
        "entry_id": entry_id,
        "closed_on": None,
    }


DEBIT_KIND_VALUES = frozenset(kind.value for kind in DEBIT_KINDS)


def _lock_items(uow: UnitOfWork, company_id: int, ids: set[int]) -> dict[int, OpenItem]:
    """Load and row-lock the items (in id order, so concurrent appliers never deadlock)."""
    items = uow.session.scalars(
        select(OpenItem)
        .where(OpenItem.company_id == company_id, OpenItem.id.in_(sorted(ids)))
        .order_by(OpenItem.id)
        .with_for_update()
    ).all()
    found = {item.id: item for item in items}
    missing = ids - found.keys()
    if missing:
        raise NotFound("open item", min(missing))
    return found


def apply_items(uow: UnitOfWork, actor: Actor, commands: Sequence[ApplyCommand]) -> list[int]:
    """Settle open items against each other (or write them off), each with a balanced entry.

    Commands run in order against the items' running open amounts, so one payment can be
    spread over many invoices in one call; any violation refuses the whole batch. The items
    are read and written as rows (no ORM object per item), so a cash-application run of
    100,000 payments stays set-based.
    """
    actor.require(Permission.PAYMENT_APPLY)
    if any(c.credit_item_id is None or c.debit_item_id is None for c in commands):
        actor.require(Permission.WRITE_OFF)
    with uow:
        company = get_company(uow, actor.company_id)
        _check_open_period(company, [c.applied_on for c in commands])
        ids = {i for c in commands for i in (c.debit_item_id, c.credit_item_id) if i is not None}
        items = hold_items(uow, actor.company_id, ids)
        accounts = accounts_by_role(uow, actor.company_id)
        roles = {account_id: role for role, account_id in accounts.items()}
        composed: list[tuple[ApplyCommand, ComposedApplication, HeldItem]] = []
        for command in commands:
            debit = items[command.debit_item_id] if command.debit_item_id else None
            credit = items[command.credit_item_id] if command.credit_item_id else None
            if debit is not None and debit.kind not in DEBIT_KIND_VALUES:
                raise ValidationFailed(f"{debit.document_number} is not a debit document")
            if credit is not None and credit.kind in DEBIT_KIND_VALUES:
                raise ValidationFailed(f"{credit.document_number} is not a credit document")
            result = compose_application(
                debit.state(roles) if debit else None,
                credit.state(roles) if credit else None,
                command.amount,
                command.discount,
                command.writeoff,
                command.applied_on,
                command.memo,
            )
            for relief in result.reliefs:
                item = items[relief.item_id]
                item.open_minor += relief.amount
                item.open_base_minor += relief.base
                item.closed_on = command.applied_on if item.open_minor == 0 else None
                item.changed = True
            side = debit or credit
            assert side is not None
            composed.append((command, result, side))
        store_items(uow, [item for item in items.values() if item.changed])
        entry_ids = post_entries(uow, actor, [result.entry for _, result, _ in composed])
        now = uow.clock.now()
        application_ids = insert_ids(
            uow.session,
            Application,
            [
                {
                    "company_id": actor.company_id,
                    "customer_id": side.customer_id,
                    "debit_item_id": command.debit_item_id,
                    "credit_item_id": command.credit_item_id,
                    "currency": side.currency,
                    "amount_minor": command.amount,
                    "discount_minor": command.discount,
                    "writeoff_minor": command.writeoff,
                    "applied_on": command.applied_on,
                    "entry_id": entry_id,
                    "reverses_id": None,
                    "reversed": False,
                    "memo": result.entry.memo[:200],
                    "created_at": now,
                    "created_by": actor.name,
                }
                for (command, result, side), entry_id in zip(composed, entry_ids, strict=True)
            ],
        )
        _insert_settlements(uow, actor.company_id, composed, application_ids)
        uow.commit()
        return application_ids


def _insert_settlements(
    uow: UnitOfWork,
    company_id: int,
    composed: Sequence[tuple[ApplyCommand, ComposedApplication, HeldItem]],
    application_ids: Sequence[int],
) -> None:
    rows = [
        {
            "company_id": company_id,
            "item_id": relief.item_id,
            "application_id": application_id,
            "settled_on": command.applied_on,
            "amount_minor": relief.amount,
            "base_minor": relief.base,
        }
        for (command, result, _), application_id in zip(composed, application_ids, strict=True)
        for relief in result.reliefs
    ]
    insert_rows(uow.session, Settlement, rows)


def write_off(
    uow: UnitOfWork, actor: Actor, item_id: int, amount: int, on: date, memo: str = ""
) -> int:
    """Write off `amount` of one open item: a receivable to bad debts, a credit to income."""
    with uow:
        item = owned(uow.session, OpenItem, actor.company_id, item_id, "open item")
        is_debit = item.kind in DEBIT_KIND_VALUES
        command = ApplyCommand(
            debit_item_id=item_id if is_debit else None,
            credit_item_id=None if is_debit else item_id,
            amount=0,
            applied_on=on,
            writeoff=amount,
            memo=memo,
        )
        [application_id] = apply_items(uow, actor, [command])
        uow.commit()
        return application_id


def reverse_application(uow: UnitOfWork, actor: Actor, application_id: int, on: date) -> int:
    """Undo an application (a bounced payment, a wrong match): reopen both items by reversal."""
    actor.require(Permission.PAYMENT_APPLY)
    with uow:
        original = uow.session.get(Application, application_id, with_for_update=True)
        if original is None or original.company_id != actor.company_id:
            raise NotFound("application", application_id)
        if original.reversed or original.reverses_id is not None:
            raise InvalidTransition(f"application {application_id} is already reversed")
        if on < original.applied_on:
            raise ValidationFailed(f"a reversal cannot be dated before {original.applied_on}")
        _check_open_period(get_company(uow, actor.company_id), [on])
        settlements = uow.session.scalars(
            select(Settlement).where(Settlement.application_id == application_id)
        ).all()
        items = _lock_items(uow, actor.company_id, {s.item_id for s in settlements})
        for settlement in settlements:
            item = items[settlement.item_id]
            item.open_minor -= settlement.amount_minor
            item.open_base_minor -= settlement.base_minor
            item.closed_on = on if item.open_minor == 0 else None
        [entry_id] = _reverse_entries(uow, actor, [original.entry_id], on)
        original.reversed = True
        reversal = Application(
            company_id=actor.company_id,
            customer_id=original.customer_id,
            debit_item_id=original.debit_item_id,
            credit_item_id=original.credit_item_id,
            currency=original.currency,
            amount_minor=-original.amount_minor,
            discount_minor=-original.discount_minor,
            writeoff_minor=-original.writeoff_minor,
            applied_on=on,
            entry_id=entry_id,
            reverses_id=original.id,
            reversed=False,
            memo=f"reversal of application {original.id}",
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(reversal)
        uow.session.flush()
        uow.session.execute(
            insert(Settlement),
            [
                {
                    "company_id": actor.company_id,
                    "item_id": s.item_id,
                    "application_id": reversal.id,
                    "settled_on": on,
                    "amount_minor": -s.amount_minor,
                    "base_minor": -s.base_minor,
                }
                for s in settlements
            ],
        )
        audit(
            uow,
            actor,
            "application.reverse",
            "application",
            application_id,
            {"reversal": reversal.id},
        )
        uow.commit()
        return reversal.id


def _reverse_entries(
    uow: UnitOfWork, actor: Actor, entry_ids: Sequence[int], on: date
) -> list[int]:
    lines = uow.session.scalars(
        select(JournalLine).where(JournalLine.entry_id.in_(entry_ids)).order_by(JournalLine.id)
    ).all()
    accounts = {v: k for k, v in accounts_by_role(uow, actor.company_id).items()}
    drafts = []
    for entry_id in entry_ids:
        drafts.append(
            EntryDraft(
                on,
                "reversal",
                entry_id,
                f"reversal of entry {entry_id}",
                [
                    LineDraft(
                        accounts[line.account_id],
                        -line.amount_minor,
                        line.currency,
                        -line.base_minor,
                        line.customer_id,
                        line.memo,
                    )
                    for line in lines
                    if line.entry_id == entry_id
                ],
            )
        )
    new_ids = post_entries(uow, actor, drafts)
    uow.session.execute(
        update(JournalEntry),
        [{"id": new, "reverses_id": old} for new, old in zip(new_ids, entry_ids, strict=True)],
    )
    return new_ids


def close_period(uow: UnitOfWork, actor: Actor, through: date) -> None:
    """Lock the books through `through`: nothing can be posted on or before it any more."""
    actor.require(Permission.PERIOD_CLOSE)
    with uow:
        company = uow.session.get(Company, actor.company_id, with_for_update=True)
        if company is None:
            raise NotFound("company", actor.company_id)
        if company.locked_through is not None and through < company.locked_through:
            raise InvalidTransition(
                f"books are already locked through {company.locked_through}; reopen first"
            )
        before = company.locked_through
        company.locked_through = through
        audit(
            uow,
            actor,
            "period.close",
            "company",
            company.id,
            {"before": str(before) if before else None, "after": str(through)},
        )
        uow.commit()


def reopen_period(uow: UnitOfWork, actor: Actor, through: date | None) -> None:
    """Move the lock date back (an audited controller decision)."""
    actor.require(Permission.PERIOD_CLOSE)
    with uow:
        company = uow.session.get(Company, actor.company_id, with_for_update=True)
        if company is None:
            raise NotFound("company", actor.company_id)
        before = company.locked_through
        if before is None or (through is not None and through >= before):
            raise InvalidTransition("reopening must move the lock date back")
        company.locked_through = through
        audit(
            uow,
            actor,
            "period.reopen",
            "company",
            company.id,
            {"before": str(before), "after": str(through) if through else None},
        )
        uow.commit()


def get_item(uow: UnitOfWork, actor: Actor, item_id: int) -> OpenItem:
    return owned(uow.session, OpenItem, actor.company_id, item_id, "open item")
