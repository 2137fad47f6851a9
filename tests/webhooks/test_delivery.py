"""Webhook delivery against a real HTTP receiver on loopback: signed, retried, given up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from o2c.db.outbox import OutboxEvent
from o2c.integration import webhooks
from o2c.integration.webhook_delivery import DeliveryPolicy, deliver_webhooks
from o2c.integration.webhook_sending import post_json
from o2c.integration.webhook_signature import signature_valid
from o2c.kernel.errors import InvalidTransition, ValidationFailed
from tests.webhooks.receiver import receiver

SECRET = "test-secret-0123456789"
POLICY = DeliveryPolicy(timeout_seconds=2.0, max_attempts=3, jitter=lambda: 1.0)


@pytest.fixture
def hook():
    with receiver() as running:
        yield running


def subscribe(uow, actor, url, topics=("invoice.*",)):
    command = webhooks.SubscriptionCreate(url, list(topics), SECRET)
    return webhooks.add_subscription(uow, actor, command)


def publish(uow, actor, topic="invoice.posted", **payload):
    with uow:
        uow.publish(actor.company_id, topic, payload or {"id": 1, "number": "INV-1"})
        uow.commit()


def deliver(uow, actor, policy=POLICY):
    return deliver_webhooks(uow, actor.company_id, post_json, policy)


def deliveries(uow, actor):
    return webhooks.list_deliveries(uow, actor)


def test_an_event_reaches_the_receiver_signed(uow, actor, hook, clock):
    subscribe(uow, actor, hook.url)
    publish(uow, actor, id=7, number="INV-7")
    report = deliver(uow, actor)
    assert (report.fanned_out, report.delivered) == (1, 1)
    [request] = hook.received
    now = int(clock.now().timestamp())
    assert signature_valid(SECRET, request.headers["O2C-Signature"], request.body, now)
    assert not signature_valid(
        "another-secret-000", request.headers["O2C-Signature"], request.body, now
    )
    assert not signature_valid(SECRET, request.headers["O2C-Signature"], request.body + b" ", now)
    body = json.loads(request.body)
    assert request.headers["O2C-Event-Type"] == body["type"] == "invoice.posted"
    assert request.headers["O2C-Event-Id"] == body["id"]
    assert body["data"] == {"id": 7, "number": "INV-7"}
    [(delivery, attempts)] = deliveries(uow, actor)
    assert delivery.status == "delivered"
    assert [(a.attempt, a.status_code) for a in attempts] == [(1, 200)]


def test_a_delivered_event_is_never_sent_again(uow, actor, hook):
    subscribe(uow, actor, hook.url)
    publish(uow, actor)
    deliver(uow, actor)
    again = deliver(uow, actor)
    assert (again.fanned_out, again.delivered) == (0, 0)
    assert len(hook.received) == 1
    [(delivery, _)] = deliveries(uow, actor)
    with pytest.raises(InvalidTransition):
        webhooks.redeliver(uow, actor, delivery.id)


def test_a_500_is_retried_after_the_backoff(uow, actor, hook, clock):
    hook.answers = [500, 503]
    subscribe(uow, actor, hook.url)
    publish(uow, actor)
    assert deliver(uow, actor).retrying == 1
    assert deliver(uow, actor).retrying == 0  # not due yet
    clock.advance(seconds=30)
    assert deliver(uow, actor).retrying == 1
    clock.advance(seconds=59)
    assert deliver(uow, actor).delivered == 0  # the second wait doubles: 60 s
    clock.advance(seconds=1)
    assert deliver(uow, actor).delivered == 1
    [(delivery, attempts)] = deliveries(uow, actor)
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert delivery.status == "delivered"
    assert len({r.headers["O2C-Event-Id"] for r in hook.received}) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(uow, actor, hook):
    hook.delay_seconds = 2.0
    subscribe(uow, actor, hook.url)
    publish(uow, actor)
    report = deliver(uow, actor, DeliveryPolicy(timeout_seconds=0.3, jitter=lambda: 1.0))
    assert report.retrying == 1
    [(_, [attempt])] = deliveries(uow, actor)
    assert attempt.status_code is None
    assert "timed out" in attempt.error


def test_delivery_gives_up_after_the_last_attempt_until_redelivered(uow, actor, hook, clock):
    hook.answers = [500, 500, 500]
    subscribe(uow, actor, hook.url)
    publish(uow, actor)
    for _ in range(3):
        deliver(uow, actor)
        clock.advance(hours=1)
    [(delivery, attempts)] = deliveries(uow, actor)
    assert delivery.status == "dead"
    assert len(attempts) == 3
    webhooks.redeliver(uow, actor, delivery.id)
    assert deliver(uow, actor).delivered == 1
    assert len(hook.received) == 4


def test_an_unreachable_receiver_is_retried(uow, actor):
    subscribe(uow, actor, "http://127.0.0.1:9/nothing-listens-here")
    publish(uow, actor)
    assert deliver(uow, actor).retrying == 1
    [(_, [attempt])] = deliveries(uow, actor)
    assert attempt.status_code is None
    assert attempt.error


def test_only_matching_topics_of_active_subscriptions_are_sent(uow, actor, hook):
    invoices = subscribe(uow, actor, hook.url, ["invoice.posted"])
    everything = subscribe(uow, actor, hook.url + "/all", ["*"])
    webhooks.disable_subscription(uow, actor, everything.id)
    publish(uow, actor, "payment.applied")
    publish(uow, actor, "invoice.posted")
    assert deliver(uow, actor).delivered == 1
    [(delivery, _)] = deliveries(uow, actor)
    assert (delivery.subscription_id, delivery.topic) == (invoices.id, "invoice.posted")


def test_events_before_a_subscription_are_not_sent_to_it(uow, actor, hook, clock):
    publish(uow, actor)
    clock.advance(seconds=1)
    subscribe(uow, actor, hook.url)
    assert deliver(uow, actor).fanned_out == 0


def test_the_cursor_leaves_the_outbox_to_other_consumers(uow, actor, hook, clock):
    subscribe(uow, actor, hook.url)
    publish(uow, actor)
    clock.advance(minutes=11)
    deliver(uow, actor)
    publish(uow, actor)
    assert deliver(uow, actor).delivered == 1
    with uow:
        published = uow.session.scalars(select(OutboxEvent.published_at)).all()
    assert published == [None, None]


def test_subscriptions_are_checked(uow, actor):
    with pytest.raises(ValidationFailed) as error:
        webhooks.add_subscription(uow, actor, webhooks.SubscriptionCreate("ftp://x", [], "short"))
    assert {e.field for e in error.value.errors} == {"url", "topics", "secret"}


def test_retry_delays_double_within_the_cap_and_jitter():
    policy = DeliveryPolicy(
        first_retry=timedelta(seconds=10), longest_retry=timedelta(seconds=60), jitter=lambda: 0.0
    )
    assert [policy.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]
