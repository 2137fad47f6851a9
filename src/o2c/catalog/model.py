"""Catalog value objects: products, price lists, tax rates and payment terms, and their rules.

Services hand these out instead of table rows, so callers get `Money` and `Decimal` rather
than minor units, and never touch a session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum

from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FieldError
from o2c.kernel.money import Money

HUNDRED = Decimal(100)
_UNIT = re.compile(r"^[A-Za-z0-9_.\-/]{1,12}$")
_CATEGORY = re.compile(r"^[a-z0-9_]{1,30}$")


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
"""Marks a field an update leaves as it is (None would mean: clear it)."""


class TermBasis(StrEnum):
    """What a term counts its days from: the issue date, or the end of the issue month."""

    NET = "net"
    EOM = "eom"


@dataclass(frozen=True)
class PaymentTerm:
    """A due-date rule with an optional early-payment discount ("2/10NET30": 2 % within 10 days).

    Discount days count from the same date as the due days: the issue date for net terms,
    the end of the issue month for end-of-month terms.
    """

    code: str
    name: str
    basis: TermBasis
    days: int
    discount_days: int | None = None
    discount_percent: Decimal | None = None
    id: int | None = None

    @property
    def has_discount(self) -> bool:
        return bool(self.discount_percent) and self.discount_days is not None


@dataclass(frozen=True)
class TaxRate:
    """The rate of one tax category; a zero rate may carry the legal reason for the exemption."""

    category: str
    name: str
    percent: Decimal
    exemption_reason: str | None = None
    id: int | None = None

    @property
    def rate(self) -> Decimal:
        """The percent as a fraction (19 % → 0.19), for multiplying net amounts."""
        return self.percent / HUNDRED


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    unit: str
    price: Money
    tax_category: str
    stocked: bool
    active: bool


@dataclass(frozen=True)
class PriceListItem:
    """The unit price from `min_quantity` upward (quantity breaks)."""

    product_id: int
    min_quantity: Decimal
    price: Money


@dataclass(frozen=True)
class PriceList:
    id: int
    code: str
    name: str
    currency: str
    items: list[PriceListItem] = field(default_factory=list)


@dataclass(frozen=True)
class ProductCreate:
    sku: str
    name: str
    price: Money
    tax_category: str = "standard"
    unit: str = "pc"
    stocked: bool = True


@dataclass(frozen=True)
class ProductUpdate:
    """Fields to change; UNSET leaves a field as it is. The SKU is the key and never changes."""

    name: str | _Unset = UNSET
    unit: str | _Unset = UNSET
    price: Money | _Unset = UNSET
    tax_category: str | _Unset = UNSET
    stocked: bool | _Unset = UNSET
    active: bool | _Unset = UNSET


@dataclass(frozen=True)
class PriceBreak:
    """One price-list line as entered: a product's unit price from `min_quantity` upward."""

    product_id: int
    price: Money
    min_quantity: Decimal = Decimal(0)


@dataclass(frozen=True)
class PriceListCreate:
    code: str
    name: str
    currency: str
    items: tuple[PriceBreak, ...] = ()


def product_problems(
    sku: str | None,
    name: str,
    unit: str,
    price: Money,
    tax_category: str,
    known_categories: set[str],
) -> list[FieldError]:
    """Every rule a product breaks (sku None: the SKU is not being set)."""
    errors: list[FieldError] = []
    if sku is not None and (not sku.strip() or sku != sku.strip() or len(sku) > 60):
        errors.append(FieldError("sku", "must be 1 to 60 characters without surrounding spaces"))
    errors += _name_problems(name, 200)
    if not _UNIT.match(unit):
        errors.append(FieldError("unit", "must be 1 to 12 letters, digits or . - / _"))
    if price.amount < 0:
        errors.append(FieldError("price", "must not be negative"))
    if tax_category not in known_categories:
        errors.append(
            FieldError(
                "tax_category",
                f"unknown tax category {tax_category!r} (known: "
                f"{', '.join(sorted(known_categories)) or 'none; install the defaults first'})",
            )
        )
    return errors


def price_list_problems(
    code: str, name: str, currency: str, items: tuple[PriceBreak, ...]
) -> list[FieldError]:
    """Every rule a price list breaks: currency known, items in its currency, no repeated break."""
    errors: list[FieldError] = []
    if not code.strip() or code != code.strip() or len(code) > 30:
        errors.append(FieldError("code", "must be 1 to 30 characters without surrounding spaces"))
    errors += _name_problems(name, 120)
    if not is_currency(currency):
        errors.append(FieldError("currency", f"unknown currency {currency!r}"))
    errors += price_break_problems(currency, items)
    return errors


def price_break_problems(currency: str, items: tuple[PriceBreak, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[tuple[int, Decimal]] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if item.price.currency != currency:
            errors.append(
                FieldError(f"{where}.price", f"must be in the list's currency {currency}")
            )
        if item.price.amount < 0:
            errors.append(FieldError(f"{where}.price", "must not be negative"))
        if item.min_quantity < 0:
            errors.append(FieldError(f"{where}.min_quantity", "must not be negative"))
        key = (item.product_id, item.min_quantity.normalize())
        if key in seen:
            errors.append(
                FieldError(where, f"repeats the break at {item.min_quantity} for this product")
            )
        seen.add(key)
    return errors


def tax_rate_problems(
    category: str, name: str, percent: Decimal, exemption_reason: str | None
) -> list[FieldError]:
    """A rate is 0–100 %; an exemption reason only makes sense on a zero rate."""
    errors: list[FieldError] = []
    if not _CATEGORY.match(category):
        errors.append(FieldError("category", "must be 1 to 30 lower-case letters, digits or _"))
    errors += _name_problems(name, 120)
    if not percent.is_finite() or not Decimal(0) <= percent <= HUNDRED:
        errors.append(FieldError("percent", "must be between 0 and 100"))
    elif decimal_places(percent) > 4:
        errors.append(FieldError("percent", "at most 4 decimal places"))
    if exemption_reason is not None:
        if not exemption_reason.strip() or len(exemption_reason) > 200:
            errors.append(FieldError("exemption_reason", "must be 1 to 200 characters"))
        if percent != 0:
            errors.append(FieldError("exemption_reason", "only a zero rate can be an exemption"))
    return errors


def pick_price(items: list[PriceListItem], product_id: int, quantity: Decimal) -> Money | None:
    """The price of the largest quantity break not above `quantity`, or None if none applies."""
    best: PriceListItem | None = None
    for item in items:
        if item.product_id != product_id or item.min_quantity > quantity:
            continue
        if best is None or item.min_quantity > best.min_quantity:
            best = item
    return best.price if best else None


def plain(value: Decimal) -> Decimal:
    """Without trailing zeros, never in exponent form: 19.0000 → 19, 2.5000 → 2.5, 100 → 100."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def decimal_places(value: Decimal) -> int:
    """Digits after the point as written (a finite Decimal: 1.50 has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _name_problems(name: str, limit: int) -> list[FieldError]:
    if not name.strip() or len(name) > limit:
        return [FieldError("name", f"must be 1 to {limit} characters")]
    return []
