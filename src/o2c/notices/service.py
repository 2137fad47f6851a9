"""Send the notices the outbox asks for: each event once, in one transaction with its mail.

`send_notices` reads the company's outbox events that cause a notice (`compose.COMPOSERS`)
and handles each in its own transaction: it claims the event with a `notice` row (unique per
event), renders the template in the customer's language, queues the mail in the mail outbox
and writes the entry on the customer's timeline. Either all of that commits or none of it,
and a second job handling the same event at once fails on the unique row and rolls back, so
a customer gets each notice exactly once. The mail itself leaves through the mail job.

The reading is bounded by a cursor per company: every relevant event up to it was handled.
It only passes events older than `SETTLE`, because on PostgreSQL an event id is taken when
its transaction writes it, not when it commits, so a lower id may still become visible a
little later; a transaction open longer than `SETTLE` is not expected of any o2c service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from o2c.db.outbox import OutboxCursor, OutboxEvent
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import O2CError
from o2c.notices.compose import COMPOSERS, Audience, Composed
from o2c.notices.tables import Notice
from o2c.notify.model import Mail
from o2c.notify.service import queue_mail
from o2c.notify.templates import MailTemplates, templates_of
from o2c.parties.events import EventCreate, record_events
from o2c.security.model import Actor, Permission

CONSUMER = "notices"
SETTLE = timedelta(hours=1)
_REASON_LIMIT = 200


@dataclass(frozen=True)
class NoticeReport:
    """What one run did: mails queued, and events that could not be notified (and why)."""

    queued: int
    skipped: int


def send_notices(
    uow: UnitOfWork, actor: Actor, audience: Audience | None = None, limit: int = 500
) -> NoticeReport:
    """Queue the notices of up to `limit` outbox events not notified yet, oldest first."""
    actor.require(Permission.ORDER_WRITE)
    audience = audience or Audience()
    with uow:
        cursor = _cursor(uow, actor.company_id)
        events = uow.session.execute(
            _unhandled(actor.company_id, cursor)
            .with_only_columns(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.payload)
            .order_by(OutboxEvent.id)
            .limit(limit)
        ).all()
    queued = skipped = 0
    for event_id, topic, payload in events:
        outcome = _notify(uow, actor, audience, event_id, topic, payload)
        queued += outcome == "queued"
        skipped += outcome == "skipped"
    _advance(uow, actor.company_id)
    return NoticeReport(queued, skipped)


def _unhandled(company_id: int, cursor: int) -> Any:
    return select(OutboxEvent).where(
        OutboxEvent.company_id == company_id,
        OutboxEvent.id > cursor,
        OutboxEvent.topic.in_(COMPOSERS),
        ~exists().where(Notice.company_id == company_id, Notice.event_id == OutboxEvent.id),
    )


def _notify(
    uow: UnitOfWork,
    actor: Actor,
    audience: Audience,
    event_id: int,
    topic: str,
    payload: dict[str, Any],
) -> str | None:
    """ "queued", "skipped" (recorded with its reason), or None: another job took the event."""
    try:
        with uow:
            notice = Notice(
                company_id=actor.company_id,
                event_id=event_id,
                kind=topic,
                created_at=uow.clock.now(),
            )
            uow.session.add(notice)
            uow.session.flush()  # claims the event: a concurrent claim fails here or at commit
            composed = COMPOSERS[topic](uow, actor, payload, audience)
            notice.kind, notice.customer_id = composed.kind, composed.customer_id
            if composed.recipients:
                notice.mail_id = _queue(uow, actor, composed)
            else:
                notice.skipped = "no e-mail address to send to"
            uow.commit()
            return "queued" if notice.mail_id is not None else "skipped"
    except IntegrityError:
        return None
    except O2CError as error:
        # The document is gone or the mail cannot be written (an invalid address): record
        # why, so the event is not tried forever, and go on with the others.
        return _skip(uow, actor, event_id, topic, f"{error.code}: {error}")


def _queue(uow: UnitOfWork, actor: Actor, composed: Composed) -> int:
    rendered = _templates().render(composed.kind, composed.language, composed.context)
    mail = Mail(
        to=composed.recipients, subject=rendered.subject, text=rendered.text, html=rendered.html
    )
    mail_id = queue_mail(
        uow,
        actor,
        mail,
        customer_id=composed.customer_id,
        source_kind=f"notice.{composed.kind}",
        source_id=composed.source_id,
    )
    event = EventCreate(
        composed.customer_id,
        "mail",
        f"{composed.timeline} sent to {', '.join(composed.recipients)}",
        ref=f"{composed.source_kind}:{composed.source_id}",
    )
    record_events(uow, actor, [event])
    return mail_id


def _skip(uow: UnitOfWork, actor: Actor, event_id: int, topic: str, reason: str) -> str | None:
    try:
        with uow:
            uow.session.add(
                Notice(
                    company_id=actor.company_id,
                    event_id=event_id,
                    kind=topic,
                    skipped=reason[:_REASON_LIMIT],
                    created_at=uow.clock.now(),
                )
            )
            uow.commit()
            return "skipped"
    except IntegrityError:
        return None


def _templates() -> MailTemplates:
    return templates_of("o2c.notices", "templates")


def _cursor(uow: UnitOfWork, company_id: int) -> int:
    value = uow.session.scalar(
        select(OutboxCursor.last_event_id).where(
            OutboxCursor.consumer == CONSUMER, OutboxCursor.company_id == company_id
        )
    )
    return value or 0


def _advance(uow: UnitOfWork, company_id: int) -> None:
    """Move the cursor past every settled event before the first one still unhandled."""
    with uow:
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
        row = uow.session.scalar(
            select(OutboxCursor)
            .where(OutboxCursor.consumer == CONSUMER, OutboxCursor.company_id == company_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert row is not None
        first_unhandled = uow.session.scalar(
            _unhandled(company_id, row.last_event_id).with_only_columns(func.min(OutboxEvent.id))
        )
        newest_settled = uow.session.scalar(
            select(func.max(OutboxEvent.id)).where(
                OutboxEvent.company_id == company_id,
                OutboxEvent.id > row.last_event_id,
                OutboxEvent.created_at <= uow.clock.now() - SETTLE,
            )
        )
        if newest_settled is not None:
            limit = newest_settled if first_unhandled is None else first_unhandled - 1
            row.last_event_id = max(row.last_event_id, min(limit, newest_settled))
            row.updated_at = uow.clock.now()
        uow.commit()
