"""The orders API's documents: orders in (create, update) and out, with lines and taxes.

Amounts going out are `MoneyOut` (decimal strings at the currency's minor unit); a unit price
coming in is a decimal amount with its currency. Quantities and percentages are decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from o2c.db.deps import MoneyOut
from o2c.inventory.schemas import Quantity
from o2c.kernel.money import Money
from o2c.orders.lines import OrderLineCreate as LineCommand
from o2c.orders.model import OrderStatus, backordered
from o2c.orders.service import OrderCreate as CreateCommand
from o2c.orders.service import OrderUpdate as UpdateCommand
from o2c.orders.tables import SalesOrder, SalesOrderLine


class PriceIn(BaseModel):
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)


class OrderLineCreate(BaseModel):
    """A line; without `unit_price` the customer's price list (or the product) prices it."""

    product_id: int
    quantity: Decimal
    unit_price: PriceIn | None = None
    discount_percent: Decimal = Decimal(0)
    description: str | None = Field(default=None, max_length=200)

    def command(self) -> LineCommand:
        return LineCommand(
            self.product_id,
            self.quantity,
            self.unit_price.to_money() if self.unit_price else None,
            self.discount_percent,
            self.description,
        )


class OrderCreate(BaseModel):
    customer_id: int
    lines: list[OrderLineCreate]
    order_discount_percent: Decimal = Decimal(0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    order_date: date | None = None
    warehouse_id: int | None = None
    po_number: str | None = Field(default=None, max_length=60)

    def command(self) -> CreateCommand:
        return CreateCommand(
            customer_id=self.customer_id,
            lines=[line.command() for line in self.lines],
            order_discount_percent=self.order_discount_percent,
            currency=self.currency,
            order_date=self.order_date,
            warehouse_id=self.warehouse_id,
            po_number=self.po_number,
        )


class OrderUpdate(BaseModel):
    """Changes to a draft; omitted fields stay, `lines` replaces all lines."""

    lines: list[OrderLineCreate] | None = None
    order_discount_percent: Decimal | None = None
    order_date: date | None = None
    warehouse_id: int | None = None
    po_number: str | None = Field(default=None, max_length=60)

    def command(self) -> UpdateCommand:
        return UpdateCommand(
            lines=[line.command() for line in self.lines] if self.lines is not None else None,
            order_discount_percent=self.order_discount_percent,
            order_date=self.order_date,
            warehouse_id=self.warehouse_id,
            po_number=self.po_number,
        )


class OrderCancel(BaseModel):
    reason: str = Field(default="", max_length=200)


class OrderLineRead(BaseModel):
    id: int
    line_no: int
    product_id: int
    description: str
    unit: str
    quantity: Quantity
    unit_price: MoneyOut
    discount_percent: Quantity
    tax_category: str
    tax_percent: Quantity
    net: MoneyOut
    order_discount: MoneyOut
    tax: MoneyOut
    quantity_reserved: Quantity
    quantity_backordered: Quantity
    quantity_shipped: Quantity
    quantity_invoiced: Quantity

    @classmethod
    def of(cls, order: SalesOrder, line: SalesOrderLine) -> OrderLineRead:
        def money(minor: int) -> MoneyOut:
            return MoneyOut.from_minor(minor, order.currency)

        return cls(
            id=line.id,
            line_no=line.line_no,
            product_id=line.product_id,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=money(line.unit_price_minor),
            discount_percent=line.discount_percent,
            tax_category=line.tax_category,
            tax_percent=line.tax_percent,
            net=money(line.line_net_minor),
            order_discount=money(line.order_discount_minor),
            tax=money(line.line_tax_minor),
            quantity_reserved=line.quantity_reserved,
            quantity_backordered=backordered(
                OrderStatus(order.status),
                line.stocked,
                line.quantity,
                line.quantity_shipped,
                line.quantity_reserved,
            ),
            quantity_shipped=line.quantity_shipped,
            quantity_invoiced=line.quantity_invoiced,
        )


class TaxRead(BaseModel):
    category: str
    percent: Quantity
    taxable: MoneyOut
    tax: MoneyOut


class OrderRead(BaseModel):
    id: int
    number: str
    customer_id: int
    status: OrderStatus
    currency: str
    order_date: date
    warehouse_id: int | None
    po_number: str | None
    order_discount_percent: Quantity
    lines_net: MoneyOut
    discount: MoneyOut
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    taxes: list[TaxRead]
    lines: list[OrderLineRead]
    created_at: datetime
    confirmed_at: datetime | None

    @classmethod
    def of(cls, order: SalesOrder) -> OrderRead:
        def money(minor: int) -> MoneyOut:
            return MoneyOut.from_minor(minor, order.currency)

        return cls(
            id=order.id,
            number=order.number,
            customer_id=order.customer_id,
            status=OrderStatus(order.status),
            currency=order.currency,
            order_date=order.order_date,
            warehouse_id=order.warehouse_id,
            po_number=order.po_number,
            order_discount_percent=order.order_discount_percent,
            lines_net=money(order.lines_net_minor),
            discount=money(order.discount_minor),
            net=money(order.net_minor),
            tax=money(order.tax_minor),
            total=money(order.total_minor),
            taxes=_taxes(order),
            lines=[OrderLineRead.of(order, line) for line in order.lines],
            created_at=order.created_at,
            confirmed_at=order.confirmed_at,
        )


def _taxes(order: SalesOrder) -> list[TaxRead]:
    """The tax per rate, summed from the lines' shares (which add up to each rate's tax)."""
    sums: dict[tuple[str, Decimal], list[int]] = {}
    for line in order.lines:
        key = (line.tax_category, line.tax_percent.normalize())
        taxable, tax = sums.setdefault(key, [0, 0])
        sums[key] = [taxable + line.taxable_minor, tax + line.line_tax_minor]
    return [
        TaxRead(
            category=category,
            percent=percent,
            taxable=MoneyOut.from_minor(taxable, order.currency),
            tax=MoneyOut.from_minor(tax, order.currency),
        )
        for (category, percent), (taxable, tax) in sums.items()
    ]
