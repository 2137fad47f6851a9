"""Credit over HTTP (problem+json refusals) and from the `o2c credit` CLI."""

from __future__ import annotations

import pytest

from o2c.credit.holds import list_order_holds
from o2c.credit.model import OrderOnCreditHold
from o2c.orders.service import confirm_order, get_order
from o2c.parties.service import get_customer
from o2c.security.model import Role
from tests.app.client import api_client, o2c
from tests.builders import an_invoice
from tests.credit.builders import a_limited_customer, an_order_worth, person

API = "/api/v1/credit"


def test_exposure_holds_and_release_over_http(uow, actor, engine, clock):
    client = api_client(engine, clock)
    customer = a_limited_customer(uow, actor, "100.00")
    an_invoice(uow, actor, customer, "50.00")
    order = an_order_worth(uow, actor, customer, "100.00")
    # the exposure, by where it comes from
    exposure = client.get(f"{API}/customers/{customer}/exposure").json()
    assert exposure["customer"]["open_items"] == {"amount": "50.00", "currency": "EUR"}
    assert exposure["customer"]["available"] == {"amount": "50.00", "currency": "EUR"}
    assert exposure["group"] is None
    # clara's confirmation put it on hold; confirming over HTTP is refused as a problem
    with pytest.raises(OrderOnCreditHold):
        confirm_order(uow, person(actor, "clara", Role.AR_CLERK), order)
    refused = client.post(f"/api/v1/orders/{order}/confirm")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "order_credit_hold"
    assert problem["reasons"] == [
        "customer exposure 169.00 EUR exceeds its credit limit 100.00 EUR"
    ]
    [held] = client.get(f"{API}/order-holds").json()
    assert (held["id"], held["amount"]["amount"]) == (problem["hold_id"], "119.00")
    # releasing it confirms the order
    released = client.post(
        f"{API}/order-holds/{held['id']}/release", json={"reason": "seasonal peak"}
    )
    assert released.json()["status"] == "released"
    assert get_order(uow, actor, order).status == "confirmed"
    assert (
        client.post(f"{API}/order-holds/{held['id']}/reject", json={"reason": ""}).status_code
        == 422
    )


def test_missing_rate_policy_and_score_over_http(uow, actor, engine, clock):
    client = api_client(engine, clock)
    customer = a_limited_customer(uow, actor, "100.00", "CHF")
    an_invoice(uow, actor, customer, "10.00")
    missing = client.get(f"{API}/customers/{customer}/exposure")
    assert (missing.status_code, missing.json()["code"]) == (409, "no_exchange_rate")
    assert missing.json()["currency"] == "CHF"
    assert client.get(f"{API}/policy").json()["blocked_classes"] == ["E"]
    changed = client.put(
        f"{API}/policy", json={"max_days_past_due": 30, "blocked_classes": ["D", "E"]}
    )
    assert changed.json()["max_days_past_due"] == 30
    assert client.get(f"{API}/policy").json()["blocked_classes"] == ["D", "E"]
    bad = client.put(f"{API}/policy", json={"broken_promise_days": 0})
    assert bad.status_code == 422
    assert client.get(f"{API}/customers/{customer}/score").status_code == 404


def test_the_cli_shows_exposure_holds_scores_and_decides(uow, actor, database, clock):
    customer = a_limited_customer(uow, actor, "100.00")
    code = get_customer(uow, actor, customer).code
    an_invoice(uow, actor, customer, "50.00")
    order = an_order_worth(uow, actor, customer, "100.00")
    with pytest.raises(OrderOnCreditHold):
        confirm_order(uow, actor, order)
    number = get_order(uow, actor, order).number
    exposure = o2c(database, "credit", "exposure", code)
    assert "exposure 50.00 EUR (limit 100.00 EUR, available 50.00 EUR)" in exposure.stdout
    holds = o2c(database, "credit", "holds")
    assert f"{number}\t{code}" in holds.stdout
    assert "exceeds its credit limit" in holds.stdout
    assert o2c(database, "credit", "score", code).exit_code != 0  # not scored yet
    rejected = o2c(database, "credit", "reject", number, "--reason", "too risky")
    assert rejected.stdout.strip() == f"{number} rejected and cancelled"
    assert get_order(uow, actor, order).status == "cancelled"
    assert list_order_holds(uow, actor) == []
    again = o2c(database, "credit", "release-order", number, "--reason", "x")
    assert again.exit_code != 0
    assert "not found" in again.stderr
