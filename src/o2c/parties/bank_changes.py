"""Changes to where a customer's money comes from and goes to, under four eyes.

A bank account added or removed by a clerk is a request; another user with the master-data
right approves it (then it is made) or rejects it. The requester can never approve their own
change (`require_different`), so redirecting a customer's refunds takes two people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from o2c.parties.contacts import _owned, delete_bank_account, insert_bank_account
from o2c.parties.model import BankAccountCreate, bank_account_problems, normalize_iban
from o2c.parties.service import customer_row
from o2c.parties.tables import BankDetailChange
from o2c.parties.tables import CustomerBankAccount as BankAccountRow
from o2c.security.model import Actor, Permission, require_different
from o2c.security.service import audit


class ChangeKind(StrEnum):
    ADD = "add"
    REMOVE = "remove"


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ChangeRequest:
    kind: ChangeKind
    account: BankAccountCreate | None = None  # for ADD
    bank_account_id: int | None = None  # for REMOVE


def request_bank_change(
    uow: UnitOfWork, actor: Actor, customer_id: int, request: ChangeRequest
) -> BankDetailChange:
    """Ask for a bank account to be added or removed; nothing changes until approved."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        change = BankDetailChange(
            company_id=actor.company_id,
            customer_id=customer_id,
            kind=request.kind.value,
            status=ChangeStatus.PENDING.value,
            requested_by=actor.name,
            requested_at=uow.clock.now(),
        )
        if request.kind is ChangeKind.ADD:
            account = request.account
            if account is None:
                raise ValidationFailed("an added bank account needs its IBAN")
            errors = bank_account_problems(account)
            if errors:
                raise ValidationFailed(errors)
            change.iban = normalize_iban(account.iban)
            change.bic = None if account.bic is None else account.bic.upper()
            change.holder = account.holder
        else:
            if request.bank_account_id is None:
                raise ValidationFailed("a removal names the bank account")
            account_id = request.bank_account_id
            _owned(uow, BankAccountRow, "bank account", actor, customer_id, account_id)
            change.bank_account_id = account_id
        uow.session.add(change)
        uow.session.flush()
        audit(
            uow,
            actor,
            "bank_change.requested",
            "customer",
            customer_id,
            {"change_id": change.id, "kind": change.kind, "iban": change.iban},
        )
        uow.commit()
        return change


def _pending(uow: UnitOfWork, actor: Actor, change_id: int) -> BankDetailChange:
    change = uow.session.get(BankDetailChange, change_id, with_for_update=True)
    if change is None or change.company_id != actor.company_id:
        raise NotFound("bank detail change", change_id)
    if change.status != ChangeStatus.PENDING:
        raise InvalidTransition(f"bank detail change {change_id} is already {change.status}")
    return change


def approve_bank_change(uow: UnitOfWork, actor: Actor, change_id: int) -> BankDetailChange:
    """Make a requested change; only a user other than the requester may."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        change = _pending(uow, actor, change_id)
        require_different(change.requested_by, actor, f"bank detail change {change_id}")
        if change.kind == ChangeKind.ADD:
            account = BankAccountCreate(str(change.iban), change.bic, change.holder)
            insert_bank_account(uow, actor, change.customer_id, account)
        else:
            delete_bank_account(uow, actor, change.customer_id, int(change.bank_account_id or 0))
        _decide(uow, actor, change, ChangeStatus.APPROVED)
        uow.commit()
        return change


def reject_bank_change(uow: UnitOfWork, actor: Actor, change_id: int) -> BankDetailChange:
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        change = _pending(uow, actor, change_id)
        _decide(uow, actor, change, ChangeStatus.REJECTED)
        uow.commit()
        return change


def _decide(uow: UnitOfWork, actor: Actor, change: BankDetailChange, status: ChangeStatus) -> None:
    change.status = status.value
    change.decided_by = actor.name
    change.decided_at = uow.clock.now()
    audit(
        uow,
        actor,
        f"bank_change.{status.value}",
        "customer",
        change.customer_id,
        {"change_id": change.id, "requested_by": change.requested_by},
    )


def list_bank_changes(
    uow: UnitOfWork, actor: Actor, status: ChangeStatus | None = ChangeStatus.PENDING
) -> list[BankDetailChange]:
    actor.require(Permission.LEDGER_READ)
    conditions = [BankDetailChange.company_id == actor.company_id]
    if status is not None:
        conditions.append(BankDetailChange.status == status.value)
    customer_id = actor.customer_filter(None)
    if customer_id is not None:
        conditions.append(BankDetailChange.customer_id == customer_id)
    with uow:
        return list(
            uow.session.scalars(
                select(BankDetailChange).where(*conditions).order_by(BankDetailChange.id)
            )
        )
