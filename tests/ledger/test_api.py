"""The ledger's HTTP interface: reports out, applications, write-offs, periods and rates in."""

from __future__ import annotations

from datetime import date

import pytest

from o2c.ledger.service import get_item
from tests.app.client import api_client
from tests.builders import a_customer, a_payment, an_invoice

LEDGER = "/api/v1/ledger"


@pytest.fixture
def client(engine, clock, actor):
    return api_client(engine, clock)


@pytest.fixture
def customer(uow, actor):
    return a_customer(uow, actor, code="C1")


def open_minor(uow, actor, item_id):
    with uow:
        return get_item(uow, actor, item_id).open_minor


def test_aging_lists_balances_by_bucket_as_decimal_strings(client, uow, actor, customer):
    an_invoice(uow, actor, customer, "1234.50", on=date(2026, 1, 10), days=30)

    response = client.get(f"{LEDGER}/aging", params={"as_of": "2026-03-02"})

    assert response.status_code == 200
    body = response.json()
    assert body["buckets"] == ["current", "1-30", "31-60", "61-90", "90+"]
    assert body["rows"] == [
        {
            "customer_id": customer,
            "currency": "EUR",
            "bucket": "1-30",
            "amount": {"amount": "1234.50", "currency": "EUR"},
        }
    ]


def test_aging_as_csv_with_custom_buckets(client, uow, actor, customer):
    an_invoice(uow, actor, customer, "10.00", on=date(2025, 11, 1), days=30)

    response = client.get(
        f"{LEDGER}/aging",
        params={"as_of": "2026-03-02", "buckets": "current,1-60,60+", "format": "csv"},
    )

    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == f"customer_id,currency,bucket,amount\n{customer},EUR,60+,10.00\n"


