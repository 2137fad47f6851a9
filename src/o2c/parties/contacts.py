"""Where and whom to bill, ship to and remind, and how a customer pays: addresses, contacts
and bank accounts (service level; every change is audited against its customer)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select, update

from o2c.db.base import Base
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound, ValidationFailed
from o2c.parties.model import (
    Address,
    AddressCreate,
    AddressKind,
    BankAccount,
    BankAccountCreate,
    Contact,
    ContactCreate,
    ContactRole,
    address_problems,
    bank_account_problems,
    contact_problems,
    normalize_iban,
)
from o2c.parties.service import chunks, customer_row
from o2c.parties.tables import Address as AddressRow
from o2c.parties.tables import Contact as ContactRow
from o2c.parties.tables import CustomerBankAccount as BankAccountRow
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

RowT = TypeVar("RowT", bound=Base)


def _address(row: AddressRow) -> Address:
    return Address(
        id=row.id,
        customer_id=row.customer_id,
        kind=AddressKind(row.kind),
        line1=row.line1,
        line2=row.line2,
        city=row.city,
        postal_code=row.postal_code,
        region=row.region,
        country=row.country,
        is_default=row.is_default,
    )


def _contact(row: ContactRow) -> Contact:
    return Contact(row.id, row.customer_id, row.name, row.email, row.phone, ContactRole(row.role))


def _bank_account(row: BankAccountRow) -> BankAccount:
    return BankAccount(row.id, row.customer_id, row.iban, row.bic, row.holder)


def _owned(
    uow: UnitOfWork, kind: type[RowT], label: str, actor: Actor, customer_id: int, row_id: int
) -> RowT:
    """The row if it belongs to this customer of the actor's company, else NotFound."""
    row = uow.session.get(kind, row_id)
    owner = (getattr(row, "company_id", None), getattr(row, "customer_id", None))
    if row is None or owner != (actor.company_id, customer_id):
        raise NotFound(label, row_id)
    return row


def _record(
    uow: UnitOfWork, actor: Actor, action: str, customer_id: int, data: dict[str, Any]
) -> None:
    """Audit against the customer, so its history shows every change to its details."""
    audit(uow, actor, action, "customer", customer_id, data)
    uow.publish(actor.company_id, "customer.updated", {"id": customer_id, "changes": [action]})


def add_address(uow: UnitOfWork, actor: Actor, customer_id: int, cmd: AddressCreate) -> Address:
    """Add an address; a new default replaces the customer's previous default of that kind."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = address_problems(cmd)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        if cmd.is_default:
            uow.session.execute(
                update(AddressRow)
                .where(
                    AddressRow.company_id == actor.company_id,
                    AddressRow.customer_id == customer_id,
                    AddressRow.kind == cmd.kind.value,
                )
                .values(is_default=False)
            )
        row = AddressRow(
            company_id=actor.company_id,
            customer_id=customer_id,
            kind=cmd.kind.value,
            line1=cmd.line1,
            line2=cmd.line2,
            city=cmd.city,
            postal_code=cmd.postal_code,
            region=cmd.region,
            country=cmd.country,
            is_default=cmd.is_default,
        )
        uow.session.add(row)
        uow.session.flush()
        _record(
            uow,
            actor,
            "address.add",
            customer_id,
            {"address_id": row.id, "kind": row.kind, "city": row.city, "country": row.country},
        )
        uow.commit()
        return _address(row)


def list_addresses(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[Address]:
    """The customer's addresses, billing before shipping, the default of each kind first."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        rows = uow.session.scalars(
            select(AddressRow)
            .where(AddressRow.company_id == actor.company_id, AddressRow.customer_id == customer_id)
            .order_by(AddressRow.kind, AddressRow.is_default.desc(), AddressRow.id)
        )
        return [_address(row) for row in rows]


def remove_address(uow: UnitOfWork, actor: Actor, customer_id: int, address_id: int) -> None:
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        row = _owned(uow, AddressRow, "address", actor, customer_id, address_id)
        _record(uow, actor, "address.remove", row.customer_id, {"address_id": row.id})
        uow.session.delete(row)
        uow.commit()


