"""Catalog use cases: products, price lists and quantity breaks, tax rates, payment terms.

Readers other domains call while composing documents (`get_products`, `price_for`,
`tax_rates`, `get_payment_term`) take the company id and return value objects; the
changes take the actor, check permission, validate everything, audit and publish. Payment
terms live in `catalog.payment_terms`; their public functions are re-exported here so callers
import every catalog use case from one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import delete, func, insert, or_, select

from o2c.catalog.model import (
    UNSET,
    PriceBreak,
    PriceList,
    PriceListCreate,
    PriceListItem,
    Product,
    ProductCreate,
    ProductUpdate,
    TaxRate,
    pick_price,
    plain,
    price_break_problems,
    price_list_problems,
    product_problems,
    tax_rate_problems,
)
from o2c.catalog.payment_terms import (
    PaymentTermMaker,
    create_payment_term,
    create_payment_terms,
    ensure_payment_terms,
    find_payment_term,
    find_payment_terms,
    get_payment_term,
    list_payment_terms,
)
from o2c.catalog.tables import PriceList as PriceListRow
from o2c.catalog.tables import PriceListItem as PriceListItemRow
from o2c.catalog.tables import Product as ProductRow
from o2c.catalog.tables import TaxRate as TaxRateRow
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

__all__ = [
    "PaymentTermMaker",
    "create_payment_term",
    "create_payment_terms",
    "create_price_list",
    "create_product",
    "ensure_payment_terms",
    "find_payment_term",
    "find_payment_terms",
    "find_product",
    "get_payment_term",
    "get_price_list",
    "get_product",
    "get_products",
    "install_defaults",
    "list_payment_terms",
    "list_price_lists",
    "list_products",
    "price_for",
    "set_price_list_items",
    "set_tax_rate",
    "tax_rates",
    "update_product",
]

EXEMPT_REASON = "Exempt under Article 132 of Council Directive 2006/112/EC"
DEFAULT_TAX_RATES = (
    TaxRate("standard", "Standard rate", Decimal(19)),
    TaxRate("reduced", "Reduced rate", Decimal(7)),
    TaxRate("zero", "Zero rate", Decimal(0)),
    TaxRate("exempt", "Exempt", Decimal(0), EXEMPT_REASON),
)
DEFAULT_TERM_CODES = ("NET15", "NET30", "NET60", "EOM30", "2/10NET30")


# ---- products ---------------------------------------------------------------------------


def _product(row: ProductRow) -> Product:
    return Product(
        id=row.id,
        sku=row.sku,
        name=row.name,
        unit=row.unit,
        price=Money.from_minor(row.price_minor, row.currency),
        tax_category=row.tax_category,
        stocked=row.stocked,
        active=row.active,
    )


def _categories(uow: UnitOfWork, company_id: int) -> set[str]:
    return set(
        uow.session.scalars(select(TaxRateRow.category).where(TaxRateRow.company_id == company_id))
    )


def create_product(uow: UnitOfWork, actor: Actor, cmd: ProductCreate) -> Product:
    """Add a product; its tax category must already be one of the company's tax rates."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        errors = product_problems(
            cmd.sku,
            cmd.name,
            cmd.unit,
            cmd.price,
            cmd.tax_category,
            _categories(uow, actor.company_id),
        )
        if not errors and _product_id(uow, actor.company_id, cmd.sku) is not None:
            errors.append(FieldError("sku", f"{cmd.sku!r} already exists"))
        if errors:
            raise ValidationFailed(errors)
        row = ProductRow(
            company_id=actor.company_id,
            sku=cmd.sku,
            name=cmd.name,
            unit=cmd.unit,
            currency=cmd.price.currency,
            price_minor=cmd.price.minor,
            tax_category=cmd.tax_category,
            stocked=cmd.stocked,
            active=True,
        )
        uow.session.add(row)
        uow.session.flush()
        product = _product(row)
        audit(uow, actor, "product.create", "product", row.id, _product_data(product))
        uow.publish(actor.company_id, "product.created", {"id": row.id, "sku": row.sku})
        uow.commit()
        return product


