"""The API's contract with every client: problem+json errors, identity, docs, health."""

from __future__ import annotations

from datetime import date

import pytest

from o2c.app.problems import MEDIA_TYPE, status_of
from o2c.kernel.errors import (
    Conflict,
    DuplicateImport,
    IdempotencyMismatch,
    InvalidFile,
    InvalidTransition,
    NotFound,
    O2CError,
    OverApplication,
    PeriodLocked,
    PermissionDenied,
    ValidationFailed,
)
from o2c.ledger.service import write_off
from tests.app.client import api_client
from tests.builders import a_customer, an_invoice

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


@pytest.fixture
def client(engine, clock, actor):
    return api_client(engine, clock)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["type"] == f"https://o2c.dev/problems/{code}"
    assert body["status"] == status
    assert body["code"] == code
    return body


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("invoice", 1), 404),
        (PermissionDenied("no"), 403),
        (ValidationFailed("bad"), 422),
        (InvalidFile("f.csv", []), 422),
        (IdempotencyMismatch("again"), 422),
        (Conflict("busy"), 409),
        (InvalidTransition("no"), 409),
        (DuplicateImport("seen"), 409),
        (PeriodLocked("closed"), 409),
        (OverApplication("too much"), 409),
        (O2CError("other"), 400),
    ],
)
def test_every_domain_error_has_its_http_status(error, status):
    assert status_of(error) == status


def test_unknown_entity_is_a_404_problem_naming_it(client):
    response = client.post("/api/v1/ledger/applications/999/reverse", json={"on": "2026-03-01"})

    body = assert_problem(response, 404, "not_found")
    assert body["entity"] == "application"
    assert body["key"] == "999"
    assert body["instance"] == "/api/v1/ledger/applications/999/reverse"


def test_unknown_route_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/nowhere"), 404, "not_found")


def test_malformed_body_is_a_422_problem_listing_each_field(client):
    response = client.post(
        "/api/v1/ledger/write-offs", json={"item_id": "x", "amount_minor": 0, "on": "soon"}
    )

    body = assert_problem(response, 422, "invalid")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"body.item_id", "body.amount_minor", "body.on"}


def test_state_conflict_is_a_409_problem(client, uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "10.00")
    application = write_off(uow, actor, invoice.item_id, 1000, date(2026, 2, 1))
    url = f"/api/v1/ledger/applications/{application}/reverse"
    assert client.post(url, json={"on": "2026-02-02"}).status_code == 201

    again = client.post(url, json={"on": "2026-02-03"})

    body = assert_problem(again, 409, "invalid_state")
    assert "already reversed" in body["detail"]


def test_crash_is_a_500_problem_with_a_request_id_and_no_traceback(engine, clock, actor):
    client = api_client(engine, clock)

    @client.app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = client.get("/boom", headers={"X-Request-ID": "req-42"})

    body = assert_problem(response, 500, "internal")
    assert body["request_id"] == "req-42"
    assert response.headers["X-Request-ID"] == "req-42"
    assert "secret" not in response.text
    assert "Traceback" not in response.text


def test_every_response_carries_a_request_id(client):
    assert client.get("/health").headers["X-Request-ID"]


def test_health_and_readiness(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready"


def test_readiness_fails_as_a_problem_without_a_schema(tmp_path, clock):
    from o2c.db.engine import make_engine

    client = api_client(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), clock)

    assert_problem(client.get("/ready"), 503, "not_ready")


def test_openapi_schema_describes_the_ledger(client):
    spec = client.get("/openapi.json").json()

    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/ledger/aging", "/api/v1/ledger/applications"} <= spec["paths"].keys()


def test_docs_are_served_without_any_outside_link(client):
    page = client.get("/docs")

    assert page.status_code == 200
    assert "/openapi.json" in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
