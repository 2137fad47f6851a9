"""Customers: creation rules, changes, look-ups, and the customer hierarchy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.catalog.model import PriceListCreate
from o2c.catalog.service import create_price_list, install_defaults
from o2c.db.outbox import OutboxEvent
from o2c.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties.model import CustomerCreate, CustomerUpdate, InvoiceOn
from o2c.parties.service import (
    create_customer,
    customer_codes,
    customer_ids,
    customer_tree,
    find_customer,
    get_customer,
    list_customers,
    update_customer,
)
from o2c.security.model import Actor, Role, system_actor
from o2c.security.service import create_company
from o2c.security.tables import AuditRecord


def a_customer(uow, actor, code="C1", **fields):
    return create_customer(uow, actor, CustomerCreate(code, f"Customer {code}", **fields))


def another_company(uow):
    with uow:
        company = create_company(uow, "OTHER", "Other Ltd", "GBP")
        uow.commit()
    return system_actor(company.id, "other")


def test_a_new_customer_takes_the_company_currency_and_its_terms_by_code(uow, actor):
    install_defaults(uow, actor)
    create_price_list(uow, actor, PriceListCreate("VIP", "VIP customers", "EUR"))

    customer = a_customer(
        uow,
        actor,
        "C1",
        country="DE",
        email="ar@c1.example",
        payment_term="2/10NET30",
        price_list="VIP",
        credit_limit=Money("25000", "EUR"),
        invoice_on=InvoiceOn.ORDER,
        attributes={"segment": "retail"},
    )

    assert get_customer(uow, actor, customer.id) == customer
    assert customer.currency == "EUR"
    assert (customer.payment_term, customer.price_list) == ("2/10NET30", "VIP")
    assert customer.credit_limit == Money("25000.00", "EUR")
    assert customer.attributes == {"segment": "retail"}


def test_every_problem_of_a_new_customer_is_reported_at_once(uow, actor):
    a_customer(uow, actor, "C1")
    create_price_list(uow, actor, PriceListCreate("USD", "Dollar prices", "USD"))

    with pytest.raises(ValidationFailed) as caught:
        a_customer(
            uow,
            actor,
            "C1",
            email="not-an-email",
            parent_id=999_999,
            payment_term="NET999",
            price_list="USD",
            credit_limit=Money("100", "USD"),
        )

    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("email", "not an email address"),
        ("credit_limit", "must be in the customer's currency EUR"),
        ("code", "'C1' already exists"),
        ("parent_id", "unknown customer 999999"),
        ("payment_term", "unknown payment term 'NET999'"),
        ("price_list", "'USD' is in USD, the customer in EUR"),
    ]


def test_creation_is_audited_and_published(uow, actor):
    customer = a_customer(uow, actor, "C1")

    with uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "customer.create")
        ).one()
        event = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.topic == "customer.created")
        ).one()
    assert (record.entity_id, record.actor, record.data["code"]) == (
        str(customer.id),
        "tester",
        "C1",
    )
    assert event.payload == {"id": customer.id, "code": "C1"}


def test_changes_are_audited_field_by_field(uow, actor):
    install_defaults(uow, actor)
    customer = a_customer(uow, actor, "C1", email="old@c1.example", payment_term="NET30")

    changed = update_customer(
        uow,
        actor,
        customer.id,
        CustomerUpdate(email="new@c1.example", payment_term=None, credit_limit=Money(500, "EUR")),
    )

    assert (changed.email, changed.payment_term, changed.name) == (
        "new@c1.example",
        None,
        "Customer C1",
    )
    with uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "customer.update")
        ).one()
    assert record.data == {
        "email": {"from": "old@c1.example", "to": "new@c1.example"},
        "payment_term": {"from": "NET30", "to": None},
        "credit_limit": {"from": None, "to": "500.00 EUR"},
    }


def test_a_refused_change_changes_nothing(uow, actor):
    customer = a_customer(uow, actor, "C1", email="ar@c1.example")

    with pytest.raises(ValidationFailed):
        update_customer(uow, actor, customer.id, CustomerUpdate(email="x", payment_term="NOPE"))

    assert get_customer(uow, actor, customer.id) == customer


def test_a_parent_cannot_move_below_its_own_descendant(uow, actor):
    group = a_customer(uow, actor, "GROUP")
    branch = a_customer(uow, actor, "BRANCH", parent_id=group.id)
    shop = a_customer(uow, actor, "SHOP", parent_id=branch.id)

    with pytest.raises(ValidationFailed, match="would make the customer its own ancestor"):
        update_customer(uow, actor, group.id, CustomerUpdate(parent_id=shop.id))
    with pytest.raises(ValidationFailed, match="own ancestor"):
        update_customer(uow, actor, group.id, CustomerUpdate(parent_id=group.id))


def test_customer_tree_shows_ancestors_from_the_root_and_descendants_nearest_first(uow, actor):
    group = a_customer(uow, actor, "GROUP")
    north = a_customer(uow, actor, "NORTH", parent_id=group.id)
    south = a_customer(uow, actor, "SOUTH", parent_id=group.id)
    shop = a_customer(uow, actor, "N-SHOP", parent_id=north.id)
    a_customer(uow, actor, "LONER")

    tree = customer_tree(uow, actor, group.id)
    leaf = customer_tree(uow, actor, shop.id)

    assert tree.ancestors == []
    assert [c.code for c in tree.descendants] == ["NORTH", "SOUTH", "N-SHOP"]
    assert [c.code for c in leaf.ancestors] == ["GROUP", "NORTH"]
    assert leaf.descendants == []
    assert south.parent_id == group.id


def test_codes_and_ids_translate_both_ways_within_the_company(uow, actor):
    c1 = a_customer(uow, actor, "C1")
    c2 = a_customer(uow, actor, "C2")
    theirs = a_customer(uow, another_company(uow), "C3")

    assert customer_codes(uow, actor.company_id, [c1.id, c2.id, theirs.id]) == {
        c1.id: "C1",
        c2.id: "C2",
    }
    assert customer_ids(uow, actor.company_id, ["C1", "C3", "NOPE"]) == {"C1": c1.id}


def test_another_companys_customer_is_not_found(uow, actor):
    theirs = a_customer(uow, another_company(uow), "C1")

    with pytest.raises(NotFound):
        get_customer(uow, actor, theirs.id)
    with pytest.raises(NotFound):
        find_customer(uow, actor, "C1")
    with pytest.raises(ValidationFailed, match="unknown customer"):
        a_customer(uow, actor, "MINE", parent_id=theirs.id)


def test_listing_pages_searches_and_filters(uow, actor):
    group = a_customer(uow, actor, "A-GROUP", tax_id="DE111")
    for code in ("B-1", "B-2", "C-1"):
        a_customer(uow, actor, code, parent_id=group.id)
    update_customer(uow, actor, group.id, CustomerUpdate(active=False))

    page, total = list_customers(uow, actor, limit=2, offset=1)
    children, _ = list_customers(uow, actor, parent_id=group.id, search="b-")
    by_tax_id, _ = list_customers(uow, actor, search="de111")
    inactive, _ = list_customers(uow, actor, active=False)

    assert ([c.code for c in page], total) == (["B-1", "B-2"], 4)
    assert [c.code for c in children] == ["B-1", "B-2"]
    assert [c.code for c in by_tax_id] == [c.code for c in inactive] == ["A-GROUP"]


def test_readers_need_no_write_rights_but_writers_do(uow, actor):
    customer = a_customer(uow, actor, "C1")
    auditor = Actor("auditor", actor.company_id, frozenset({Role.AUDITOR}))

    assert find_customer(uow, auditor, "C1") == customer
    with pytest.raises(PermissionDenied):
        update_customer(uow, auditor, customer.id, CustomerUpdate(name="Renamed"))


def test_credit_limit_keeps_the_minor_units_of_the_currency(uow, actor):
    customer = a_customer(uow, actor, "JP", currency="JPY", credit_limit=Money("1000000", "JPY"))

    assert get_customer(uow, actor, customer.id).credit_limit == Money(Decimal(1000000), "JPY")
