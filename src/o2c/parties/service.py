"""Customer use cases: create, change, look up, and the customer hierarchy (groups).

Lookups other domains call while composing documents and reports (`customer_codes`,
`customer_ids`, `get_customers`) take the company id; everything else takes the actor.
Addresses, contacts and bank accounts live in `parties.contacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Select, func, literal, or_, select

from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties.model import (
    UNSET,
    Customer,
    CustomerCreate,
    CustomerTree,
    CustomerUpdate,
    InvoiceOn,
    customer_problems,
    hierarchy_problem,
)
from o2c.parties.tables import Customer as CustomerRow
from o2c.parties.tables import payment_term_ref, price_list_ref
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

MAX_DEPTH = 50
"""Deepest customer hierarchy walked; deeper chains are refused as a likely data error."""
CHUNK = 5000
"""Keys per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits."""


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _select() -> Select[CustomerRow, str | None, str | None]:
    return (
        select(
            CustomerRow,
            payment_term_ref.c.code.label("term_code"),
            price_list_ref.c.code.label("price_list_code"),
        )
        .outerjoin(payment_term_ref, payment_term_ref.c.id == CustomerRow.payment_term_id)
        .outerjoin(price_list_ref, price_list_ref.c.id == CustomerRow.price_list_id)
    )


def _customer(found: Row[CustomerRow, str | None, str | None]) -> Customer:
    row, term_code, price_list_code = found
    limit = row.credit_limit_minor
    return Customer(
        id=row.id,
        code=row.code,
        name=row.name,
        currency=row.currency,
        country=row.country,
        tax_id=row.tax_id,
        email=row.email,
        language=row.language,
        parent_id=row.parent_id,
        payment_term_id=row.payment_term_id,
        payment_term=term_code,
        price_list_id=row.price_list_id,
        price_list=price_list_code,
        credit_limit=None if limit is None else Money.from_minor(limit, row.currency),
        invoice_on=InvoiceOn(row.invoice_on),
        attributes=dict(row.attributes),
        active=row.active,
    )


def _load(uow: UnitOfWork, company_id: int, customer_id: int) -> Customer:
    found = get_customers(uow, company_id, [customer_id])
    if customer_id not in found:
        raise NotFound("customer", customer_id)
    return found[customer_id]


def customer_row(uow: UnitOfWork, company_id: int, customer_id: int) -> CustomerRow:
    return owned(uow.session, CustomerRow, company_id, customer_id, "customer")


def create_customer(uow: UnitOfWork, actor: Actor, cmd: CustomerCreate) -> Customer:
    """Add a customer. Every problem is reported at once: own fields, a code already taken,
    an unknown parent, payment term or price list, a price list in another currency."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        currency = cmd.currency or get_company(uow, actor.company_id).base_currency
        errors = customer_problems(
            code=cmd.code,
            name=cmd.name,
            currency=currency,
            country=cmd.country,
            tax_id=cmd.tax_id,
            email=cmd.email,
            language=cmd.language,
            credit_limit=cmd.credit_limit,
        )
        errors += _attribute_problems(cmd.attributes)
        if cmd.code in customer_ids(uow, actor.company_id, [cmd.code]):
            errors.append(FieldError("code", f"{cmd.code!r} already exists"))
        if cmd.parent_id is not None and not customer_codes(uow, actor.company_id, [cmd.parent_id]):
            errors.append(FieldError("parent_id", f"unknown customer {cmd.parent_id}"))
        term_id = _term_id(uow, actor.company_id, cmd.payment_term, errors)
        price_list_id = _price_list_id(uow, actor.company_id, cmd.price_list, currency, errors)
        if errors:
            raise ValidationFailed(errors)
        row = CustomerRow(
            company_id=actor.company_id,
            code=cmd.code,
            name=cmd.name,
            currency=currency,
            country=cmd.country,
            tax_id=cmd.tax_id,
            email=cmd.email,
            language=cmd.language,
            parent_id=cmd.parent_id,
            payment_term_id=term_id,
            price_list_id=price_list_id,
            credit_limit_minor=None if cmd.credit_limit is None else cmd.credit_limit.minor,
            invoice_on=cmd.invoice_on.value,
            attributes=dict(cmd.attributes),
            active=True,
            created_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        customer = _load(uow, actor.company_id, row.id)
        audit(uow, actor, "customer.create", "customer", row.id, audit_data(customer))
        uow.publish(actor.company_id, "customer.created", {"id": row.id, "code": row.code})
        uow.commit()
        return customer


def update_customer(
    uow: UnitOfWork, actor: Actor, customer_id: int, cmd: CustomerUpdate
) -> Customer:
    """Change a customer's fields (those not UNSET); a new parent must not create a cycle."""
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        row = customer_row(uow, actor.company_id, customer_id)
        before = _load(uow, actor.company_id, customer_id)
        values = _merged(before, cmd)
        errors = customer_problems(code=None, currency=row.currency, **values)
        if cmd.attributes is not UNSET:
            errors += _attribute_problems(cmd.attributes)
        if cmd.parent_id is not UNSET and cmd.parent_id is not None:
            errors += _parent_problems(uow, actor.company_id, customer_id, cmd.parent_id)
        if cmd.payment_term is not UNSET:
            row.payment_term_id = _term_id(uow, actor.company_id, cmd.payment_term, errors)
        if cmd.price_list is not UNSET:
            row.price_list_id = _price_list_id(
                uow, actor.company_id, cmd.price_list, row.currency, errors
            )
        if errors:
            raise ValidationFailed(errors)
        for name in ("name", "country", "tax_id", "email", "language"):
            setattr(row, name, values[name])
        limit = values["credit_limit"]
        row.credit_limit_minor = None if limit is None else limit.minor
        if cmd.parent_id is not UNSET:
            row.parent_id = cmd.parent_id
        if cmd.invoice_on is not UNSET:
            row.invoice_on = cmd.invoice_on.value
        if cmd.attributes is not UNSET:
            row.attributes = dict(cmd.attributes)
        if cmd.active is not UNSET:
            row.active = cmd.active
        uow.session.flush()
        after = _load(uow, actor.company_id, customer_id)
        changes = _changes(audit_data(before), audit_data(after))
        audit(uow, actor, "customer.update", "customer", customer_id, changes)
        uow.publish(
            actor.company_id,
            "customer.updated",
            {"id": customer_id, "code": row.code, "changes": sorted(changes)},
        )
        uow.commit()
        return after


def _merged(before: Customer, cmd: CustomerUpdate) -> dict[str, Any]:
    """The customer's own fields after the update, as `customer_problems` takes them."""

    def pick(new: Any, old: Any) -> Any:
        return old if new is UNSET else new

    return {
        "name": pick(cmd.name, before.name),
        "country": pick(cmd.country, before.country),
        "tax_id": pick(cmd.tax_id, before.tax_id),
        "email": pick(cmd.email, before.email),
        "language": pick(cmd.language, before.language),
        "credit_limit": pick(cmd.credit_limit, before.credit_limit),
    }


def _attribute_problems(attributes: dict[str, Any]) -> list[FieldError]:
    bad = [key for key in attributes if not isinstance(key, str) or not 0 < len(key) <= 60]
    if bad:
        return [FieldError("attributes", "keys must be names of 1 to 60 characters")]
    return []


def _parent_problems(
    uow: UnitOfWork, company_id: int, customer_id: int, parent_id: int
) -> list[FieldError]:
    path = _ancestors(uow, company_id, parent_id)
    if not path:
        return [FieldError("parent_id", f"unknown customer {parent_id}")]
    parents = {row_id: row_parent for row_id, row_parent, _ in path}
    problem = hierarchy_problem(customer_id, parent_id, parents)
    if problem is None and len(path) >= MAX_DEPTH:
        problem = f"the hierarchy would be deeper than {MAX_DEPTH} levels"
    return [FieldError("parent_id", problem)] if problem else []


def _term_id(
    uow: UnitOfWork, company_id: int, code: str | None, errors: list[FieldError]
) -> int | None:
    if code is None:
        return None
    term_id = uow.session.scalar(
        select(payment_term_ref.c.id).where(
            payment_term_ref.c.company_id == company_id, payment_term_ref.c.code == code
        )
    )
    if term_id is None:
        errors.append(FieldError("payment_term", f"unknown payment term {code!r}"))
    return None if term_id is None else int(term_id)


def _price_list_id(
    uow: UnitOfWork, company_id: int, code: str | None, currency: str, errors: list[FieldError]
) -> int | None:
    if code is None:
        return None
    found = uow.session.execute(
        select(price_list_ref.c.id, price_list_ref.c.currency).where(
            price_list_ref.c.company_id == company_id, price_list_ref.c.code == code
        )
    ).first()
    if found is None:
        errors.append(FieldError("price_list", f"unknown price list {code!r}"))
        return None
    if found.currency != currency:
        errors.append(
            FieldError("price_list", f"{code!r} is in {found.currency}, the customer in {currency}")
        )
    return int(found.id)


def audit_data(customer: Customer) -> dict[str, object]:
    """A customer as its audit record shows it (JSON values, money as text)."""
    return {
        "code": customer.code,
        "name": customer.name,
        "currency": customer.currency,
        "country": customer.country,
        "tax_id": customer.tax_id,
        "email": customer.email,
        "language": customer.language,
        "parent_id": customer.parent_id,
        "payment_term": customer.payment_term,
        "price_list": customer.price_list,
        "credit_limit": None if customer.credit_limit is None else str(customer.credit_limit),
        "invoice_on": customer.invoice_on.value,
        "attributes": customer.attributes,
        "active": customer.active,
    }


def _changes(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    return {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}


def get_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> Customer:
    """One customer of the actor's company; NotFound for another company's."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        return _load(uow, actor.company_id, customer_id)


def find_customer(uow: UnitOfWork, actor: Actor, code: str) -> Customer:
    """The customer with this code; NotFound if the company has none."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        found = uow.session.execute(
            _select().where(CustomerRow.company_id == actor.company_id, CustomerRow.code == code)
        ).first()
        if found is None:
            raise NotFound("customer", code)
        return _customer(found)


def list_customers(
    uow: UnitOfWork,
    actor: Actor,
    *,
    search: str | None = None,
    parent_id: int | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Customer], int]:
    """One page of customers by code, and the total; `search` matches code, name or tax id."""
    actor.require(Permission.LEDGER_READ)
    conditions = [CustomerRow.company_id == actor.company_id]
    if search:
        pattern = f"%{search.lower()}%"
        conditions.append(
            or_(
                func.lower(CustomerRow.code).like(pattern),
                func.lower(CustomerRow.name).like(pattern),
                func.lower(CustomerRow.tax_id).like(pattern),
            )
        )
    if parent_id is not None:
        conditions.append(CustomerRow.parent_id == parent_id)
    if active is not None:
        conditions.append(CustomerRow.active.is_(active))
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(CustomerRow).where(*conditions))
        rows = uow.session.execute(
            _select().where(*conditions).order_by(CustomerRow.code).limit(limit).offset(offset)
        )
        return [_customer(row) for row in rows], total or 0


