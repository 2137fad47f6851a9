"""The invoice → payment spine over HTTP, with retries that never move money twice."""

from __future__ import annotations

import pytest

from tests.app.client import api_client
from tests.billing.builders import a_billed_customer, tax_rates

API = "/api/v1"


@pytest.fixture
def client(engine, clock, actor):
    return api_client(engine, clock)


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor, term="2/10NET30")


def eur(amount):
    return {"amount": amount, "currency": "EUR"}


def test_an_invoice_is_drafted_posted_paid_and_refunded_over_http(client, customer):
    draft = client.post(
        f"{API}/invoices",
        json={
            "customer_id": customer,
            "issue_date": "2026-02-10",
            "lines": [
                {
                    "description": "Widget",
                    "quantity": "2",
                    "unit_price": "50.00",
                    "tax_category": "standard",
                }
            ],
        },
    )
    assert draft.status_code == 201, draft.text
    invoice_id = draft.json()["id"]

    posted = client.post(f"{API}/invoices/{invoice_id}/post", headers={"Idempotency-Key": "p-1"})
    retried = client.post(f"{API}/invoices/{invoice_id}/post", headers={"Idempotency-Key": "p-1"})
    paid = client.post(
        f"{API}/payments",
        headers={"Idempotency-Key": "bank-1"},
        json={
            "customer_id": customer,
            "amount": eur("150.00"),
            "method": "wire",
            "received_on": "2026-02-18",
            "allocations": [{"invoice_id": invoice_id, "amount": eur("116.62")}],
        },
    )
    again = client.post(
        f"{API}/payments",
        headers={"Idempotency-Key": "bank-1"},
        json={
            "customer_id": customer,
            "amount": eur("150.00"),
            "method": "wire",
            "received_on": "2026-02-18",
            "allocations": [{"invoice_id": invoice_id, "amount": eur("116.62")}],
        },
    )
    payment = paid.json()

    assert posted.status_code == 200, posted.text
    assert posted.json()["number"] == "INV-2026-000001"
    assert posted.json()["total"] == eur("119.00")
    assert posted.json()["taxes"][0]["tax"] == eur("19.00")
    assert retried.json() == posted.json()
    assert paid.status_code == 201, paid.text
    assert payment["application"]["discount"] == eur("2.38")
    assert payment["unapplied"] == eur("33.38")
    assert again.json()["id"] == payment["id"]
    assert client.get(f"{API}/invoices/{invoice_id}").json()["open"] == eur("0.00")

    item = client.get(f"{API}/payments/{payment['id']}").json()
    assert item["unapplied"] == eur("33.38")


def test_a_partial_credit_note_and_an_application_over_http(client, customer, uow, actor):
    invoice = client.post(
        f"{API}/invoices",
        json={
            "customer_id": customer,
            "issue_date": "2026-02-10",
            "lines": [
                {
                    "description": "Widget",
                    "quantity": "2",
                    "unit_price": "50.00",
                    "tax_category": "exempt",
                }
            ],
        },
    ).json()
    client.post(f"{API}/invoices/{invoice['id']}/post")

    note = client.post(
        f"{API}/invoices/{invoice['id']}/credit-notes",
        json={
            "reason": "one returned",
            "lines": [{"invoice_line_id": invoice["lines"][0]["id"], "quantity": "1"}],
        },
    )
    payment = client.post(
        f"{API}/payments",
        json={
            "customer_id": customer,
            "amount": eur("50.00"),
            "method": "ach",
            "received_on": "2026-03-01",
        },
    ).json()
    applied = client.post(
        f"{API}/payments/{payment['id']}/applications",
        json={
            "allocations": [{"invoice_id": invoice["id"], "amount": eur("50.00")}],
        },
    )

    assert note.status_code == 201, note.text
    assert (note.json()["kind"], note.json()["total"]) == ("credit_note", eur("50.00"))
    assert applied.status_code == 201, applied.text
    assert applied.json()["unapplied"] == eur("0.00")
    listed = client.get(f"{API}/invoices", params={"kind": "credit_note"}).json()
    assert listed["total"] == 1


def test_money_with_too_many_decimals_is_refused_not_rounded(client, customer):
    response = client.post(
        f"{API}/payments",
        json={
            "customer_id": customer,
            "amount": eur("10.005"),
            "method": "wire",
            "received_on": "2026-03-01",
        },
    )

    assert response.status_code == 422


def test_refund_of_unapplied_cash_over_http(client, customer, uow, actor):
    payment = client.post(
        f"{API}/payments",
        json={
            "customer_id": customer,
            "amount": eur("20.00"),
            "method": "wire",
            "received_on": "2026-03-01",
        },
    ).json()
    from o2c.payments.applying import payment_item

    with uow:
        credit = payment_item(uow, actor.company_id, payment["id"]).id

    body = {"credit_item_id": credit, "amount": eur("20.00"), "method": "wire", "on": "2026-03-02"}
    first = client.post(f"{API}/refunds", json=body, headers={"Idempotency-Key": "r-1"})
    second = client.post(f"{API}/refunds", json=body, headers={"Idempotency-Key": "r-1"})

    assert first.status_code == 201, first.text
    assert second.json() == first.json()
    assert client.get(f"{API}/payments/{payment['id']}").json()["status"] == "applied"
