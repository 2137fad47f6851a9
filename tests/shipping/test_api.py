"""The order-to-shipment spine over HTTP: warehouses, stock, orders, shipments."""

from __future__ import annotations

import pytest

from tests.app.client import api_client
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer

API = "/api/v1"


@pytest.fixture
def client(engine, clock, actor):
    return api_client(engine, clock)


def test_an_order_goes_from_draft_to_shipped_over_http(client, uow, actor):
    product = a_product(uow, actor, price="12.50")
    customer = a_customer(uow, actor)
    warehouse = client.post(f"{API}/warehouses", json={"code": "MAIN", "name": "Main"}).json()
    receipt = client.post(
        f"{API}/stock/receipts",
        json={"product_id": product, "warehouse_id": warehouse["id"], "quantity": "10"},
    )
    body = {
        "customer_id": customer,
        "warehouse_id": warehouse["id"],
        "lines": [{"product_id": product, "quantity": "4", "discount_percent": "10"}],
    }

    created = client.post(f"{API}/orders", json=body, headers={"Idempotency-Key": "o-1"})
    retried = client.post(f"{API}/orders", json=body, headers={"Idempotency-Key": "o-1"})
    order = created.json()
    confirmed = client.post(f"{API}/orders/{order['id']}/confirm")
    shipment = client.post(f"{API}/shipments", json={"order_id": order["id"]}).json()
    shipped = client.post(f"{API}/shipments/{shipment['id']}/ship", json={})
    stock = client.get(f"{API}/stock/{product}").json()

    assert receipt.status_code == 201
    assert (created.status_code, retried.json()["id"]) == (201, order["id"])
    assert order["number"] == "SO-2026-000001"
    assert order["total"] == {"amount": "53.55", "currency": "EUR"}  # 45.00 + 19 %
    assert order["taxes"] == [
        {
            "category": "standard",
            "percent": "19",
            "taxable": {"amount": "45.00", "currency": "EUR"},
            "tax": {"amount": "8.55", "currency": "EUR"},
        }
    ]
    assert confirmed.json()["lines"][0]["quantity_reserved"] == "4"
    assert (shipped.status_code, shipped.json()["status"]) == (200, "shipped")
    assert client.get(f"{API}/orders/{order['id']}").json()["status"] == "shipped"
    assert stock["warehouses"][0] == {
        "warehouse_id": warehouse["id"],
        "warehouse_code": "MAIN",
        "on_hand": "6",
        "reserved": "0",
        "available": "6",
    }


def test_refusals_come_back_as_problems(client, uow, actor):
    product = a_product(uow, actor, stocked=False)
    customer = a_customer(uow, actor)
    order = client.post(
        f"{API}/orders",
        json={"customer_id": customer, "lines": [{"product_id": product, "quantity": "1"}]},
    ).json()
    client.post(f"{API}/orders/{order['id']}/cancel", json={"reason": "duplicate"})

    again = client.post(f"{API}/orders/{order['id']}/confirm")
    invalid = client.post(
        f"{API}/orders",
        json={"customer_id": customer, "lines": [{"product_id": product, "quantity": "-1"}]},
    )
    adjustment = client.post(
        f"{API}/stock/adjustments",
        json={"product_id": product, "warehouse_id": 1, "quantity": "-1"},
    )

    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["lines[0].quantity"]
    assert adjustment.status_code == 422


def test_orders_and_shipments_are_listed_in_pages(client, uow, actor):
    product = a_product(uow, actor, stocked=False)
    customer = a_customer(uow, actor)
    for _ in range(3):
        order = client.post(
            f"{API}/orders",
            json={"customer_id": customer, "lines": [{"product_id": product, "quantity": "1"}]},
        ).json()
    client.post(f"{API}/orders/{order['id']}/confirm")
    client.post(f"{API}/shipments", json={"order_id": order["id"]})

    page = client.get(f"{API}/orders", params={"limit": 2}).json()
    confirmed = client.get(f"{API}/orders", params={"status": "confirmed"}).json()
    shipments = client.get(f"{API}/shipments", params={"order_id": order["id"]}).json()

    assert (len(page["items"]), page["total"], page["limit"]) == (2, 3, 2)
    assert [o["id"] for o in confirmed["items"]] == [order["id"]]
    assert [s["status"] for s in shipments["items"]] == ["draft"]
