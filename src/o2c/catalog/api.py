"""The catalog API: products and their prices, price lists, tax rates and payment terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status

from o2c.catalog.schemas import (
    PaymentTermIn,
    PaymentTermRead,
    PriceBreakIn,
    PriceListIn,
    PriceListRead,
    PriceQuoteRead,
    ProductIn,
    ProductPatch,
    ProductRead,
    TaxRateIn,
    TaxRateRead,
)
from o2c.catalog.service import (
    create_payment_term,
    create_price_list,
    create_product,
    find_product,
    get_payment_term,
    get_price_list,
    get_product,
    list_payment_terms,
    list_price_lists,
    list_products,
    price_for,
    set_price_list_items,
    set_tax_rate,
    tax_rates,
    update_product,
)
from o2c.db.deps import ActorDep, IdempotencyKeyDep, MoneyOut, Page, PageParamsDep, UowDep, run_once
from o2c.security.model import Permission

router = APIRouter(tags=["catalog"])

Created = status.HTTP_201_CREATED


@router.get("/products", summary="Products by SKU, one page at a time")
def get_products(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    search: Annotated[str | None, Query(description="Part of SKU or name")] = None,
    active: bool | None = None,
) -> Page[ProductRead]:
    products, total = list_products(
        uow, actor, search=search, active=active, limit=page.limit, offset=page.offset
    )
    return Page.of([ProductRead.of(p) for p in products], total, page)


@router.post("/products", status_code=Created, summary="Add a product")
def post_product(
    uow: UowDep, actor: ActorDep, body: ProductIn, key: IdempotencyKeyDep = None
) -> ProductRead:
    def create() -> int:
        return create_product(uow, actor, body.command()).id

    product_id = run_once(uow, actor.company_id, "catalog.product", key, body, create)
    return ProductRead.of(get_product(uow, actor, product_id))


@router.get("/products/by-sku/{sku}", summary="The product with this SKU")
def get_product_by_sku(uow: UowDep, actor: ActorDep, sku: str) -> ProductRead:
    actor.require(Permission.LEDGER_READ)
    return ProductRead.of(find_product(uow, actor.company_id, sku))


@router.get("/products/{product_id}", summary="One product")
def get_one_product(uow: UowDep, actor: ActorDep, product_id: int) -> ProductRead:
    return ProductRead.of(get_product(uow, actor, product_id))


@router.patch("/products/{product_id}", summary="Change the fields sent")
def patch_product(uow: UowDep, actor: ActorDep, product_id: int, body: ProductPatch) -> ProductRead:
    return ProductRead.of(update_product(uow, actor, product_id, body.command()))


@router.get("/products/{product_id}/price", summary="Unit price for a quantity")
def get_price(
    uow: UowDep,
    actor: ActorDep,
    product_id: int,
    quantity: Annotated[Decimal, Query(gt=0)] = Decimal(1),
    price_list_id: int | None = None,
) -> PriceQuoteRead:
    """The price list's largest quantity break reached, else the product's own price."""
    actor.require(Permission.LEDGER_READ)
    price = price_for(uow, actor.company_id, product_id, price_list_id, quantity)
    return PriceQuoteRead(
        product_id=product_id,
        price_list_id=price_list_id,
        quantity=quantity,
        unit_price=MoneyOut.of(price),
    )


@router.get("/price-lists", summary="Price lists by code (without their lines)")
def get_price_lists(uow: UowDep, actor: ActorDep, page: PageParamsDep) -> Page[PriceListRead]:
    price_lists, total = list_price_lists(uow, actor, limit=page.limit, offset=page.offset)
    return Page.of([PriceListRead.of(p) for p in price_lists], total, page)


@router.post("/price-lists", status_code=Created, summary="Add a price list with its lines")
def post_price_list(uow: UowDep, actor: ActorDep, body: PriceListIn) -> PriceListRead:
    return PriceListRead.of(create_price_list(uow, actor, body.command()))


@router.get("/price-lists/{price_list_id}", summary="One price list with its lines")
def get_one_price_list(uow: UowDep, actor: ActorDep, price_list_id: int) -> PriceListRead:
    return PriceListRead.of(get_price_list(uow, actor, price_list_id))


@router.put("/price-lists/{price_list_id}/items", summary="Replace all lines of a price list")
def put_price_list_items(
    uow: UowDep, actor: ActorDep, price_list_id: int, body: list[PriceBreakIn]
) -> PriceListRead:
    items = [item.command() for item in body]
    return PriceListRead.of(set_price_list_items(uow, actor, price_list_id, items))


@router.get("/tax-rates", summary="The rate of every tax category")
def get_tax_rates(uow: UowDep, actor: ActorDep) -> list[TaxRateRead]:
    actor.require(Permission.LEDGER_READ)
    return [TaxRateRead.of(r) for r in tax_rates(uow, actor.company_id).values()]


@router.put("/tax-rates/{category}", summary="Set the rate of a tax category")
def put_tax_rate(uow: UowDep, actor: ActorDep, category: str, body: TaxRateIn) -> TaxRateRead:
    rate = set_tax_rate(uow, actor, category, body.name, body.percent, body.exemption_reason)
    return TaxRateRead.of(rate)


@router.get("/payment-terms", summary="Every payment term by code")
def get_payment_terms(uow: UowDep, actor: ActorDep) -> list[PaymentTermRead]:
    actor.require(Permission.LEDGER_READ)
    return [PaymentTermRead.of(t) for t in list_payment_terms(uow, actor.company_id)]


@router.post("/payment-terms", status_code=Created, summary="Add a payment term")
def post_payment_term(uow: UowDep, actor: ActorDep, body: PaymentTermIn) -> PaymentTermRead:
    return PaymentTermRead.of(create_payment_term(uow, actor, body.term()))


@router.get("/payment-terms/{term_id}", summary="One payment term")
def get_one_payment_term(uow: UowDep, actor: ActorDep, term_id: int) -> PaymentTermRead:
    actor.require(Permission.LEDGER_READ)
    return PaymentTermRead.of(get_payment_term(uow, actor.company_id, term_id))
