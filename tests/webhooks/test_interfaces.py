"""`/api/v1/webhooks` and `o2c webhook ...`: subscribe, list, disable, see deliveries, redeliver."""

from __future__ import annotations

from o2c.integration.webhook_delivery import DeliveryPolicy, deliver_webhooks
from o2c.integration.webhook_sending import post_json
from tests.app.client import api_client, o2c
from tests.webhooks.receiver import receiver


def test_the_api_manages_subscriptions_and_redelivers_dead_deliveries(engine, clock, uow, actor):
    client = api_client(engine, clock)
    with receiver() as hook:
        hook.answers = [500]
        created = client.post(
            "/api/v1/webhooks", json={"url": hook.url, "topics": ["dispute.opened"]}
        )
        assert created.status_code == 201, created.text
        assert created.json()["secret"].startswith("whsec_")
        assert "secret" not in client.get("/api/v1/webhooks").json()[0]
        with uow:
            uow.publish(actor.company_id, "dispute.opened", {"id": 3})
            uow.commit()
        policy = DeliveryPolicy(max_attempts=1)
        deliver_webhooks(uow, actor.company_id, post_json, policy)
        [dead] = client.get("/api/v1/webhooks/deliveries", params={"status": "dead"}).json()
        assert dead["log"][0]["status_code"] == 500
        again = client.post(f"/api/v1/webhooks/deliveries/{dead['id']}/redeliver")
        assert again.json()["status"] == "pending"
        assert deliver_webhooks(uow, actor.company_id, post_json, policy).delivered == 1
    subscription = created.json()["id"]
    disabled = client.post(f"/api/v1/webhooks/{subscription}/disable")
    assert disabled.json()["active"] is False
    bad = client.post("/api/v1/webhooks", json={"url": "mailto:x", "topics": ["*"]})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_cli_manages_subscriptions(database, actor):
    added = o2c(database, "webhook", "add", "https://example.test/hook", "--topic", "invoice.*")
    assert added.exit_code == 0, added.stderr
    assert "secret: whsec_" in added.stdout
    listed = o2c(database, "webhook", "list")
    assert "https://example.test/hook" in listed.stdout
    assert o2c(database, "webhook", "disable", "1").exit_code == 0
    assert o2c(database, "webhook", "deliveries").exit_code == 0
    missing = o2c(database, "webhook", "redeliver", "99")
    assert missing.exit_code == 1
    assert "not found" in missing.stderr.lower()
