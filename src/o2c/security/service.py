"""Company set-up and the audit trail every other service writes to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork
from o2c.kernel.currency import is_currency
from o2c.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from o2c.kernel.request_id import request_id_var
from o2c.security.model import Actor
from o2c.security.tables import AuditRecord, Company


def create_company(
    uow: UnitOfWork,
    code: str,
    name: str,
    base_currency: str,
    tax_id: str | None = None,
    country: str | None = None,
) -> Company:
    """Create a tenant. Not permission-checked: only installation operators (CLI) call it."""
    errors = []
    if not code.strip():
        errors.append(FieldError("code", "must not be empty"))
    if not is_currency(base_currency):
        errors.append(FieldError("base_currency", f"unknown currency {base_currency!r}"))
    if errors:
        raise ValidationFailed(errors)
    if uow.session.scalar(select(Company.id).where(Company.code == code)) is not None:
        raise Conflict(f"company {code!r} already exists")
    company = Company(
        code=code,
        name=name,
        base_currency=base_currency,
        tax_id=tax_id,
        country=country,
        created_at=uow.clock.now(),
    )
    uow.session.add(company)
    uow.session.flush()
    return company


def get_company(uow: UnitOfWork, company_id: int) -> Company:
    company = uow.session.get(Company, company_id)
    if company is None:
        raise NotFound("company", company_id)
    return company


def find_company(uow: UnitOfWork, code: str) -> Company:
    company = uow.session.scalar(select(Company).where(Company.code == code))
    if company is None:
        raise NotFound("company", code)
    return company


def list_companies(uow: UnitOfWork) -> list[Company]:
    return list(uow.session.scalars(select(Company).order_by(Company.id)))


def audit(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    data: dict[str, Any] | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one change; the caller's commit makes it permanent together with the change.

    `before` and `after` are the changed fields' old and new values, where the service has
    them; they are kept under those keys of `data`. The record carries the id of the request
    (or job) being served, so it can be found in the server's log and the other way round.
    """
    changes = {key: value for key, value in (("before", before), ("after", after)) if value}
    uow.session.add(
        AuditRecord(
            company_id=actor.company_id,
            at=uow.clock.now(),
            actor=actor.name,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            data={**(data or {}), **changes},
            request_id=request_id_var.get(),
        )
    )


def audit_many(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    entity: str,
    items: Iterable[tuple[object, dict[str, Any]]],
) -> None:
    """Record many changes of one kind with one set-based insert (bulk posting, imports)."""
    now, request_id = uow.clock.now(), request_id_var.get()
    rows = [
        {
            "company_id": actor.company_id,
            "at": now,
            "actor": actor.name,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "data": data,
            "request_id": request_id,
        }
        for entity_id, data in items
    ]
    insert_rows(uow.session, AuditRecord, rows)
