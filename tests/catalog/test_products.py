"""Products and prices: master data the order and billing domains read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.catalog.model import PriceBreak, PriceListCreate, ProductCreate, ProductUpdate
from o2c.catalog.service import (
    create_price_list,
    create_product,
    find_product,
    get_price_list,
    get_products,
    install_defaults,
    list_products,
    price_for,
    set_price_list_items,
    update_product,
)
from o2c.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from o2c.kernel.money import Money
from o2c.security.model import Actor, Role, system_actor
from o2c.security.service import create_company
from o2c.security.tables import AuditRecord


@pytest.fixture
def catalog(uow, actor):
    install_defaults(uow, actor)
    return actor


def a_product(uow, actor, sku="W-1", price="10.00", currency="EUR", **fields):
    return create_product(
        uow, actor, ProductCreate(sku, f"Product {sku}", Money(price, currency), **fields)
    )


def another_company(uow):
    with uow:
        company = create_company(uow, "OTHER", "Other Ltd", "GBP")
        uow.commit()
    actor = system_actor(company.id, "other")
    install_defaults(uow, actor)
    return actor


def test_created_product_is_found_by_sku_and_id(uow, catalog):
    product = a_product(uow, catalog, "W-1", "12.50", unit="kg", stocked=False)

    assert find_product(uow, catalog.company_id, "W-1") == product
    assert get_products(uow, catalog.company_id, [product.id]) == {product.id: product}
    assert (product.price, product.unit, product.stocked) == (Money("12.50", "EUR"), "kg", False)


def test_product_problems_are_reported_together(uow, catalog):
    a_product(uow, catalog, "W-1")

    with pytest.raises(ValidationFailed) as caught:
        create_product(
            uow,
            catalog,
            ProductCreate("W-1", "", Money("-1", "EUR"), tax_category="luxury", unit="?"),
        )

    assert {e.field for e in caught.value.errors} == {"name", "unit", "price", "tax_category"}


def test_a_taken_sku_is_refused(uow, catalog):
    a_product(uow, catalog, "W-1")

    with pytest.raises(ValidationFailed, match="'W-1' already exists"):
        a_product(uow, catalog, "W-1")


def test_products_need_a_known_tax_category(uow, actor):
    with pytest.raises(ValidationFailed, match="install the defaults first"):
        a_product(uow, actor)


def test_another_companys_products_are_invisible(uow, catalog):
    theirs = a_product(uow, another_company(uow), "W-1", currency="GBP")

    assert get_products(uow, catalog.company_id, [theirs.id]) == {}
    with pytest.raises(NotFound):
        find_product(uow, catalog.company_id, "W-1")
    with pytest.raises(NotFound):
        update_product(uow, catalog, theirs.id, ProductUpdate(name="Mine now"))


def test_price_change_is_audited_with_before_and_after(uow, catalog):
    product = a_product(uow, catalog, "W-1", "10.00")

    changed = update_product(uow, catalog, product.id, ProductUpdate(price=Money("11.00", "EUR")))

    assert changed.price == Money("11.00", "EUR")
    with uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "product.update")
        ).one()
    assert record.data == {"price": {"from": "10.00 EUR", "to": "11.00 EUR"}}


def test_clerks_without_master_data_rights_cannot_create_products(uow, catalog):
    collector = Actor("coll", catalog.company_id, frozenset({Role.COLLECTOR}))

    with pytest.raises(PermissionDenied):
        a_product(uow, collector)


def test_product_listing_pages_and_searches(uow, catalog):
    for sku in ("A-1", "B-1", "B-2", "C-1"):
        a_product(uow, catalog, sku)

    page, total = list_products(uow, catalog, limit=2, offset=1)
    found, matching = list_products(uow, catalog, search="b-")

    assert ([p.sku for p in page], total) == (["B-1", "B-2"], 4)
    assert ([p.sku for p in found], matching) == (["B-1", "B-2"], 2)


def test_price_list_applies_the_largest_quantity_break_reached(uow, catalog):
    product = a_product(uow, catalog, "W-1", "10.00")
    price_list = create_price_list(
        uow,
        catalog,
        PriceListCreate(
            "VOLUME",
            "Volume buyers",
            "EUR",
            (
                PriceBreak(product.id, Money("9.00", "EUR"), Decimal(10)),
                PriceBreak(product.id, Money("8.00", "EUR"), Decimal(100)),
            ),
        ),
    )

    def price(quantity):
        return price_for(uow, catalog.company_id, product.id, price_list.id, Decimal(quantity))

    assert price("1") == Money("10.00", "EUR")
    assert price("9.999") == Money("10.00", "EUR")
    assert price("10") == Money("9.00", "EUR")
    assert price("99") == Money("9.00", "EUR")
    assert price("100") == Money("8.00", "EUR")
    assert price_for(uow, catalog.company_id, product.id, None, Decimal(500)) == Money(
        "10.00", "EUR"
    )


def test_price_list_items_are_replaced_as_a_whole(uow, catalog):
    product = a_product(uow, catalog, "W-1", "10.00")
    price_list = create_price_list(
        uow,
        catalog,
        PriceListCreate("VIP", "VIP", "EUR", (PriceBreak(product.id, Money("9.00", "EUR")),)),
    )

    set_price_list_items(
        uow, catalog, price_list.id, [PriceBreak(product.id, Money("7.50", "EUR"), Decimal(5))]
    )

    [item] = get_price_list(uow, catalog, price_list.id).items
    assert (item.min_quantity, item.price) == (Decimal(5), Money("7.50", "EUR"))
    assert price_for(uow, catalog.company_id, product.id, price_list.id, Decimal(1)) == Money(
        "10.00", "EUR"
    )


def test_price_list_lines_are_checked_against_the_list(uow, catalog):
    product = a_product(uow, catalog, "W-1")

    with pytest.raises(ValidationFailed) as caught:
        create_price_list(
            uow,
            catalog,
            PriceListCreate(
                "USD",
                "Dollar list",
                "USD",
                (
                    PriceBreak(product.id, Money("9.00", "EUR"), Decimal(1)),
                    PriceBreak(product.id, Money("9.00", "USD")),
                    PriceBreak(product.id, Money("8.00", "USD"), Decimal("0.0")),
                    PriceBreak(999_999, Money("1.00", "USD"), Decimal(-1)),
                ),
            ),
        )

    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("items[0].price", "must be in the list's currency USD"),
        ("items[2]", "repeats the break at 0.0 for this product"),
        ("items[3].min_quantity", "must not be negative"),
        ("items[3].product_id", "unknown product 999999"),
    ]


def test_price_for_refuses_a_non_positive_quantity_and_foreign_lists(uow, catalog):
    product = a_product(uow, catalog)
    other = another_company(uow)
    their_list = create_price_list(uow, other, PriceListCreate("L", "L", "GBP"))

    with pytest.raises(ValidationFailed, match="quantity"):
        price_for(uow, catalog.company_id, product.id, None, Decimal(0))
    with pytest.raises(NotFound):
        price_for(uow, catalog.company_id, product.id, their_list.id, Decimal(1))