def get_customers(uow: UnitOfWork, company_id: int, ids: Iterable[int]) -> dict[int, Customer]:
    """The company's customers among `ids`; unknown ids (or another company's) are absent."""
    wanted = sorted(set(ids))
    result: dict[int, Customer] = {}
    with uow:
        for part in chunks(wanted):
            rows = uow.session.execute(
                _select().where(CustomerRow.company_id == company_id, CustomerRow.id.in_(part))
            )
            result |= {customer.id: customer for customer in map(_customer, rows)}
    return result


def customer_codes(uow: UnitOfWork, company_id: int, ids: Iterable[int]) -> dict[int, str]:
    """Codes of the company's customers among `ids` (for reports); unknown ids are absent."""
    wanted = sorted(set(ids))
    result: dict[int, str] = {}
    with uow:
        for part in chunks(wanted):
            rows = uow.session.execute(
                select(CustomerRow.id, CustomerRow.code).where(
                    CustomerRow.company_id == company_id, CustomerRow.id.in_(part)
                )
            )
            result |= {row.id: row.code for row in rows}
    return result


def customer_ids(uow: UnitOfWork, company_id: int, codes: Iterable[str]) -> dict[str, int]:
    """Ids of the company's customers among `codes` (imports, integrations); unknown are absent."""
    wanted = sorted(set(codes))
    result: dict[str, int] = {}
    with uow:
        for part in chunks(wanted):
            rows = uow.session.execute(
                select(CustomerRow.code, CustomerRow.id).where(
                    CustomerRow.company_id == company_id, CustomerRow.code.in_(part)
                )
            )
            result |= {row.code: row.id for row in rows}
    return result


