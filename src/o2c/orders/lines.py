"""An order's lines as entered, resolved against the catalog, and priced onto the order.

Resolving fixes what a line will keep for good: the product's description and unit, the
unit price (given, or from the customer's price list, or the product's own), and the tax
rate of the product's category. Pricing then writes every line figure and the order totals
(`orders.pricing`), so an edited draft is always priced again as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from o2c.catalog.service import get_products, price_for, tax_rates
from o2c.db.uow import UnitOfWork
from o2c.inventory.service import get_warehouse
from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FieldError, NotFound
from o2c.kernel.money import Money
from o2c.orders.model import line_problems, percent_problem
from o2c.orders.pricing import LineInput, price_order
from o2c.orders.tables import SalesOrder, SalesOrderLine
from o2c.security.model import Actor


@dataclass(frozen=True)
class OrderLineCreate:
    """A line as entered; `unit_price` None takes the price list's (or the product's) price."""

    product_id: int
    quantity: Decimal
    unit_price: Money | None = None
    discount_percent: Decimal = Decimal(0)
    description: str | None = None


@dataclass(frozen=True)
class ResolvedLine:
    product_id: int
    description: str
    unit: str
    stocked: bool
    quantity: Decimal
    unit_price: Money
    discount_percent: Decimal
    tax_category: str
    tax_percent: Decimal


def header_errors(
    uow: UnitOfWork,
    actor: Actor,
    currency: str,
    order_discount_percent: Decimal,
    warehouse_id: int | None,
) -> list[FieldError]:
    errors = []
    if not is_currency(currency):
        errors.append(FieldError("currency", f"unknown currency {currency!r}"))
    problem = percent_problem(order_discount_percent)
    if problem:
        errors.append(FieldError("order_discount_percent", problem))
    if warehouse_id is not None:
        try:
            get_warehouse(uow, actor, warehouse_id)
        except NotFound:
            errors.append(FieldError("warehouse_id", f"warehouse {warehouse_id} not found"))
    return errors


def resolve_lines(
    uow: UnitOfWork,
    company_id: int,
    currency: str,
    price_list_id: int | None,
    lines: Sequence[OrderLineCreate],
) -> tuple[list[ResolvedLine], list[FieldError]]:
    """Each line with its product, price and tax rate resolved, and every problem found."""
    products = get_products(uow, company_id, [line.product_id for line in lines])
    rates = tax_rates(uow, company_id)
    resolved: list[ResolvedLine] = []
    errors: list[FieldError] = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        problems = line_problems(
            where, line.quantity, line.unit_price, line.discount_percent, currency
        )
        product = products.get(line.product_id)
        if product is None or not product.active:
            state = "not found" if product is None else "inactive"
            problems.append(FieldError(f"{where}.product_id", f"product {line.product_id} {state}"))
            errors += problems
            continue
        rate = rates.get(product.tax_category)
        if rate is None:
            problems.append(
                FieldError(
                    f"{where}.product_id", f"no tax rate for category {product.tax_category!r}"
                )
            )
        price = line.unit_price
        if price is None and not problems:
            price = price_for(uow, company_id, product.id, price_list_id, line.quantity)
            if price.currency != currency:
                problems.append(
                    FieldError(
                        f"{where}.unit_price", f"no {currency} price for {product.sku}; give one"
                    )
                )
        if problems or price is None or rate is None:
            errors += problems
            continue
        resolved.append(
            ResolvedLine(
                product_id=product.id,
                description=(line.description or product.name)[:200],
                unit=product.unit,
                stocked=product.stocked,
                quantity=line.quantity,
                unit_price=price,
                discount_percent=line.discount_percent,
                tax_category=rate.category,
                tax_percent=rate.percent,
            )
        )
    return resolved, errors


def kept_lines(order: SalesOrder) -> list[ResolvedLine]:
    """The order's own lines as they stand, to price again under a new order discount."""
    return [
        ResolvedLine(
            product_id=line.product_id,
            description=line.description,
            unit=line.unit,
            stocked=line.stocked,
            quantity=line.quantity,
            unit_price=Money.from_minor(line.unit_price_minor, order.currency),
            discount_percent=line.discount_percent,
            tax_category=line.tax_category,
            tax_percent=line.tax_percent,
        )
        for line in order.lines
    ]


def set_lines(order: SalesOrder, lines: Sequence[ResolvedLine]) -> None:
    """Price `lines` and make them the order's lines, with the order's totals."""
    totals = price_order(
        [
            LineInput(
                li.quantity, li.unit_price, li.discount_percent, li.tax_category, li.tax_percent
            )
            for li in lines
        ],
        order.order_discount_percent,
        order.currency,
    )
    order.lines = [
        SalesOrderLine(
            company_id=order.company_id,
            line_no=number,
            product_id=line.product_id,
            description=line.description,
            unit=line.unit,
            stocked=line.stocked,
            quantity=line.quantity,
            unit_price_minor=line.unit_price.minor,
            discount_percent=line.discount_percent,
            tax_category=line.tax_category,
            tax_percent=line.tax_percent,
            line_net_minor=price.net.minor,
            order_discount_minor=price.order_discount.minor,
            line_tax_minor=price.tax.minor,
            quantity_reserved=Decimal(0),
            quantity_shipped=Decimal(0),
            quantity_invoiced=Decimal(0),
        )
        for number, (line, price) in enumerate(zip(lines, totals.lines, strict=True), start=1)
    ]
    order.lines_net_minor = totals.lines_net.minor
    order.discount_minor = totals.discount.minor
    order.net_minor = totals.net.minor
    order.tax_minor = totals.tax.minor
    order.total_minor = totals.total.minor
