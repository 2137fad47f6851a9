"""The customers API over HTTP, on the real app."""

from __future__ import annotations

import pytest

from o2c.catalog.service import install_defaults
from tests.app.client import api_client

BASE = "/api/v1/customers"


@pytest.fixture
def client(engine, clock, uow, actor):
    install_defaults(uow, actor)
    return api_client(engine, clock)


def a_customer(client, code="C1", **fields):
    response = client.post(BASE, json={"code": code, "name": f"Customer {code}", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_customer_is_created_and_read_back_with_money_as_decimal_strings(client):
    created = a_customer(
        client,
        "C1",
        country="DE",
        payment_term="NET30",
        credit_limit={"amount": "25000.50", "currency": "EUR"},
        attributes={"segment": "retail"},
    )

    assert created["credit_limit"] == {"amount": "25000.50", "currency": "EUR"}
    assert created["payment_term"] == "NET30"
    assert client.get(f"{BASE}/{created['id']}").json() == created
    assert client.get(f"{BASE}/by-code/C1").json() == created


def test_invalid_customers_get_a_problem_listing_every_field(client):
    response = client.post(
        BASE, json={"code": "C1", "name": "", "email": "nobody", "payment_term": "NEVER"}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {e["field"] for e in body["errors"]} == {"name", "email", "payment_term"}


def test_money_with_more_places_than_its_currency_is_refused(client):
    response = client.post(
        BASE,
        json={"code": "C1", "name": "C", "credit_limit": {"amount": "1.005", "currency": "EUR"}},
    )

    assert response.status_code == 422


def test_a_retried_create_with_the_same_key_returns_the_first_customer(client):
    body = {"code": "C1", "name": "Customer C1"}
    first = client.post(BASE, json=body, headers={"Idempotency-Key": "k-1"})
    again = client.post(BASE, json=body, headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert client.get(BASE).json()["total"] == 1


def test_patch_changes_only_the_fields_sent_and_null_clears(client):
    created = a_customer(client, "C1", email="ar@c1.example", payment_term="NET30")

    patched = client.patch(
        f"{BASE}/{created['id']}", json={"payment_term": None, "name": "Renamed"}
    ).json()

    assert (patched["name"], patched["payment_term"], patched["email"]) == (
        "Renamed",
        None,
        "ar@c1.example",
    )


def test_listing_pages_with_totals(client):
    for code in ("A", "B", "C"):
        a_customer(client, code)

    page = client.get(BASE, params={"limit": 2, "offset": 1}).json()

    assert [c["code"] for c in page["items"]] == ["B", "C"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert client.get(BASE, params={"limit": 501}).status_code == 422


def test_the_tree_shows_the_group(client):
    group = a_customer(client, "GROUP")
    branch = a_customer(client, "BRANCH", parent_id=group["id"])

    tree = client.get(f"{BASE}/{branch['id']}/tree").json()

    assert [c["code"] for c in tree["ancestors"]] == ["GROUP"]
    assert tree["descendants"] == []


def test_addresses_contacts_and_bank_accounts_are_sub_resources(client):
    customer = a_customer(client)["id"]

    address = client.post(
        f"{BASE}/{customer}/addresses",
        json={"kind": "billing", "line1": "Hauptstr. 1", "city": "Berlin", "country": "DE"},
    )
    contact = client.post(
        f"{BASE}/{customer}/contacts", json={"name": "Ann", "email": "ann@c1.example"}
    )
    account = client.post(
        f"{BASE}/{customer}/bank-accounts", json={"iban": "DE89 3704 0044 0532 0130 00"}
    )
    bad_account = client.post(
        f"{BASE}/{customer}/bank-accounts", json={"iban": "DE89370400440532013001"}
    )

    assert (address.status_code, contact.status_code, account.status_code) == (201, 201, 201)
    assert account.json()["iban"] == "DE89370400440532013000"
    assert bad_account.status_code == 422
    assert [c["name"] for c in client.get(f"{BASE}/{customer}/contacts").json()] == ["Ann"]
    removed = client.delete(f"{BASE}/{customer}/addresses/{address.json()['id']}")
    assert removed.status_code == 204
    assert client.get(f"{BASE}/{customer}/addresses").json() == []


def test_an_unknown_customer_is_a_404_problem(client):
    response = client.get(f"{BASE}/999999")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
