"""Payment plans and autopay through the HTTP API and the `o2c payment-plans` commands."""

from __future__ import annotations

import pytest

from o2c.parties.service import get_customer
from o2c.payments.gateway import LoopbackGateway
from o2c.payments.plans_api import payment_gateway
from tests.app.client import api_client, o2c
from tests.billing.builders import a_billed_customer, a_posted_invoice, line, tax_rates
from tests.invariants import check_ledger


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


@pytest.fixture
def invoice(uow, actor, customer):
    """119.00 EUR open (100.00 + 19 % VAT)."""
    return a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00"))


@pytest.fixture
def gateway() -> LoopbackGateway:
    return LoopbackGateway()


@pytest.fixture
def client(engine, clock, gateway):
    client = api_client(engine, clock)
    client.app.dependency_overrides[payment_gateway] = lambda: gateway  # type: ignore[attr-defined]
    return client


def a_card(client, customer: int) -> int:
    body = {"customer_id": customer, "provider": "loopback", "token": "tok_1", "label": "Visa"}
    response = client.post("/api/v1/payment-methods", json=body)
    assert response.status_code == 201, response.text
    assert "token" not in response.json()
    return int(response.json()["id"])


def test_a_plan_on_an_invoice_is_created_once_per_key_with_an_exact_schedule(
    client, customer, invoice
):
    body = {
        "customer_id": customer,
        "currency": "EUR",
        "instalments": 3,
        "first_due": "2026-03-31",
        "invoice_id": invoice.id,
    }

    first = client.post("/api/v1/payment-plans", json=body, headers={"Idempotency-Key": "p1"})
    again = client.post("/api/v1/payment-plans", json=body, headers={"Idempotency-Key": "p1"})
    schedule = client.get(f"/api/v1/payment-plans/{first.json()['id']}/schedule").json()
    listed = client.get("/api/v1/payment-plans", params={"customer_id": customer}).json()

    assert first.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["total"] == {"amount": "119.00", "currency": "EUR"}
    assert [(i["due_on"], i["amount"]["amount"]) for i in schedule] == [
        ("2026-03-31", "39.67"),
        ("2026-04-30", "39.67"),
        ("2026-05-31", "39.66"),
    ]
    assert listed["total"] == 1


def test_autopay_runs_charge_due_instalments_and_retry_declines(
    client, gateway, uow, actor, customer, invoice
):
    card = a_card(client, customer)
    body = {
        "customer_id": customer,
        "currency": "EUR",
        "instalments": 2,
        "first_due": "2026-03-02",
        "invoice_id": invoice.id,
        "payment_method_id": card,
        "retry_days": [2],
    }
    plan = client.post("/api/v1/payment-plans", json=body).json()
    gateway.decline_next()

    declined = client.post("/api/v1/payment-plans/autopay-runs", json={"as_of": "2026-03-02"})
    repeated = client.post("/api/v1/payment-plans/autopay-runs", json={"as_of": "2026-03-02"})
    retried = client.post("/api/v1/payment-plans/autopay-runs", json={"as_of": "2026-03-04"})
    read = client.get(f"/api/v1/payment-plans/{plan['id']}").json()

    assert [(r["approved"], r["next_attempt_on"]) for r in declined.json()] == [
        (False, "2026-03-04")
    ]
    assert repeated.json() == []
    assert [(r["attempt"], r["approved"]) for r in retried.json()] == [(2, True)]
    assert [(i["status"], i["attempts"]) for i in read["instalments"]] == [
        ("paid", 2),
        ("due", 0),
    ]
    assert len(gateway.charges) == 2
    check_ledger(uow, actor)


def test_without_a_configured_gateway_autopay_is_refused_not_faked(engine, clock, actor):
    client = api_client(engine, clock)

    refused = client.post("/api/v1/payment-plans/autopay-runs", json={"as_of": "2026-03-02"})

    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"


def test_nothing_open_to_plan_is_a_problem_naming_the_invoice(client, uow, actor, customer):
    body = {
        "customer_id": customer,
        "currency": "USD",
        "instalments": 2,
        "first_due": "2026-03-02",
    }

    refused = client.post("/api/v1/payment-plans", json=body)

    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["customer_id"]


def test_the_payment_plan_commands_plan_an_invoice_and_autopay_it(
    database, uow, actor, customer, invoice
):
    code = get_customer(uow, actor, customer).code

    method = o2c(database, "payment-plans", "method", code, "--provider", "loopback",
                 "--token", "tok_1")  # fmt: skip
    method_id = method.stdout.split()[2].rstrip(":")
    created = o2c(
        database, "payment-plans", "create", code, "--instalments", "2",
        "--first-due", "2026-03-02", "--invoice", invoice.number, "--method", method_id,
    )  # fmt: skip
    plan_id = created.stdout.split()[2].rstrip(":")
    charged = o2c(database, "payment-plans", "autopay", "--as-of", "2026-04-02",
                  "--gateway", "loopback")  # fmt: skip
    schedule = o2c(database, "payment-plans", "schedule", plan_id)
    listed = o2c(database, "payment-plans", "list", "--customer", code)

    for result in (method, created, charged, schedule, listed):
        assert result.exit_code == 0, result.output
    assert "119.00 EUR in 2" in created.stdout
    assert [ln.split("\t")[2] for ln in charged.stdout.splitlines()[1:]] == ["yes", "yes"]
    assert [ln.split("\t")[4] for ln in schedule.stdout.splitlines()[1:]] == ["paid", "paid"]
    assert listed.stdout.splitlines()[1].split("\t")[5] == "completed"
    check_ledger(uow, actor)
