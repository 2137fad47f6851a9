"""Webhook subscriptions: companies choose where their events go; operators see and steer
deliveries (`o2c webhook ...`, `/api/v1/webhooks`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.integration.webhook_tables import WebhookAttempt, WebhookDelivery, WebhookSubscription
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(frozen=True)
class SubscriptionCreate:
    url: str
    topics: Sequence[str]
    secret: str | None = None
    description: str = ""


def topic_matches(patterns: Sequence[str], topic: str) -> bool:
    """`*` takes every topic, `invoice.*` every invoice event, anything else itself only."""
    return any(
        pattern == "*"
        or pattern == topic
        or (pattern.endswith(".*") and topic.startswith(pattern[:-1]))
        for pattern in patterns
    )


def _check(cmd: SubscriptionCreate) -> None:
    errors = []
    parts = urlsplit(cmd.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append(FieldError("url", "must be an http:// or https:// address"))
    if not cmd.topics or any(not topic.strip() for topic in cmd.topics):
        errors.append(FieldError("topics", "name at least one topic (or *)"))
    if cmd.secret is not None and len(cmd.secret) < 16:
        errors.append(FieldError("secret", "must be at least 16 characters"))
    if errors:
        raise ValidationFailed(errors)


def add_subscription(uow: UnitOfWork, actor: Actor, cmd: SubscriptionCreate) -> WebhookSubscription:
    """Subscribe a URL to topics; without a secret one is generated (shown to the caller)."""
    actor.require(Permission.WEBHOOK_MANAGE)
    _check(cmd)
    with uow:
        row = WebhookSubscription(
            company_id=actor.company_id,
            url=cmd.url,
            secret=cmd.secret or f"whsec_{secrets.token_hex(24)}",
            topics=sorted({topic.strip() for topic in cmd.topics}),
            active=True,
            description=cmd.description,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(row)
        uow.session.flush()
        audit(
            uow,
            actor,
            "webhook.added",
            "webhook_subscription",
            row.id,
            {"url": row.url, "topics": row.topics},
        )
        uow.commit()
        return row


def list_subscriptions(uow: UnitOfWork, actor: Actor) -> list[WebhookSubscription]:
    actor.require(Permission.WEBHOOK_MANAGE)
    with uow:
        query = select(WebhookSubscription).where(
            WebhookSubscription.company_id == actor.company_id
        )
        return list(uow.session.scalars(query.order_by(WebhookSubscription.id)))


def _subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> WebhookSubscription:
    row = uow.session.get(WebhookSubscription, subscription_id)
    if row is None or row.company_id != actor.company_id:
        raise NotFound("webhook subscription", subscription_id)
    return row


def disable_subscription(
    uow: UnitOfWork, actor: Actor, subscription_id: int
) -> WebhookSubscription:
    """Stop sending to the URL; its pending deliveries wait until it is enabled again."""
    actor.require(Permission.WEBHOOK_MANAGE)
    with uow:
        row = _subscription(uow, actor, subscription_id)
        if row.active:
            row.active = False
            audit(
                uow,
                actor,
                "webhook.disabled",
                "webhook_subscription",
                row.id,
                before={"active": True},
                after={"active": False},
            )
        uow.commit()
        return row


def list_deliveries(
    uow: UnitOfWork,
    actor: Actor,
    subscription_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """The newest deliveries first, each with its attempts in order."""
    actor.require(Permission.WEBHOOK_MANAGE)
    with uow:
        query = select(WebhookDelivery).where(WebhookDelivery.company_id == actor.company_id)
        if subscription_id is not None:
            query = query.where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        deliveries = list(
            uow.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit))
        )
        attempts = uow.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([d.id for d in deliveries]))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempt)
        )
        by_delivery: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
        for attempt in attempts:
            by_delivery[attempt.delivery_id].append(attempt)
        return [(d, by_delivery[d.id]) for d in deliveries]


def redeliver(uow: UnitOfWork, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Try a dead delivery again from its first attempt; a delivered one is never resent."""
    actor.require(Permission.WEBHOOK_MANAGE)
    with uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.company_id != actor.company_id:
            raise NotFound("webhook delivery", delivery_id)
        if delivery.status == DELIVERED:
            raise InvalidTransition(f"delivery {delivery_id} was already delivered")
        before = delivery.status
        delivery.status, delivery.attempts = PENDING, 0
        delivery.next_attempt_at = uow.clock.now()
        audit(
            uow,
            actor,
            "webhook.redelivered",
            "webhook_delivery",
            delivery.id,
            before={"status": before},
            after={"status": PENDING},
        )
        uow.commit()
        return delivery
