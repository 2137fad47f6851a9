"""Subscriptions through the HTTP API and the `o2c subscriptions` commands."""

from __future__ import annotations

import pytest

from o2c.parties.service import get_customer
from tests.app.client import api_client, o2c
from tests.billing.builders import a_billed_customer, tax_rates
from tests.invariants import check_ledger


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


@pytest.fixture
def client(engine, clock):
    return api_client(engine, clock)


def a_plan(client, code: str, price: str, key: str | None = None) -> dict:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"code": code, "name": f"Plan {code}", "price": price, "currency": "EUR"}
    response = client.post("/api/v1/subscription-plans", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_subscribe_bill_upgrade_and_cancel_through_the_api(client, uow, actor, customer):
    basic, pro = a_plan(client, "BASIC", "30.00"), a_plan(client, "PRO", "60.00")
    started = client.post(
        "/api/v1/subscriptions",
        json={"customer_id": customer, "plan_id": basic["id"], "start": "2026-03-01"},
        headers={"Idempotency-Key": "sub-1"},
    ).json()

    run = client.post("/api/v1/subscriptions/billing-runs", json={"as_of": "2026-03-01"}).json()
    again = client.post("/api/v1/subscriptions/billing-runs", json={"as_of": "2026-03-01"}).json()
    upgraded = client.post(
        f"/api/v1/subscriptions/{started['id']}/change-plan",
        json={"plan_id": pro["id"], "on": "2026-03-17"},
    ).json()
    cancelled = client.post(
        f"/api/v1/subscriptions/{started['id']}/cancel", json={"on": "2026-03-25"}
    ).json()

    assert [c["amount"] for c in run["charges"]] == [{"amount": "30.00", "currency": "EUR"}]
    assert again["charges"] == []
    # March 17-31 is 15 of 31 days: 29.03 of PRO's 60.00 less 14.52 of BASIC's 30.00
    assert [(c["kind"], c["amount"]["amount"]) for c in upgraded["charges"]] == [
        ("period", "30.00"),
        ("change", "14.51"),
    ]
    assert cancelled["status"] == "cancelled"
    assert cancelled["charges"][-1]["kind"] == "cancel"
    assert cancelled["charges"][-1]["amount"]["amount"].startswith("-")
    check_ledger(uow, actor)


def test_a_retried_subscribe_with_the_same_key_subscribes_once(client, customer):
    plan = a_plan(client, "BASIC", "30.00", key="plan-1")
    again = a_plan(client, "BASIC", "30.00", key="plan-1")
    body = {"customer_id": customer, "plan_id": plan["id"], "start": "2026-03-01"}

    first = client.post("/api/v1/subscriptions", json=body, headers={"Idempotency-Key": "s"})
    second = client.post("/api/v1/subscriptions", json=body, headers={"Idempotency-Key": "s"})
    listed = client.get("/api/v1/subscriptions", params={"customer_id": customer}).json()

    assert again["id"] == plan["id"]
    assert first.json()["id"] == second.json()["id"]
    assert listed["total"] == 1


def test_a_plan_in_another_currency_is_a_problem_naming_the_field(client, customer):
    body = {"code": "USD", "name": "Dollars", "price": "10.00", "currency": "USD"}
    plan = client.post("/api/v1/subscription-plans", json=body).json()

    refused = client.post(
        "/api/v1/subscriptions",
        json={"customer_id": customer, "plan_id": plan["id"], "start": "2026-03-01"},
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["plan_id"]


def test_the_subscription_commands_bill_and_cancel(database, uow, actor, customer):
    code = get_customer(uow, actor, customer).code

    added = o2c(database, "subscriptions", "plan", "BASIC", "Basic", "30.00", "EUR")
    subscribed = o2c(database, "subscriptions", "subscribe", code, "BASIC", "--start", "2026-03-01")
    billed = o2c(database, "subscriptions", "bill", "--as-of", "2026-04-01")
    rebilled = o2c(database, "subscriptions", "bill", "--as-of", "2026-04-01")
    subscription_id = subscribed.stdout.split()[1].rstrip(":")
    cancelled = o2c(database, "subscriptions", "cancel", subscription_id, "--on", "2026-04-16")
    listed = o2c(database, "subscriptions", "list", "--customer", code)

    for result in (added, subscribed, billed, rebilled, cancelled, listed):
        assert result.exit_code == 0, result.output
    assert [ln.split("\t")[1:3] for ln in billed.stdout.splitlines()[1:]] == [
        ["period", "2026-03-01"],
        ["period", "2026-04-01"],
    ]
    assert rebilled.stdout.splitlines()[1:] == []
    assert cancelled.stdout.splitlines()[1].split("\t")[1] == "cancel"
    assert listed.stdout.splitlines()[1].split("\t")[3] == "cancelled"
    check_ledger(uow, actor)
