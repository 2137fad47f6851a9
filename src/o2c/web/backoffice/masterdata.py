"""Master data: customers and products, listed with a search and edited in a form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.catalog.model import ProductUpdate
from o2c.catalog.service import get_product, list_products, update_product
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import O2CError, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties.model import CustomerUpdate
from o2c.parties.service import get_customer, list_customers, update_customer
from o2c.security.model import Actor, Permission
from o2c.web.backoffice.page import done, field_errors, page, parse_amount, refused

router = APIRouter()
PAGE_SIZE = 50
CUSTOMER_FIELDS = ("name", "email", "country", "language", "payment_term", "credit_limit")
PRODUCT_FIELDS = ("name", "unit", "price", "tax_category")


@router.get("/customers", response_class=HTMLResponse)
def customers_page(
    request: Request, uow: UowDep, actor: StaffActor, q: str = "", offset: int = 0
) -> HTMLResponse:
    rows, total = list_customers(
        uow, actor, search=q.strip() or None, limit=PAGE_SIZE, offset=max(offset, 0)
    )
    context = {
        "title": "Customers",
        "rows": rows,
        "total": total,
        "q": q,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    return page(request, actor, "customers.html", context)


def _customer_form(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    customer = get_customer(uow, actor, customer_id)
    if values is None:
        limit = customer.credit_limit
        values = {
            "name": customer.name,
            "email": customer.email or "",
            "country": customer.country or "",
            "language": customer.language,
            "payment_term": customer.payment_term or "",
            "credit_limit": "" if limit is None else str(limit.amount),
            "active": customer.active,
        }
    context = {
        "title": f"Edit {customer.code}",
        "customer": customer,
        "values": values,
        "errors": errors or {},
        "can_edit": actor.can(Permission.MASTER_DATA_WRITE),
    }
    return page(request, actor, "customer_edit.html", context, status_code)


@router.get("/customers/{customer_id}/edit", response_class=HTMLResponse)
def customer_edit(
    request: Request, uow: UowDep, actor: StaffActor, customer_id: int
) -> HTMLResponse:
    return _customer_form(request, uow, actor, customer_id)


@router.post("/customers/{customer_id}/edit", dependencies=[CsrfChecked], response_model=None)
def customer_save(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    customer_id: int,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    payment_term: Annotated[str, Form(max_length=40)] = "",
    credit_limit: Annotated[str, Form(max_length=40)] = "",
    active: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    values: dict[str, Any] = dict(
        zip(
            CUSTOMER_FIELDS,
            (name, email, country, language, payment_term, credit_limit),
            strict=True,
        )
    )
    values["active"] = active
    try:
        currency = get_customer(uow, actor, customer_id).currency
        limit = (
            Money(parse_amount(credit_limit, "credit_limit"), currency)
            if credit_limit.strip()
            else None
        )
        command = CustomerUpdate(
            name=name,
            email=email.strip() or None,
            country=country.strip().upper() or None,
            language=language.strip(),
            payment_term=payment_term.strip() or None,
            credit_limit=limit,
            active=active,
        )
        update_customer(uow, actor, customer_id, command)
    except ValidationFailed as error:
        return _customer_form(request, uow, actor, customer_id, values, field_errors(error), 422)
    except O2CError as error:
        return refused(f"/app/customers/{customer_id}/edit", error)
    return done(f"/app/customers/{customer_id}", "Customer saved.")


@router.get("/products", response_class=HTMLResponse)
def products_page(
    request: Request, uow: UowDep, actor: StaffActor, q: str = "", offset: int = 0
) -> HTMLResponse:
    rows, total = list_products(
        uow, actor, search=q.strip() or None, limit=PAGE_SIZE, offset=max(offset, 0)
    )
    context = {
        "title": "Products",
        "rows": rows,
        "total": total,
        "q": q,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    return page(request, actor, "products.html", context)


def _product_form(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    product = get_product(uow, actor, product_id)
    if values is None:
        values = {
            "name": product.name,
            "unit": product.unit,
            "price": str(product.price.amount),
            "tax_category": product.tax_category,
            "active": product.active,
        }
    context = {
        "title": f"Edit {product.sku}",
        "product": product,
        "values": values,
        "errors": errors or {},
        "can_edit": actor.can(Permission.MASTER_DATA_WRITE),
    }
    return page(request, actor, "product_edit.html", context, status_code)


@router.get("/products/{product_id}/edit", response_class=HTMLResponse)
def product_edit(request: Request, uow: UowDep, actor: StaffActor, product_id: int) -> HTMLResponse:
    return _product_form(request, uow, actor, product_id)


@router.post("/products/{product_id}/edit", dependencies=[CsrfChecked], response_model=None)
def product_save(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    product_id: int,
    name: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[str, Form(max_length=12)] = "",
    price: Annotated[str, Form(max_length=40)] = "",
    tax_category: Annotated[str, Form(max_length=30)] = "",
    active: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    values: dict[str, Any] = dict(
        zip(PRODUCT_FIELDS, (name, unit, price, tax_category), strict=True)
    )
    values["active"] = active
    try:
        currency = get_product(uow, actor, product_id).price.currency
        command = ProductUpdate(
            name=name,
            unit=unit.strip(),
            price=Money(parse_amount(price, "price"), currency),
            tax_category=tax_category.strip(),
            active=active,
        )
        update_product(uow, actor, product_id, command)
    except ValidationFailed as error:
        return _product_form(request, uow, actor, product_id, values, field_errors(error), 422)
    except O2CError as error:
        return refused(f"/app/products/{product_id}/edit", error)
    return done("/app/products", f"Product {name} saved.")
