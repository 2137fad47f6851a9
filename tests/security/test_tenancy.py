"""No company sees another's data: every operation of the OpenAPI document, called by company B
with company A's ids, answers 404/403 (or, for a listing, with none of A's rows).

A is a small demo company (loaded first, so it holds the low ids of every table); B has a
customer, an invoice and a payment of its own. Markers of A (its customer codes and names and
product SKUs) must appear in no response to B. SQLite only: what is checked is the services'
`company_id` filters, which do not depend on the backend.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from o2c.app.demo import load_demo
from o2c.app.demo.logins import PORTAL_EMAIL, STAFF_EMAIL
from o2c.app.schema import metadata
from o2c.billing.tables import Invoice
from o2c.catalog.tables import Product
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.ledger.service import install_chart
from o2c.parties.tables import Customer
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import Role, system_actor
from o2c.security.service import create_company, list_companies
from o2c.security.users import actor_for, authenticate
from tests.app.client import api_client
from tests.builders import a_customer, a_payment, an_invoice

TODAY = date(2026, 3, 2)
# Path parameters whose table is not simply the name without `_id`.
TABLE_OF = {
    "order_id": "sales_order",
    "case_id": "dispute_case",
    "subject_id": "dispute_case",
    "term_id": "payment_term",
    "bank_account_id": "customer_bank_account",
    "hold_id": "credit_hold",
    "promise_id": "promise_to_pay",
    "return_id": "return_authorization",
    "interchange_id": "edi_interchange",
    "alert_id": "fraud_alert",
    "review_id": "credit_limit_review",
    "request_id": "write_off_request",
    "delivery_id": "webhook_delivery",
    "attachment_id": "dispute_attachment",
    "line_id": "sales_order_line",
}
# 422: the handler refused the id itself ("product 1 not found"), as for a missing one.
REFUSED = {403, 404, 422}


@dataclass(frozen=True)
class Tenants:
    engine: Engine
    company_a: int
    key_b: str
    markers: frozenset[str]
    codes: dict[str, str]


@pytest.fixture(scope="module")
def tenants(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    path = tmp_path_factory.mktemp("tenancy") / "o2c.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, today=TODAY, seed=11, scale=0.1, history_days=45)
    uow = UnitOfWork(session_factory(engine), FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    with uow:
        company_a = list_companies(uow)[0].id
        beta = create_company(uow, "BETA", "Beta Trading Ltd", "EUR")
        uow.commit()
    install_chart(uow, beta.id)
    admin_b = system_actor(beta.id, "beta admin")
    customer_b = a_customer(uow, admin_b, code="BETA-ONLY")
    an_invoice(uow, admin_b, customer_b, "99.00")
    a_payment(uow, admin_b, customer_b, "12.00")
    key_b = create_credential(uow, admin_b, CredentialKind.API_KEY, "b", {Role.ADMIN}).api_key
    with uow:
        customers = uow.session.execute(
            select(Customer.code, Customer.name).where(Customer.company_id == company_a)
        ).all()
        skus = list(uow.session.scalars(select(Product.sku).where(Product.company_id == company_a)))
        number = uow.session.scalar(
            select(func.min(Invoice.number)).where(Invoice.company_id == company_a)
        )
    markers = {f'"{code}"' for code, _ in customers} | {f'"{sku}"' for sku in skus}
    markers |= {name for _, name in customers if len(name) >= 8}
    codes = {"code": customers[0][0], "sku": skus[0], "number": str(number), "entity": "customers"}
    yield Tenants(engine, company_a, key_b, frozenset(markers), codes)
    engine.dispose()


def _a_id(engine: Engine, company_a: int, param: str) -> int:
    """The lowest id company A has in the table the parameter names (1 if unknown)."""
    table = metadata().tables.get(TABLE_OF.get(param, param.removesuffix("_id")))
    if table is None:
        return 1
    where = f" WHERE company_id = {company_a}" if "company_id" in table.c else ""
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT min(id) FROM {table.name}{where}")).scalar()
    return int(found or 1)


def _value(schema: dict[str, Any], name: str, tenants: Tenants) -> str:
    """A value for a path or query parameter, pointing at company A's data where it can."""
    options = schema.get("anyOf", [schema])
    schema = next((s for s in options if s.get("type") != "null"), schema)
    if "enum" in schema:
        return str(schema["enum"][0])
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return str(_a_id(tenants.engine, tenants.company_a, name))
    if fmt == "date":
        return "2026-03-01"
    if fmt == "date-time":
        return "2026-03-01T00:00:00Z"
    if kind == "boolean":
        return "false"
    return tenants.codes.get(name, tenants.codes["code"])


