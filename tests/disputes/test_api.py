"""The disputes API on the real app: idempotent creation, workflow, files, outcomes, metrics."""

from __future__ import annotations

import pytest

from o2c.billing.service import get_invoice
from tests.app.client import api_client, o2c
from tests.billing.builders import item_of
from tests.disputes.builders import a_deduction, a_widget_invoice, set_up_billing, short_paid
from tests.invariants import check_ledger

API = "/api/v1/disputes"


@pytest.fixture
def setup(uow, actor, engine, clock):
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    return api_client(engine, clock), customer, item_of(uow, actor, invoice.id)


def test_case_is_raised_once_per_idempotency_key(setup):
    client, customer, item = setup
    body = {
        "customer_id": customer,
        "reason": "pricing",
        "lines": [{"item_id": item.id, "amount_minor": 1190}],
    }
    first = client.post(f"{API}/cases", json=body, headers={"Idempotency-Key": "k1"})
    again = client.post(f"{API}/cases", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["amount"] == {"amount": "11.90", "currency": "EUR"}
    listed = client.get(f"{API}/cases").json()
    assert listed["total"] == 1
    assert listed["items"][0]["team"] == "billing"


def test_case_workflow_files_and_rejection_over_http(setup, uow, actor):
    client, customer, item = setup
    body = {
        "customer_id": customer,
        "reason": "damaged",
        "lines": [{"item_id": item.id, "amount_minor": 500}],
    }
    case_id = client.post(f"{API}/cases", json=body).json()["id"]
    moved = client.post(f"{API}/cases/{case_id}/move", json={"status": "in_review"})
    assert moved.json()["status"] == "in_review"
    upload = client.post(
        f"{API}/cases/{case_id}/attachments",
        params={"filename": "photo.png"},
        content=b"\x89PNG\r\n\x1a\n....",
        headers={"Content-Type": "image/png"},
    )
    assert upload.status_code == 201, upload.text
    [info] = upload.json()["attachments"]
    download = client.get(f"{API}/attachments/{info['id']}")
    assert download.content == b"\x89PNG\r\n\x1a\n...."
    assert download.headers["content-type"] == "image/png"
    refused = client.post(
        f"{API}/cases/{case_id}/attachments",
        params={"filename": "x.exe"},
        content=b"MZ",
        headers={"Content-Type": "application/x-msdownload"},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "content_type"
    rejected = client.post(
        f"{API}/cases/{case_id}/reject", json={"note_to_customer": "Not damaged."}
    )
    assert rejected.json()["outcome"] == "rejection"
    again = client.post(f"{API}/cases/{case_id}/move", json={"status": "open"})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    history = client.get(f"{API}/cases/{case_id}/history").json()
    assert [e["to_status"] for e in history["events"] if e["to_status"]] == [
        "open",
        "in_review",
        "rejected",
    ]
    timeline = client.get(f"{API}/customers/{customer}").json()
    assert [(t["kind"], t["status"]) for t in timeline] == [("case", "rejected")]


def test_deduction_chargeback_and_metrics_over_http(setup, uow, actor):
    client, _customer, item = setup
    paid = short_paid(uow, actor, get_invoice(uow, actor, item.source_id), "107.10")
    deduction = a_deduction(uow, actor, paid)
    listed = client.get(f"{API}/deductions", params={"status": "open"}).json()
    assert [d["id"] for d in listed["items"]] == [deduction.id]
    charged = client.post(
        f"{API}/deductions/{deduction.id}/chargeback", json={"note": "no agreement"}
    )
    assert charged.status_code == 200, charged.text
    assert charged.json()["document_id"]
    metrics = client.get(f"{API}/metrics").json()
    assert metrics["recovered"] == [{"amount": "11.90", "currency": "EUR"}]
    assert metrics["deductions_invalid"] == 1
    assert metrics["at_risk"] == []
    check_ledger(uow, actor)


def test_write_off_approval_over_http_refuses_the_requester(setup, uow, actor):
    client, customer, item = setup
    client.put(f"{API}/settings", json={"approval_above_minor": 100})
    body = {
        "customer_id": customer,
        "reason": "other",
        "lines": [{"item_id": item.id, "amount_minor": 500}],
    }
    case_id = client.post(f"{API}/cases", json=body).json()["id"]
    asked = client.post(f"{API}/cases/{case_id}/write-off", json={"note": "goodwill"}).json()
    assert asked["request_id"]
    assert asked["application_ids"] == []
    # the API's actor asked, so the same actor approving is refused
    refused = client.post(f"{API}/write-off-requests/{asked['request_id']}/approve")
    assert refused.status_code == 403
    assert "segregation of duties" in refused.json()["detail"]


def test_reasons_and_settings_are_configurable(setup):
    client, _, _ = setup
    reason = {
        "code": "late",
        "name": "Late delivery",
        "sla_days": 7,
        "team": "logistics",
        "x12_codes": ["99"],
    }
    assert client.put(f"{API}/reasons/late", json=reason).status_code == 200
    assert "late" in [r["code"] for r in client.get(f"{API}/reasons").json()]
    assert client.get(f"{API}/settings").json()["approval_above_minor"] == 50000


def test_cli_lists_reasons_and_metrics(engine, uow, actor):
    database = engine.url.render_as_string(hide_password=False)
    reasons = o2c(database, "disputes", "reasons")
    metrics = o2c(database, "disputes", "metrics")
    assert reasons.exit_code == 0, reasons.output
    assert "damaged" in reasons.output
    assert metrics.exit_code == 0, metrics.output
    assert "at risk: nothing" in metrics.output


def test_cli_raises_lists_and_rejects_a_case(engine, uow, actor):
    customer = set_up_billing(uow, actor)
    item = item_of(uow, actor, a_widget_invoice(uow, actor, customer).id)
    database = engine.url.render_as_string(hide_password=False)
    raised = o2c(database, "disputes", "raise", str(customer), "pricing", f"{item.id}:500")
    assert raised.exit_code == 0, raised.output
    case_id = raised.output.split()[1]
    listed = o2c(database, "disputes", "cases")
    rejected = o2c(database, "disputes", "reject", case_id, "Price as agreed in the contract.")
    history = o2c(database, "disputes", "history", case_id)
    assert "5.00" in listed.output
    assert "pricing" in listed.output
    assert rejected.exit_code == 0, rejected.output
    assert "open -> rejected" in history.output