def update_product(uow: UnitOfWork, actor: Actor, product_id: int, cmd: ProductUpdate) -> Product:
    """Change a product's fields; only the fields given (not UNSET) change."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        row = _product_row(uow, actor.company_id, product_id)
        before = _product(row)
        after = replace(
            before,
            name=before.name if cmd.name is UNSET else cmd.name,
            unit=before.unit if cmd.unit is UNSET else cmd.unit,
            price=before.price if cmd.price is UNSET else cmd.price,
            tax_category=before.tax_category if cmd.tax_category is UNSET else cmd.tax_category,
            stocked=before.stocked if cmd.stocked is UNSET else cmd.stocked,
            active=before.active if cmd.active is UNSET else cmd.active,
        )
        errors = product_problems(
            None,
            after.name,
            after.unit,
            after.price,
            after.tax_category,
            _categories(uow, actor.company_id),
        )
        if errors:
            raise ValidationFailed(errors)
        row.name, row.unit, row.tax_category = after.name, after.unit, after.tax_category
        row.currency, row.price_minor = after.price.currency, after.price.minor
        row.stocked, row.active = after.stocked, after.active
        changes = _changes(_product_data(before), _product_data(after))
        audit(uow, actor, "product.update", "product", row.id, changes)
        uow.publish(actor.company_id, "product.updated", {"id": row.id, "changes": sorted(changes)})
        uow.commit()
        return after


def get_product(uow: UnitOfWork, actor: Actor, product_id: int) -> Product:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _product(_product_row(uow, actor.company_id, product_id))


def list_products(
    uow: UnitOfWork,
    actor: Actor,
    *,
    search: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Product], int]:
    """One page of products by SKU, and the total matching; `search` matches SKU or name."""
    actor.require(Permission.LEDGER_READ)
    conditions = [ProductRow.company_id == actor.company_id]
    if search:
        pattern = f"%{search.lower()}%"
        conditions.append(
            or_(func.lower(ProductRow.sku).like(pattern), func.lower(ProductRow.name).like(pattern))
        )
    if active is not None:
        conditions.append(ProductRow.active.is_(active))
    with uow:
        total = (
            uow.session.scalar(select(func.count()).select_from(ProductRow).where(*conditions)) or 0
        )
        rows = uow.session.scalars(
            select(ProductRow)
            .where(*conditions)
            .order_by(ProductRow.sku)
            .limit(limit)
            .offset(offset)
        )
        return [_product(r) for r in rows], total


def get_products(uow: UnitOfWork, company_id: int, ids: Iterable[int]) -> dict[int, Product]:
    """The company's products among `ids` by id; unknown ids (or another company's) are absent."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with uow:
        rows = uow.session.scalars(
            select(ProductRow).where(ProductRow.company_id == company_id, ProductRow.id.in_(wanted))
        )
        return {row.id: _product(row) for row in rows}


def find_product(uow: UnitOfWork, company_id: int, sku: str) -> Product:
    """The product with this SKU; NotFound if the company has none."""
    with uow:
        row = uow.session.scalar(
            select(ProductRow).where(ProductRow.company_id == company_id, ProductRow.sku == sku)
        )
        if row is None:
            raise NotFound("product", sku)
        return _product(row)


def _product_id(uow: UnitOfWork, company_id: int, sku: str) -> int | None:
    return uow.session.scalar(
        select(ProductRow.id).where(ProductRow.company_id == company_id, ProductRow.sku == sku)
    )


def _product_row(uow: UnitOfWork, company_id: int, product_id: int) -> ProductRow:
    return owned(uow.session, ProductRow, company_id, product_id, "product")


def _product_data(product: Product) -> dict[str, object]:
    return {
        "sku": product.sku,
        "name": product.name,
        "unit": product.unit,
        "price": str(product.price),
        "tax_category": product.tax_category,
        "stocked": product.stocked,
        "active": product.active,
    }


