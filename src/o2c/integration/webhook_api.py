"""`/webhooks`: a company's webhook subscriptions and the log of their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from o2c.db.deps import ActorDep, UowDep
from o2c.integration import webhooks
from o2c.integration.webhook_tables import WebhookAttempt, WebhookDelivery, WebhookSubscription

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class SubscriptionIn(BaseModel):
    url: str = Field(max_length=500)
    topics: list[str] = Field(min_length=1, examples=[["invoice.posted", "payment.*"]])
    secret: str | None = Field(default=None, max_length=128)
    description: str = Field(default="", max_length=200)


class SubscriptionRead(BaseModel):
    id: int
    url: str
    topics: list[str]
    active: bool
    description: str
    created_at: datetime

    @classmethod
    def of(cls, row: WebhookSubscription) -> SubscriptionRead:
        return cls(
            id=row.id,
            url=row.url,
            topics=row.topics,
            active=row.active,
            description=row.description,
            created_at=row.created_at,
        )


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="Signs every request (O2C-Signature); shown only here.")


class AttemptRead(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptRead:
        return cls(
            attempt=row.attempt,
            at=row.at,
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
        )


class DeliveryRead(BaseModel):
    id: int
    subscription_id: int
    event_id: int
    topic: str
    status: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    log: list[AttemptRead]

    @classmethod
    def of(cls, row: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryRead:
        return cls(
            id=row.id,
            subscription_id=row.subscription_id,
            event_id=row.event_id,
            topic=row.topic,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
            log=[AttemptRead.of(a) for a in attempts],
        )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Subscribe a URL to events")
def post_subscription(uow: UowDep, actor: ActorDep, body: SubscriptionIn) -> SubscriptionCreated:
    command = webhooks.SubscriptionCreate(body.url, body.topics, body.secret, body.description)
    row = webhooks.add_subscription(uow, actor, command)
    return SubscriptionCreated(**SubscriptionRead.of(row).model_dump(), secret=row.secret)


@router.get("", summary="The company's webhook subscriptions")
def get_subscriptions(uow: UowDep, actor: ActorDep) -> list[SubscriptionRead]:
    return [SubscriptionRead.of(row) for row in webhooks.list_subscriptions(uow, actor)]


@router.post("/{subscription_id}/disable", summary="Stop sending to a subscription")
def post_disable(uow: UowDep, actor: ActorDep, subscription_id: int) -> SubscriptionRead:
    return SubscriptionRead.of(webhooks.disable_subscription(uow, actor, subscription_id))


@router.get("/deliveries", summary="Deliveries, newest first, with every attempt")
def get_deliveries(
    uow: UowDep,
    actor: ActorDep,
    subscription_id: int | None = None,
    delivery_status: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryRead]:
    found = webhooks.list_deliveries(uow, actor, subscription_id, delivery_status, limit)
    return [DeliveryRead.of(delivery, attempts) for delivery, attempts in found]


@router.post("/deliveries/{delivery_id}/redeliver", summary="Try a dead delivery again")
def post_redeliver(uow: UowDep, actor: ActorDep, delivery_id: int) -> DeliveryRead:
    return DeliveryRead.of(webhooks.redeliver(uow, actor, delivery_id), [])