def test_aging_refuses_buckets_that_leave_a_gap(client):
    response = client.get(f"{LEDGER}/aging", params={"buckets": "current,1-30,45+"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "buckets"


def test_aging_defaults_to_the_clock_s_today(client, uow, actor, customer, today):
    an_invoice(uow, actor, customer, "5.00", on=today, days=30)

    body = client.get(f"{LEDGER}/aging").json()

    assert body["as_of"] == today.isoformat()
    assert [row["bucket"] for row in body["rows"]] == ["current"]


def test_statement_shows_opening_documents_and_closing(client, uow, actor, customer):
    an_invoice(uow, actor, customer, "100.00", on=date(2026, 1, 5), number="INV-1")
    an_invoice(uow, actor, customer, "40.00", on=date(2026, 2, 5), number="INV-2")

    body = client.get(
        f"{LEDGER}/customers/{customer}/statement",
        params={"start": "2026-02-01", "end": "2026-02-28"},
    ).json()

    assert body["opening"] == [{"amount": "100.00", "currency": "EUR"}]
    assert [line["document_number"] for line in body["lines"]] == ["INV-2"]
    assert body["closing"] == [{"amount": "140.00", "currency": "EUR"}]
    assert [item["document_number"] for item in body["open_items"]] == ["INV-1", "INV-2"]


def test_trial_balance_debits_equal_credits(client, uow, actor, customer):
    an_invoice(uow, actor, customer, "75.00")

    body = client.get(f"{LEDGER}/trial-balance", params={"as_of": "2026-03-02"}).json()

    rows = {row["account_code"]: row for row in body["rows"]}
    assert rows["1100"]["debit"] == {"amount": "75.00", "currency": "EUR"}
    assert rows["4000"]["credit"] == {"amount": "75.00", "currency": "EUR"}
    assert rows["4000"]["base_balance"] == {"amount": "-75.00", "currency": "EUR"}


def test_open_items_are_paged(client, uow, actor, customer):
    for day in (1, 2, 3):
        an_invoice(uow, actor, customer, "1.00", on=date(2026, 1, day))

    page = client.get(
        f"{LEDGER}/open-items",
        params={"customer_id": customer, "as_of": "2026-03-02", "limit": 2, "offset": 1},
    ).json()

    assert page["total"] == 3
    assert (page["limit"], page["offset"]) == (2, 1)
    assert [item["doc_date"] for item in page["items"]] == ["2026-01-02", "2026-01-03"]


def test_accounts_list_the_chart(client):
    codes = [account["code"] for account in client.get(f"{LEDGER}/accounts").json()]

    assert codes[:3] == ["1000", "1100", "2100"]


def test_application_settles_both_items(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "100.00")
    payment = a_payment(uow, actor, customer, "100.00")
    body = {
        "debit_item_id": invoice.item_id,
        "credit_item_id": payment.item_id,
        "amount_minor": 10000,
        "applied_on": "2026-02-01",
    }

    response = client.post(f"{LEDGER}/applications", json=body)

    assert response.status_code == 201
    assert response.json()["amount_minor"] == 10000
    assert open_minor(uow, actor, invoice.item_id) == 0
    assert open_minor(uow, actor, payment.item_id) == 0


def test_retried_application_with_the_same_key_applies_once(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "100.00")
    payment = a_payment(uow, actor, customer, "100.00")
    body = {
        "debit_item_id": invoice.item_id,
        "credit_item_id": payment.item_id,
        "amount_minor": 3000,
        "applied_on": "2026-02-01",
    }
    headers = {"Idempotency-Key": "pay-7"}

    first = client.post(f"{LEDGER}/applications", json=body, headers=headers)
    retry = client.post(f"{LEDGER}/applications", json=body, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert open_minor(uow, actor, invoice.item_id) == 7000


def test_same_key_with_another_body_is_refused(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "100.00")
    payment = a_payment(uow, actor, customer, "100.00")
    body = {
        "debit_item_id": invoice.item_id,
        "credit_item_id": payment.item_id,
        "amount_minor": 3000,
        "applied_on": "2026-02-01",
    }
    headers = {"Idempotency-Key": "pay-8"}
    client.post(f"{LEDGER}/applications", json=body, headers=headers)

    other = client.post(
        f"{LEDGER}/applications", json={**body, "amount_minor": 4000}, headers=headers
    )

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"
    assert open_minor(uow, actor, invoice.item_id) == 7000


def test_over_application_is_a_409_and_changes_nothing(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "50.00")
    payment = a_payment(uow, actor, customer, "80.00")

    response = client.post(
        f"{LEDGER}/applications",
        json={
            "debit_item_id": invoice.item_id,
            "credit_item_id": payment.item_id,
            "amount_minor": 6000,
            "applied_on": "2026-02-01",
        },
        headers={"Idempotency-Key": "too-much"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "over_applied"
    assert open_minor(uow, actor, invoice.item_id) == 5000


def test_write_off_then_reversal_reopens_the_item(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "10.00")

    written = client.post(
        f"{LEDGER}/write-offs",
        json={"item_id": invoice.item_id, "amount_minor": 1000, "on": "2026-02-01"},
    )
    application = written.json()["application_id"]
    assert open_minor(uow, actor, invoice.item_id) == 0
    reversed_ = client.post(
        f"{LEDGER}/applications/{application}/reverse", json={"on": "2026-02-02"}
    )

    assert reversed_.status_code == 201
    assert reversed_.json()["reverses_id"] == application
    assert open_minor(uow, actor, invoice.item_id) == 1000


def test_closed_period_refuses_a_write_off_dated_inside_it(client, uow, actor, customer):
    invoice = an_invoice(uow, actor, customer, "10.00")

    closed = client.post(f"{LEDGER}/periods/close", json={"through": "2026-01-31"})
    refused = client.post(
        f"{LEDGER}/write-offs",
        json={"item_id": invoice.item_id, "amount_minor": 1000, "on": "2026-01-31"},
    )

    assert closed.json() == {"locked_through": "2026-01-31"}
    assert refused.status_code == 409
    assert refused.json()["code"] == "period_locked"


def test_fx_rate_is_recorded_exactly(client):
    response = client.post(
        f"{LEDGER}/fx-rates",
        json={"currency": "USD", "valid_from": "2026-01-01", "rate": "0.9123456789"},
    )

    assert response.status_code == 201
    assert response.json()["rate"] == "0.9123456789"


def test_fx_rate_must_be_positive(client):
    response = client.post(
        f"{LEDGER}/fx-rates", json={"currency": "USD", "valid_from": "2026-01-01", "rate": "0"}
    )

    assert response.status_code == 422