def _changes(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    return {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}


# ---- price lists ------------------------------------------------------------------------


def create_price_list(uow: UnitOfWork, actor: Actor, cmd: PriceListCreate) -> PriceList:
    """Add a price list with its quantity breaks, all in the list's currency."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        errors = price_list_problems(cmd.code, cmd.name, cmd.currency, cmd.items)
        errors += _unknown_products(uow, actor.company_id, cmd.items)
        exists = uow.session.scalar(
            select(PriceListRow.id).where(
                PriceListRow.company_id == actor.company_id, PriceListRow.code == cmd.code
            )
        )
        if exists is not None:
            errors.append(FieldError("code", f"{cmd.code!r} already exists"))
        if errors:
            raise ValidationFailed(errors)
        row = PriceListRow(
            company_id=actor.company_id, code=cmd.code, name=cmd.name, currency=cmd.currency
        )
        uow.session.add(row)
        uow.session.flush()
        _insert_breaks(uow, actor.company_id, row.id, cmd.items)
        audit(
            uow,
            actor,
            "price_list.create",
            "price_list",
            row.id,
            {"code": cmd.code, "currency": cmd.currency, "items": len(cmd.items)},
        )
        uow.publish(actor.company_id, "price_list.created", {"id": row.id, "code": cmd.code})
        uow.commit()
        return PriceList(row.id, row.code, row.name, row.currency, _items(uow, row.id))


def set_price_list_items(
    uow: UnitOfWork, actor: Actor, price_list_id: int, items: Sequence[PriceBreak]
) -> PriceList:
    """Replace every quantity break of a price list with `items` (one audited change)."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        row = _price_list_row(uow, actor.company_id, price_list_id)
        breaks = tuple(items)
        errors = price_break_problems(row.currency, breaks)
        errors += _unknown_products(uow, actor.company_id, breaks)
        if errors:
            raise ValidationFailed(errors)
        before = len(_items(uow, row.id))
        uow.session.execute(
            delete(PriceListItemRow).where(PriceListItemRow.price_list_id == row.id)
        )
        _insert_breaks(uow, actor.company_id, row.id, breaks)
        audit(
            uow,
            actor,
            "price_list.set_items",
            "price_list",
            row.id,
            {"items_before": before, "items": len(breaks)},
        )
        uow.publish(actor.company_id, "price_list.updated", {"id": row.id, "code": row.code})
        uow.commit()
        return PriceList(row.id, row.code, row.name, row.currency, _items(uow, row.id))


def get_price_list(uow: UnitOfWork, actor: Actor, price_list_id: int) -> PriceList:
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = _price_list_row(uow, actor.company_id, price_list_id)
        return PriceList(row.id, row.code, row.name, row.currency, _items(uow, row.id))


def list_price_lists(
    uow: UnitOfWork, actor: Actor, *, limit: int = 50, offset: int = 0
) -> tuple[list[PriceList], int]:
    """One page of price lists by code (without their items), and the total."""
    actor.require(Permission.LEDGER_READ)
    where = PriceListRow.company_id == actor.company_id
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(PriceListRow).where(where)) or 0
        rows = uow.session.scalars(
            select(PriceListRow)
            .where(where)
            .order_by(PriceListRow.code)
            .limit(limit)
            .offset(offset)
        )
        return [PriceList(r.id, r.code, r.name, r.currency) for r in rows], total


def price_for(
    uow: UnitOfWork,
    company_id: int,
    product_id: int,
    price_list_id: int | None,
    quantity: Decimal,
) -> Money:
    """The unit price for `quantity`: the price list's largest break not above it, else the
    product's own price. A list without a break for the product falls back the same way."""
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationFailed([FieldError("quantity", "must be positive")])
    with uow:
        product = _product_row(uow, company_id, product_id)
        if price_list_id is not None:
            _price_list_row(uow, company_id, price_list_id)
            price = pick_price(_items(uow, price_list_id, product_id), product_id, quantity)
            if price is not None:
                return price
        return Money.from_minor(product.price_minor, product.currency)


def _price_list_row(uow: UnitOfWork, company_id: int, price_list_id: int) -> PriceListRow:
    return owned(uow.session, PriceListRow, company_id, price_list_id, "price list")