def _names_a_row(param: dict[str, Any]) -> bool:
    """A path parameter that picks one row: an id, or a code, SKU or document number."""
    if param["in"] != "path":
        return False
    return param["schema"].get("type") == "integer" or param["name"] in {"code", "sku", "number"}


def _empty(body: object) -> bool:
    """No rows anywhere in a JSON document: every list in it is empty."""
    if isinstance(body, list):
        return not body
    if isinstance(body, dict):
        return all(_empty(value) for value in body.values())
    return True


def _refused_or_empty(response: Any) -> bool:
    if response.status_code in REFUSED:
        return True
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status_code == 200 and is_json and _empty(response.json())


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _request(tenants: Tenants, path: str, operation: dict[str, Any]):
    url, query = path, {}
    for param in operation.get("parameters", []):
        schema = param.get("schema", {})
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", _value(schema, param["name"], tenants))
        elif param["in"] == "query" and (param.get("required") or param["name"].endswith("_id")):
            query[param["name"]] = _value(schema, param["name"], tenants)
    return url, query


def test_company_b_sees_nothing_of_company_a_through_any_operation(clock, tenants):
    client = api_client(tenants.engine, clock, authenticated=False)
    spec = client.get("/openapi.json").json()
    headers = {"X-API-Key": tenants.key_b}
    leaks, checked = [], 0
    for path, method, operation in _operations(spec):
        if not path.startswith("/api/"):
            continue
        has_id = any(_names_a_row(param) for param in operation.get("parameters", []))
        if method != "get" and not has_id:
            continue
        url, query = _request(tenants, path, operation)
        body = {} if method in {"post", "put", "patch"} else None
        response = client.request(method.upper(), url, params=query, headers=headers, json=body)
        checked += 1
        asked = url + str(query)  # a 404 may name what was asked for: that is no leak
        shown = [m for m in tenants.markers if m in response.text and m.strip('"') not in asked]
        if shown:
            leaks.append(f"{method.upper()} {url}: {response.status_code} shows {shown[:3]}")
        elif method == "get" and has_id and not _refused_or_empty(response):
            leaks.append(f"GET {url}: {response.status_code} {response.text[:160]}")
        elif method != "get" and 200 <= response.status_code < 300:
            leaks.append(f"{method.upper()} {url}: {response.status_code} on another company's id")
    assert checked > 100
    assert not leaks, f"{len(leaks)} operations leak company A to company B:\n" + "\n".join(leaks)


def test_the_markers_would_be_seen_by_company_a_itself(tenants, clock):
    """The check above can fail: A's own key sees A's markers in the same listings."""
    uow = UnitOfWork(session_factory(tenants.engine), clock)
    key_a = create_credential(
        uow, system_actor(tenants.company_a), CredentialKind.API_KEY, "a", {Role.ADMIN}
    ).api_key
    client = api_client(tenants.engine, clock, authenticated=False)

    response = client.get("/api/v1/customers", headers={"X-API-Key": key_a})

    assert any(marker in response.text for marker in tenants.markers)
    assert re.search(r'"BETA-ONLY"', response.text) is None


def test_the_demo_company_has_its_two_demo_sign_ins(tenants, clock):
    uow = UnitOfWork(session_factory(tenants.engine), clock)
    staff = authenticate(uow, email=STAFF_EMAIL, password="demo", portal=False, client="t")
    portal = authenticate(uow, email=PORTAL_EMAIL, password="demo", portal=True, client="t")
    with uow:
        first = uow.session.scalar(
            select(func.min(Customer.id)).where(Customer.company_id == tenants.company_a)
        )

    contract = {Role.AR_CLERK, Role.COLLECTOR, Role.CASH_APPLIER, Role.CREDIT_MANAGER}
    assert actor_for(staff).roles == contract
    assert actor_for(portal).customer_id == first
    assert staff.company_id == portal.company_id == tenants.company_a