def customer_tree(uow: UnitOfWork, actor: Actor, customer_id: int) -> CustomerTree:
    """A customer with its ancestors (root first) and all its descendants (nearest first).

    Group exposure, statements and dunning of a whole group read it.
    """
    actor.require(Permission.LEDGER_READ)
    with uow:
        customer = _load(uow, actor.company_id, customer_id)
        up = [row_id for row_id, _, _ in _ancestors(uow, actor.company_id, customer_id)][1:]
        down = _descendants(uow, actor.company_id, customer_id)
        found = get_customers(uow, actor.company_id, [*up, *down])
        return CustomerTree(
            customer=customer,
            ancestors=[found[i] for i in reversed(up)],
            descendants=[found[i] for i in down],
        )


def _ancestors(
    uow: UnitOfWork, company_id: int, start_id: int
) -> list[tuple[int, int | None, int]]:
    """(id, parent_id, depth) from `start_id` up to its root; empty if `start_id` is unknown."""
    base = select(CustomerRow.id, CustomerRow.parent_id, literal(0).label("depth")).where(
        CustomerRow.company_id == company_id, CustomerRow.id == start_id
    )
    up = base.cte("up", recursive=True)
    up = up.union_all(
        select(CustomerRow.id, CustomerRow.parent_id, up.c.depth + 1)
        .join(up, CustomerRow.id == up.c.parent_id)
        .where(up.c.depth < MAX_DEPTH)
    )
    rows = uow.session.execute(select(up.c.id, up.c.parent_id, up.c.depth).order_by(up.c.depth))
    return [(row.id, row.parent_id, row.depth) for row in rows]


def _descendants(uow: UnitOfWork, company_id: int, root_id: int) -> list[int]:
    """Ids below `root_id`, nearest generation first, by code within a generation."""
    base = select(CustomerRow.id, literal(0).label("depth")).where(
        CustomerRow.company_id == company_id, CustomerRow.parent_id == root_id
    )
    down = base.cte("down", recursive=True)
    down = down.union_all(
        select(CustomerRow.id, down.c.depth + 1)
        .join(down, CustomerRow.parent_id == down.c.id)
        .where(down.c.depth < MAX_DEPTH)
    )
    rows = uow.session.execute(
        select(down.c.id, func.min(down.c.depth).label("depth"), CustomerRow.code)
        .join(CustomerRow, CustomerRow.id == down.c.id)
        .group_by(down.c.id, CustomerRow.code)
        .order_by("depth", CustomerRow.code)
    )
    return [row.id for row in rows]
