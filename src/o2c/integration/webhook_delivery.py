"""Delivering outbox events to webhook subscribers: fan-out, then signed POSTs with retries.

Fan-out reads the company's outbox past its own cursor (`outbox_cursor`, consumer
"webhooks"), so other consumers read the outbox independently, and writes one delivery per
matching active subscription, unique per (subscription, event): re-reading an event adds
nothing. An outbox id is taken at insert but seen at commit, so the cursor only moves past
events older than `settle`; younger ones are read again next time.

Sending claims due deliveries with `FOR UPDATE SKIP LOCKED` and pushes their next attempt
past a lease before committing, so two workers never send the same delivery at once; the
POST happens outside any transaction and its outcome is recorded in a transaction of its
own. A 2xx is delivered (never sent again); anything else is retried with exponential
backoff and jitter until `max_attempts`, then the delivery is dead until an operator
redelivers it. Receivers dedupe on `O2C-Event-Id`, since a crash between a 2xx and its
record sends the event again.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.outbox import OutboxCursor, OutboxEvent
from o2c.db.uow import UnitOfWork
from o2c.integration.webhook_sending import Sender, SendResult
from o2c.integration.webhook_signature import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)
from o2c.integration.webhook_tables import WebhookAttempt, WebhookDelivery, WebhookSubscription
from o2c.integration.webhooks import DEAD, DELIVERED, PENDING, topic_matches

CONSUMER = "webhooks"
FAN_OUT_CHUNK = 5000
SEND_CHUNK = 50


@dataclass(frozen=True)
class DeliveryPolicy:
    """How long to wait for a receiver, how often to try, how far apart."""

    timeout_seconds: float = 10.0
    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=30)
    longest_retry: timedelta = timedelta(hours=6)
    settle: timedelta = timedelta(minutes=10)
    jitter: Callable[[], float] = field(default=random.random)

    def retry_delay(self, attempts: int) -> timedelta:
        """Doubling from `first_retry`, capped, then a random 50-100% of it (full jitter)."""
        delay = min(self.first_retry * (1 << (attempts - 1)), self.longest_retry)
        return delay * (0.5 + self.jitter() / 2)


@dataclass
class DeliveryReport:
    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    attempt: int
    url: str
    body: bytes
    headers: dict[str, str]


def _locked_cursor(uow: UnitOfWork, company_id: int) -> OutboxCursor:
    def locked() -> OutboxCursor | None:
        query = select(OutboxCursor).where(
            OutboxCursor.consumer == CONSUMER, OutboxCursor.company_id == company_id
        )
        return uow.session.scalar(query.with_for_update())

    cursor = locked()
    if cursor is None:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        uow.session.execute(
            make_insert(OutboxCursor)
            .values(
                consumer=CONSUMER,
                company_id=company_id,
                last_event_id=0,
                updated_at=uow.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["consumer", "company_id"])
        )
        cursor = locked()
        assert cursor is not None
    return cursor


def fan_out(uow: UnitOfWork, company_id: int, policy: DeliveryPolicy) -> int:
    """Create the deliveries of the company's new events; how many were created."""
    created = 0
    while True:
        with uow:
            cursor = _locked_cursor(uow, company_id)
            events = uow.session.execute(
                select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.created_at)
                .where(OutboxEvent.company_id == company_id, OutboxEvent.id > cursor.last_event_id)
                .order_by(OutboxEvent.id)
                .limit(FAN_OUT_CHUNK)
            ).all()
            subscriptions = uow.session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.company_id == company_id, WebhookSubscription.active
                )
            ).all()
            now = uow.clock.now()
            rows = [
                {
                    "company_id": company_id,
                    "subscription_id": subscription.id,
                    "event_id": event.id,
                    "topic": event.topic,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for event in events
                for subscription in subscriptions
                if event.created_at >= subscription.created_at
                and topic_matches(subscription.topics, event.topic)
            ]
            created += _insert_new(uow, company_id, rows)
            settled = _settled_prefix([(e.id, e.created_at) for e in events], now - policy.settle)
            if settled is not None:
                cursor.last_event_id, cursor.updated_at = settled, now
            uow.commit()
        if len(events) < FAN_OUT_CHUNK or settled != events[-1].id:
            return created


def _settled_prefix(events: Sequence[tuple[int, datetime]], settled_by: datetime) -> int | None:
    """The last id of the leading run of events created by `settled_by`."""
    last = None
    for event_id, created_at in events:
        if created_at > settled_by:
            break
        last = event_id
    return last


def _insert_new(uow: UnitOfWork, company_id: int, rows: list[dict[str, Any]]) -> int:
    """Insert the deliveries not there yet (a racing fan-out's are skipped); how many."""
    if not rows:
        return 0
    events = [row["event_id"] for row in rows]
    pairs = uow.session.execute(
        select(WebhookDelivery.subscription_id, WebhookDelivery.event_id).where(
            WebhookDelivery.company_id == company_id,
            WebhookDelivery.event_id.between(min(events), max(events)),
        )
    )
    existing = {(subscription_id, event_id) for subscription_id, event_id in pairs}
    new = [row for row in rows if (row["subscription_id"], row["event_id"]) not in existing]
    if new:
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = make_insert(WebhookDelivery).on_conflict_do_nothing(
            index_elements=["subscription_id", "event_id"]
        )
        uow.session.execute(statement, new)
    return len(new)


def _event_body(event: OutboxEvent) -> bytes:
    document = {
        "id": str(event.id),
        "type": event.topic,
        "created_at": event.created_at.isoformat(),
        "company_id": event.company_id,
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def _claim(uow: UnitOfWork, company_id: int, policy: DeliveryPolicy) -> list[_Claimed]:
    """Take up to `SEND_CHUNK` due deliveries, hiding them from other senders for a lease."""
    with uow:
        now = uow.clock.now()
        rows = uow.session.execute(
            select(WebhookDelivery, WebhookSubscription, OutboxEvent)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.company_id == company_id,
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookSubscription.active,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(SEND_CHUNK)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        lease = timedelta(seconds=policy.timeout_seconds * 2 + 60)
        claimed = []
        for delivery, subscription, event in rows:
            delivery.next_attempt_at = now + lease
            body, timestamp = _event_body(event), int(now.timestamp())
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "o2c-webhooks/1",
                SIGNATURE_HEADER: signature_header(subscription.secret, timestamp, body),
                EVENT_ID_HEADER: str(event.id),
                EVENT_TYPE_HEADER: event.topic,
            }
            claimed.append(
                _Claimed(delivery.id, delivery.attempts + 1, subscription.url, body, headers)
            )
        uow.commit()
        return claimed


def _record(uow: UnitOfWork, claimed: _Claimed, result: SendResult, policy: DeliveryPolicy) -> str:
    """Log the attempt and move the delivery on; its new status."""
    with uow:
        now = uow.clock.now()
        delivery = uow.session.get(WebhookDelivery, claimed.delivery_id, with_for_update=True)
        assert delivery is not None
        uow.session.add(
            WebhookAttempt(
                company_id=delivery.company_id,
                delivery_id=delivery.id,
                attempt=claimed.attempt,
                at=now,
                status_code=result.status_code,
                latency_ms=result.latency_ms,
                error=result.error,
            )
        )
        delivery.attempts = claimed.attempt
        delivery.last_status_code, delivery.last_error = result.status_code, result.error
        if result.delivered:
            delivery.status, delivery.delivered_at = DELIVERED, now
        elif claimed.attempt >= policy.max_attempts:
            delivery.status = DEAD
        else:
            delivery.next_attempt_at = now + policy.retry_delay(claimed.attempt)
        status = delivery.status
        uow.commit()
        return status


def deliver_webhooks(
    uow: UnitOfWork, company_id: int, send: Sender, policy: DeliveryPolicy
) -> DeliveryReport:
    """Fan the company's new events out, then send every due delivery once."""
    report = DeliveryReport(fanned_out=fan_out(uow, company_id, policy))
    while claimed := _claim(uow, company_id, policy):
        for item in claimed:
            result = send(item.url, item.body, item.headers, policy.timeout_seconds)
            status = _record(uow, item, result, policy)
            if status == DELIVERED:
                report.delivered += 1
            elif status == DEAD:
                report.dead += 1
            else:
                report.retrying += 1
    return report
