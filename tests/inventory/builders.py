"""Builders for stock tests: products, warehouses and stock on hand, through the services."""

from __future__ import annotations

from decimal import Decimal

from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product, install_defaults
from o2c.db.uow import UnitOfWork
from o2c.inventory.service import MoveCommand, create_warehouse, receive_stock
from o2c.kernel.money import Money
from o2c.security.model import Actor

_skus = iter(range(1, 10**9))


def a_product(
    uow: UnitOfWork,
    actor: Actor,
    price: str = "10.00",
    currency: str = "EUR",
    tax_category: str = "standard",
    stocked: bool = True,
    sku: str | None = None,
) -> int:
    install_defaults(uow, actor)
    product = create_product(
        uow,
        actor,
        ProductCreate(
            sku=sku or f"SKU-{next(_skus)}",
            name="Widget",
            price=Money(price, currency),
            tax_category=tax_category,
            stocked=stocked,
        ),
    )
    return product.id


def a_warehouse(
    uow: UnitOfWork, actor: Actor, code: str = "MAIN", allow_negative: bool = False
) -> int:
    return create_warehouse(uow, actor, code, f"Warehouse {code}", allow_negative).id


def stock(uow: UnitOfWork, actor: Actor, product_id: int, warehouse_id: int, quantity: str) -> None:
    receive_stock(uow, actor, MoveCommand(product_id, warehouse_id, Decimal(quantity)))