def add_contact(uow: UnitOfWork, actor: Actor, customer_id: int, cmd: ContactCreate) -> Contact:
    """Add a person to write to: AR contacts receive invoices, statements and reminders."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = contact_problems(cmd)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        row = ContactRow(
            company_id=actor.company_id,
            customer_id=customer_id,
            name=cmd.name,
            email=cmd.email,
            phone=cmd.phone,
            role=cmd.role.value,
        )
        uow.session.add(row)
        uow.session.flush()
        _record(
            uow,
            actor,
            "contact.add",
            customer_id,
            {"contact_id": row.id, "name": row.name, "role": row.role},
        )
        uow.commit()
        return _contact(row)


def list_contacts(
    uow: UnitOfWork, actor: Actor, customer_id: int, role: ContactRole | None = None
) -> list[Contact]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        query = select(ContactRow).where(
            ContactRow.company_id == actor.company_id, ContactRow.customer_id == customer_id
        )
        if role is not None:
            query = query.where(ContactRow.role == role.value)
        return [_contact(row) for row in uow.session.scalars(query.order_by(ContactRow.id))]


def remove_contact(uow: UnitOfWork, actor: Actor, customer_id: int, contact_id: int) -> None:
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        row = _owned(uow, ContactRow, "contact", actor, customer_id, contact_id)
        _record(uow, actor, "contact.remove", row.customer_id, {"contact_id": row.id})
        uow.session.delete(row)
        uow.commit()


def add_bank_account(
    uow: UnitOfWork, actor: Actor, customer_id: int, cmd: BankAccountCreate
) -> BankAccount:
    """Record an account the customer pays from (IBAN checked); cash application matches
    incoming payments to customers by it.

    Directly only by an administrator (set-up, imports); everyone else asks for the change
    and another user approves it (`o2c.parties.bank_changes`).
    """
    actor.require(Permission.COMPANY_ADMIN)
    return insert_bank_account(uow, actor, customer_id, cmd)


def insert_bank_account(
    uow: UnitOfWork, actor: Actor, customer_id: int, cmd: BankAccountCreate
) -> BankAccount:
    """The change itself, for callers that checked who may make it."""
    errors = bank_account_problems(cmd)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        row = BankAccountRow(
            company_id=actor.company_id,
            customer_id=customer_id,
            iban=normalize_iban(cmd.iban),
            bic=None if cmd.bic is None else cmd.bic.upper(),
            holder=cmd.holder,
        )
        uow.session.add(row)
        uow.session.flush()
        _record(
            uow,
            actor,
            "bank_account.add",
            customer_id,
            {"bank_account_id": row.id, "iban": row.iban},
        )
        uow.commit()
        return _bank_account(row)


def list_bank_accounts(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[BankAccount]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        customer_row(uow, actor.company_id, customer_id)
        rows = uow.session.scalars(
            select(BankAccountRow)
            .where(
                BankAccountRow.company_id == actor.company_id,
                BankAccountRow.customer_id == customer_id,
            )
            .order_by(BankAccountRow.id)
        )
        return [_bank_account(row) for row in rows]


def remove_bank_account(
    uow: UnitOfWork, actor: Actor, customer_id: int, bank_account_id: int
) -> None:
    """Directly only by an administrator, as `add_bank_account`."""
    actor.require(Permission.COMPANY_ADMIN)
    delete_bank_account(uow, actor, customer_id, bank_account_id)


def delete_bank_account(
    uow: UnitOfWork, actor: Actor, customer_id: int, bank_account_id: int
) -> None:
    """The change itself, for callers that checked who may make it."""
    with uow:
        row = _owned(uow, BankAccountRow, "bank account", actor, customer_id, bank_account_id)
        _record(
            uow,
            actor,
            "bank_account.remove",
            row.customer_id,
            {"bank_account_id": row.id, "iban": row.iban},
        )
        uow.session.delete(row)
        uow.commit()


def customers_by_iban(
    uow: UnitOfWork, company_id: int, ibans: Iterable[str]
) -> dict[str, list[int]]:
    """Customer ids per IBAN (any spacing or case), for matching incoming payments. An IBAN
    shared by several customers (a group paying centrally) lists them all."""
    wanted = sorted({normalize_iban(iban) for iban in ibans})
    result: dict[str, list[int]] = {}
    with uow:
        for part in chunks(wanted):
            rows = uow.session.execute(
                select(BankAccountRow.iban, BankAccountRow.customer_id)
                .where(BankAccountRow.company_id == company_id, BankAccountRow.iban.in_(part))
                .order_by(BankAccountRow.customer_id)
            )
            for iban, customer_id in rows:
                result.setdefault(iban, [])
                if customer_id not in result[iban]:
                    result[iban].append(customer_id)
    return result
