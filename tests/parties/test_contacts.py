"""Addresses, contacts and bank accounts of a customer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from o2c.kernel.errors import NotFound, ValidationFailed
from o2c.parties.contacts import (
    add_address,
    add_bank_account,
    add_contact,
    customers_by_iban,
    list_addresses,
    list_bank_accounts,
    list_contacts,
    remove_address,
    remove_bank_account,
)
from o2c.parties.model import (
    AddressCreate,
    AddressKind,
    BankAccountCreate,
    ContactCreate,
    ContactRole,
    CustomerCreate,
)
from o2c.parties.service import create_customer
from o2c.security.model import system_actor
from o2c.security.service import create_company
from o2c.security.tables import AuditRecord


def a_customer(uow, actor, code="C1"):
    return create_customer(uow, actor, CustomerCreate(code, f"Customer {code}")).id


def an_address(kind=AddressKind.BILLING, city="Berlin", **fields):
    return AddressCreate(kind, "Hauptstr. 1", city, "DE", **fields)


def test_a_new_default_address_replaces_the_previous_default_of_its_kind(uow, actor):
    customer = a_customer(uow, actor)
    add_address(uow, actor, customer, an_address(city="Berlin"))
    add_address(uow, actor, customer, an_address(AddressKind.SHIPPING, city="Hamburg"))

    add_address(uow, actor, customer, an_address(city="Munich"))

    addresses = list_addresses(uow, actor, customer)
    assert [(a.kind, a.city, a.is_default) for a in addresses] == [
        (AddressKind.BILLING, "Munich", True),
        (AddressKind.BILLING, "Berlin", False),
        (AddressKind.SHIPPING, "Hamburg", True),
    ]


def test_address_rules(uow, actor):
    customer = a_customer(uow, actor)

    with pytest.raises(ValidationFailed) as caught:
        add_address(uow, actor, customer, AddressCreate(AddressKind.BILLING, "", "", "Deutschland"))

    assert [e.field for e in caught.value.errors] == ["line1", "city", "country"]


def test_contacts_are_listed_by_role(uow, actor):
    customer = a_customer(uow, actor)
    add_contact(uow, actor, customer, ContactCreate("Ann", email="ann@c1.example"))
    add_contact(
        uow, actor, customer, ContactCreate("Bob", phone="+49 30 123", role=ContactRole.PURCHASING)
    )

    assert [c.name for c in list_contacts(uow, actor, customer, ContactRole.AR)] == ["Ann"]
    assert [c.name for c in list_contacts(uow, actor, customer)] == ["Ann", "Bob"]


def test_bank_accounts_are_stored_in_electronic_form_and_found_by_iban(uow, actor):
    first = a_customer(uow, actor, "C1")
    second = a_customer(uow, actor, "C2")

    account = add_bank_account(
        uow, actor, first, BankAccountCreate("de89 3704 0044 0532 0130 00", bic="cobadeffxxx")
    )
    add_bank_account(uow, actor, second, BankAccountCreate("DE89370400440532013000"))

    assert (account.iban, account.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    assert list_bank_accounts(uow, actor, first) == [account]
    assert customers_by_iban(uow, actor.company_id, ["DE89 3704 0044 0532 0130 00"]) == {
        "DE89370400440532013000": [first, second]
    }


def test_a_mistyped_iban_is_refused(uow, actor):
    customer = a_customer(uow, actor)

    with pytest.raises(ValidationFailed, match="check digits do not match"):
        add_bank_account(uow, actor, customer, BankAccountCreate("DE89370400440532013001"))


def test_removals_are_audited_on_the_customer(uow, actor):
    customer = a_customer(uow, actor)
    address = add_address(uow, actor, customer, an_address())
    account = add_bank_account(uow, actor, customer, BankAccountCreate("DE89370400440532013000"))

    remove_address(uow, actor, customer, address.id)
    remove_bank_account(uow, actor, customer, account.id)

    assert list_addresses(uow, actor, customer) == []
    with uow:
        actions = uow.session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.entity == "customer", AuditRecord.entity_id == str(customer))
            .order_by(AuditRecord.id)
        ).all()
    assert actions == [
        "customer.create",
        "address.add",
        "bank_account.add",
        "address.remove",
        "bank_account.remove",
    ]


def test_another_companys_details_are_out_of_reach(uow, actor):
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "GBP")
        uow.commit()
    theirs = a_customer(uow, system_actor(other.id), "C1")
    address = add_address(uow, system_actor(other.id), theirs, an_address())

    with pytest.raises(NotFound):
        list_addresses(uow, actor, theirs)
    with pytest.raises(NotFound):
        remove_address(uow, actor, theirs, address.id)
    with pytest.raises(NotFound):
        add_contact(uow, actor, theirs, ContactCreate("Eve", email="eve@example.com"))
