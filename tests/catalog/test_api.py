"""The catalog API over HTTP, on the real app."""

from __future__ import annotations

import pytest

from o2c.catalog.service import install_defaults
from tests.app.client import api_client

API = "/api/v1"


@pytest.fixture
def client(engine, clock, uow, actor):
    install_defaults(uow, actor)
    return api_client(engine, clock)


def a_product(client, sku="W-1", amount="10.00"):
    response = client.post(
        f"{API}/products",
        json={"sku": sku, "name": f"Product {sku}", "price": {"amount": amount, "currency": "EUR"}},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_products_are_created_listed_and_changed(client):
    product = a_product(client, "W-1", "12.50")
    a_product(client, "W-2")

    page = client.get(f"{API}/products", params={"search": "w-1"}).json()
    patched = client.patch(
        f"{API}/products/{product['id']}", json={"price": {"amount": "13", "currency": "EUR"}}
    ).json()

    assert product["price"] == {"amount": "12.50", "currency": "EUR"}
    assert ([p["sku"] for p in page["items"]], page["total"]) == (["W-1"], 1)
    assert patched["price"] == {"amount": "13.00", "currency": "EUR"}
    assert client.get(f"{API}/products/by-sku/W-1").json() == patched


def test_a_price_list_quotes_by_quantity(client):
    product = a_product(client, "W-1", "10.00")
    price_list = client.post(
        f"{API}/price-lists",
        json={
            "code": "VOLUME",
            "name": "Volume",
            "currency": "EUR",
            "items": [
                {
                    "product_id": product["id"],
                    "min_quantity": "100",
                    "price": {"amount": "8.00", "currency": "EUR"},
                }
            ],
        },
    ).json()

    def quote(quantity):
        return client.get(
            f"{API}/products/{product['id']}/price",
            params={"quantity": quantity, "price_list_id": price_list["id"]},
        ).json()["unit_price"]

    assert quote("99") == {"amount": "10.00", "currency": "EUR"}
    assert quote("100") == {"amount": "8.00", "currency": "EUR"}
    assert client.get(f"{API}/price-lists").json()["total"] == 1


def test_tax_rates_are_listed_and_set_by_category(client):
    changed = client.put(f"{API}/tax-rates/standard", json={"name": "Standard", "percent": "20"})
    rates = {r["category"]: r for r in client.get(f"{API}/tax-rates").json()}

    assert changed.status_code == 200
    assert rates["standard"]["percent"] == "20"
    assert rates["exempt"]["exemption_reason"].startswith("Exempt under Article 132")


def test_payment_terms_are_created_from_a_code_or_given_whole(client):
    parsed = client.post(f"{API}/payment-terms", json={"code": "3/15net60"})
    whole = client.post(
        f"{API}/payment-terms",
        json={"code": "HOUSE", "name": "House terms", "basis": "eom", "days": 10},
    )
    clash = client.post(f"{API}/payment-terms", json={"code": "NET30"})

    assert parsed.json()["code"] == "3/15NET60"
    assert parsed.json()["discount_percent"] == "3"
    assert (whole.json()["basis"], whole.json()["days"]) == ("eom", 10)
    assert clash.status_code == 422
    codes = [t["code"] for t in client.get(f"{API}/payment-terms").json()]
    assert "HOUSE" in codes
    assert "3/15NET60" in codes