def _items(
    uow: UnitOfWork, price_list_id: int, product_id: int | None = None
) -> list[PriceListItem]:
    query = (
        select(PriceListItemRow, PriceListRow.currency)
        .join(PriceListRow, PriceListRow.id == PriceListItemRow.price_list_id)
        .where(PriceListItemRow.price_list_id == price_list_id)
        .order_by(PriceListItemRow.product_id, PriceListItemRow.min_quantity)
    )
    if product_id is not None:
        query = query.where(PriceListItemRow.product_id == product_id)
    return [
        PriceListItem(
            item.product_id,
            Decimal(item.min_quantity),
            Money.from_minor(item.price_minor, currency),
        )
        for item, currency in uow.session.execute(query)
    ]


def _unknown_products(
    uow: UnitOfWork, company_id: int, items: tuple[PriceBreak, ...]
) -> list[FieldError]:
    known = get_products(uow, company_id, (i.product_id for i in items)).keys()
    return [
        FieldError(f"items[{index}].product_id", f"unknown product {item.product_id}")
        for index, item in enumerate(items)
        if item.product_id not in known
    ]


def _insert_breaks(
    uow: UnitOfWork, company_id: int, price_list_id: int, items: tuple[PriceBreak, ...]
) -> None:
    if items:
        uow.session.execute(
            insert(PriceListItemRow),
            [
                {
                    "company_id": company_id,
                    "price_list_id": price_list_id,
                    "product_id": item.product_id,
                    "min_quantity": item.min_quantity,
                    "price_minor": item.price.minor,
                }
                for item in items
            ],
        )


# ---- tax rates --------------------------------------------------------------------------


def _tax_rate(row: TaxRateRow) -> TaxRate:
    return TaxRate(row.category, row.name, plain(row.percent), row.exemption_reason, row.id)


def set_tax_rate(
    uow: UnitOfWork,
    actor: Actor,
    category: str,
    name: str,
    percent: Decimal,
    exemption_reason: str | None = None,
) -> TaxRate:
    """Create a tax category's rate, or change it (a rate change is audited with before/after).

    Rates of documents already posted do not change: billing copies the percent it used.
    """
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = tax_rate_problems(category, name, percent, exemption_reason)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        row = uow.session.scalar(
            select(TaxRateRow).where(
                TaxRateRow.company_id == actor.company_id, TaxRateRow.category == category
            )
        )
        before = None if row is None else _tax_rate(row)
        if row is None:
            row = TaxRateRow(company_id=actor.company_id, category=category)
            uow.session.add(row)
        row.name, row.percent, row.exemption_reason = name, percent, exemption_reason
        uow.session.flush()
        data: dict[str, object] = {"percent": str(percent), "name": name}
        if before is not None:
            data["percent_before"] = str(before.percent)
        if exemption_reason:
            data["exemption_reason"] = exemption_reason
        audit(uow, actor, "tax_rate.set", "tax_rate", category, data)
        uow.publish(
            actor.company_id, "tax_rate.set", {"category": category, "percent": str(percent)}
        )
        uow.commit()
        return _tax_rate(row)


def tax_rates(uow: UnitOfWork, company_id: int) -> dict[str, TaxRate]:
    """The company's tax rates by category."""
    with uow:
        rows = uow.session.scalars(
            select(TaxRateRow)
            .where(TaxRateRow.company_id == company_id)
            .order_by(TaxRateRow.category)
        )
        return {row.category: _tax_rate(row) for row in rows}


# ---- defaults ---------------------------------------------------------------------------


def install_defaults(uow: UnitOfWork, actor: Actor) -> None:
    """Give a company the standard tax categories and payment terms; running it again adds
    only what is missing and never changes a rate or term the company has edited."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        existing_rates = tax_rates(uow, actor.company_id)
        for rate in DEFAULT_TAX_RATES:
            if rate.category not in existing_rates:
                set_tax_rate(
                    uow, actor, rate.category, rate.name, rate.percent, rate.exemption_reason
                )
        terms = {t.code for t in list_payment_terms(uow, actor.company_id)}
        missing = [code for code in DEFAULT_TERM_CODES if code not in terms]
        if missing:
            create_payment_terms(uow, actor, missing)
        uow.commit()
