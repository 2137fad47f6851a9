"""The catalog API's documents. Money travels as `{"amount": "12.34", "currency": "EUR"}`,
percentages and quantities as decimal strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from o2c.catalog.model import (
    UNSET,
    PaymentTerm,
    PriceBreak,
    PriceList,
    PriceListCreate,
    PriceListItem,
    Product,
    ProductCreate,
    ProductUpdate,
    TaxRate,
    TermBasis,
)
from o2c.db.deps import MoneyOut
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.parties.schemas import MoneyIn


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(examples=["WIDGET-10"])
    name: str
    price: MoneyIn
    tax_category: str = "standard"
    unit: str = "pc"
    stocked: bool = True

    def command(self) -> ProductCreate:
        return ProductCreate(
            sku=self.sku,
            name=self.name,
            price=self.price.to_money(),
            tax_category=self.tax_category,
            unit=self.unit,
            stocked=self.stocked,
        )


class ProductPatch(BaseModel):
    """Only the fields sent change; the SKU is the product's key and never does."""

    model_config = ConfigDict(extra="forbid")

    # The defaults are never used: an omitted field is left alone.
    name: str = ""
    unit: str = ""
    price: MoneyIn = MoneyIn(amount="0", currency="EUR")
    tax_category: str = ""
    stocked: bool = True
    active: bool = True

    def command(self) -> ProductUpdate:
        sent: dict[str, Any] = {name: getattr(self, name) for name in self.model_fields_set}
        if "price" in sent:
            sent["price"] = self.price.to_money()
        return ProductUpdate(**{k: sent.get(k, UNSET) for k in ProductPatch.model_fields})


class ProductRead(BaseModel):
    id: int
    sku: str
    name: str
    unit: str
    price: MoneyOut
    tax_category: str
    stocked: bool
    active: bool

    @classmethod
    def of(cls, product: Product) -> ProductRead:
        return cls(
            id=product.id,
            sku=product.sku,
            name=product.name,
            unit=product.unit,
            price=MoneyOut.of(product.price),
            tax_category=product.tax_category,
            stocked=product.stocked,
            active=product.active,
        )


class PriceBreakIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int
    price: MoneyIn
    min_quantity: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=4)

    def command(self) -> PriceBreak:
        return PriceBreak(self.product_id, self.price.to_money(), self.min_quantity)


class PriceBreakRead(BaseModel):
    product_id: int
    min_quantity: Decimal
    price: MoneyOut

    @classmethod
    def of(cls, item: PriceListItem) -> PriceBreakRead:
        return cls(
            product_id=item.product_id,
            min_quantity=item.min_quantity,
            price=MoneyOut.of(item.price),
        )


class PriceListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    currency: str = Field(examples=["EUR"])
    items: list[PriceBreakIn] = Field(default_factory=list)

    def command(self) -> PriceListCreate:
        return PriceListCreate(
            self.code, self.name, self.currency, tuple(i.command() for i in self.items)
        )


class PriceListRead(BaseModel):
    id: int
    code: str
    name: str
    currency: str
    items: list[PriceBreakRead]

    @classmethod
    def of(cls, price_list: PriceList) -> PriceListRead:
        return cls(
            id=price_list.id,
            code=price_list.code,
            name=price_list.name,
            currency=price_list.currency,
            items=[PriceBreakRead.of(i) for i in price_list.items],
        )


class PriceQuoteRead(BaseModel):
    product_id: int
    price_list_id: int | None
    quantity: Decimal
    unit_price: MoneyOut


class TaxRateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    percent: Decimal = Field(examples=["19"])
    exemption_reason: str | None = None


class TaxRateRead(BaseModel):
    category: str
    name: str
    percent: Decimal
    exemption_reason: str | None

    @classmethod
    def of(cls, rate: TaxRate) -> TaxRateRead:
        return cls(
            category=rate.category,
            name=rate.name,
            percent=rate.percent,
            exemption_reason=rate.exemption_reason,
        )


class PaymentTermIn(BaseModel):
    """A code alone ("NET45", "2/10NET30") is read into a term; with `basis` and `days` the
    term is taken as given under its own code and name."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(examples=["2/10NET30"])
    name: str | None = None
    basis: TermBasis | None = None
    days: int | None = None
    discount_days: int | None = None
    discount_percent: Decimal | None = None

    def term(self) -> PaymentTerm | str:
        if self.basis is None and self.days is None:
            return self.code
        if self.basis is None or self.days is None:
            raise ValidationFailed([FieldError("days", "basis and days come together")])
        return PaymentTerm(
            code=self.code,
            name=self.name or self.code,
            basis=self.basis,
            days=self.days,
            discount_days=self.discount_days,
            discount_percent=self.discount_percent,
        )


class PaymentTermRead(BaseModel):
    id: int
    code: str
    name: str
    basis: TermBasis
    days: int
    discount_days: int | None
    discount_percent: Decimal | None

    @classmethod
    def of(cls, term: PaymentTerm) -> PaymentTermRead:
        assert term.id is not None
        return cls(
            id=term.id,
            code=term.code,
            name=term.name,
            basis=term.basis,
            days=term.days,
            discount_days=term.discount_days,
            discount_percent=term.discount_percent,
        )
