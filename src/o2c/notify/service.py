"""Queue mails in the sender's transaction; deliver them after commit, each at most once.

`queue_mail` only writes rows: a mail leaves if and only if the business change that wrote it
committed. `deliver_pending` is the worker side. It claims due mails in short transactions
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers take disjoint mails; SQLite has one
writer at a time anyway), commits the claim, sends outside any transaction, and records each
outcome in its own short transaction. A worker that dies between claim and outcome leaves a
claim behind; after `CLAIM_LEASE` such a mail is marked failed rather than sent again, since
it may already have left: mail is delivered at most once, never twice.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from sqlalchemy import insert, select, update

from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.notify.model import (
    CLAIM_LEASE,
    Attachment,
    DeliveryFailed,
    DeliveryReport,
    Mail,
    MailStatus,
    address_problem,
    retry_delay,
)
from o2c.notify.smtp import MailTransport
from o2c.notify.tables import OutgoingMail, OutgoingMailAttachment
from o2c.security.model import Actor
from o2c.security.tables import Company

__all__ = ["MailTransport", "deliver_pending", "mail_status", "queue_mail"]

log = logging.getLogger(__name__)

DEFAULT_SENDER = "ar@localhost"
CLAIM_CHUNK = 50  # mails claimed per transaction: small, so a claim never waits long to be sent
_IN_CHUNK = 5000  # ids per IN (...) list, well below SQLite's bound-parameter limit
_ERROR_LIMIT = 2000


def _mail_problems(mail: Mail, source_kind: str) -> list[FieldError]:
    errors = []
    if not mail.to:
        errors.append(FieldError("to", "at least one recipient is required"))
    for name, addresses in (("to", mail.to), ("cc", mail.cc)):
        for index, address in enumerate(addresses):
            if problem := address_problem(address):
                errors.append(FieldError(f"{name}[{index}]", problem))
    if mail.reply_to is not None and (problem := address_problem(mail.reply_to)):
        errors.append(FieldError("reply_to", problem))
    if not mail.subject.strip():
        errors.append(FieldError("subject", "must not be empty"))
    elif any(c in mail.subject for c in "\r\n"):
        errors.append(FieldError("subject", "must be one line"))
    if not source_kind.strip():
        errors.append(FieldError("source_kind", "must not be empty"))
    for index, attachment in enumerate(mail.attachments):
        if not attachment.filename.strip() or "/" in attachment.filename:
            errors.append(FieldError(f"attachments[{index}].filename", "must be a plain name"))
        if "/" not in attachment.content_type:
            errors.append(FieldError(f"attachments[{index}].content_type", "not a MIME type"))
    return errors


def queue_mail(
    uow: UnitOfWork,
    actor: Actor,
    mail: Mail,
    *,
    customer_id: int | None,
    source_kind: str,
    source_id: int | None,
) -> int:
    """Store the mail (and attachments) in the outgoing-mail table in the caller's unit of work.

    It leaves only after the caller commits, through `deliver_pending`. No permission of its
    own: callers are services that already checked theirs (a dunning run, an invoice sent by
    mail); the actor's company owns the mail and its name is recorded as who queued it.
    """
    if errors := _mail_problems(mail, source_kind):
        raise ValidationFailed(errors)
    with uow:
        now = uow.clock.now()
        row = OutgoingMail(
            company_id=actor.company_id,
            customer_id=customer_id,
            to_addresses=list(mail.to),
            cc_addresses=list(mail.cc),
            reply_to=mail.reply_to,
            subject=mail.subject,
            text_body=mail.text,
            html_body=mail.html,
            status=MailStatus.QUEUED.value,
            attempts=0,
            source_kind=source_kind,
            source_id=source_id,
            queued_by=actor.name,
            queued_at=now,
            next_attempt_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
        if mail.attachments:
            uow.session.execute(
                insert(OutgoingMailAttachment), _attachment_rows(actor, row.id, mail)
            )
        uow.commit()
        return row.id


def _attachment_rows(actor: Actor, mail_id: int, mail: Mail) -> list[dict[str, Any]]:
    return [
        {
            "company_id": actor.company_id,
            "mail_id": mail_id,
            "position": position,
            "filename": a.filename,
            "content_type": a.content_type,
            "content": a.content,
        }
        for position, a in enumerate(mail.attachments)
    ]


@dataclass(frozen=True)
class _Claimed:
    id: int
    company_id: int
    company_name: str
    attempts: int
    mail: Mail


def deliver_pending(
    uow: UnitOfWork,
    transport: MailTransport,
    *,
    company_id: int | None = None,
    limit: int = 500,
    sender: str | None = None,
) -> DeliveryReport:
    """Claim due mails, send each through the transport, and mark it sent or failed.

    Due are new mails and failed ones whose retry time has come (see `model.retry_delay`):
    a temporary failure is retried later, a permanent one (5xx) or the last attempt gives up.
    The From header is the company's name with `sender` (default: the transport's sender
    address). Safe with several workers: each mail is claimed by exactly one of them.
    """
    address = sender or getattr(transport, "sender", None) or DEFAULT_SENDER
    _fail_interrupted(uow, company_id)
    sent = failed = 0
    with _connected(transport):
        while sent + failed < limit:
            batch = _claim(uow, company_id, min(CLAIM_CHUNK, limit - sent - failed))
            if not batch:
                break
            for claimed in batch:
                error = _send(transport, claimed, address)
                _record(uow, claimed, error)
                sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
    return DeliveryReport(sent=sent, failed=failed)


def _connected(transport: MailTransport) -> AbstractContextManager[object]:
    if isinstance(transport, AbstractContextManager):
        return transport
    return _nothing()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _fail_interrupted(uow: UnitOfWork, company_id: int | None) -> None:
    """Give up mails claimed by a worker that never reported: they may have left already."""
    with uow:
        now = uow.clock.now()
        stale = update(OutgoingMail).where(
            OutgoingMail.claimed_at.is_not(None),
            OutgoingMail.claimed_at < now - CLAIM_LEASE,
            OutgoingMail.status == MailStatus.SENDING.value,
        )
        if company_id is not None:
            stale = stale.where(OutgoingMail.company_id == company_id)
        uow.session.execute(
            stale.values(
                status=MailStatus.FAILED.value,
                claimed_at=None,
                next_attempt_at=None,
                last_error="interrupted: the delivering worker stopped before reporting; "
                "not retried because the mail may already have been sent",
            )
        )
        uow.commit()


def _claim(uow: UnitOfWork, company_id: int | None, count: int) -> list[_Claimed]:
    """Take up to `count` due mails for this worker and commit the claim."""
    with uow:
        now = uow.clock.now()
        due = (
            select(OutgoingMail.id)
            .where(OutgoingMail.next_attempt_at.is_not(None), OutgoingMail.next_attempt_at <= now)
            .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
            .limit(count)
            .with_for_update(skip_locked=True)
        )
        if company_id is not None:
            due = due.where(OutgoingMail.company_id == company_id)
        ids = list(uow.session.scalars(due))
        if not ids:
            return []
        uow.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id.in_(ids))
            .values(
                status=MailStatus.SENDING.value,
                attempts=OutgoingMail.attempts + 1,
                claimed_at=now,
                next_attempt_at=None,
            )
        )
        claimed = _load(uow, ids)
        uow.commit()
    return claimed


def _load(uow: UnitOfWork, ids: list[int]) -> list[_Claimed]:
    rows = uow.session.execute(
        select(OutgoingMail, Company.name)
        .join(Company, Company.id == OutgoingMail.company_id)
        .where(OutgoingMail.id.in_(ids))
        .order_by(OutgoingMail.id)
        .execution_options(populate_existing=True)
    ).all()
    attachments: dict[int, list[Attachment]] = {}
    for a in uow.session.scalars(
        select(OutgoingMailAttachment)
        .where(OutgoingMailAttachment.mail_id.in_(ids))
        .order_by(OutgoingMailAttachment.mail_id, OutgoingMailAttachment.position)
    ):
        attachments.setdefault(a.mail_id, []).append(
            Attachment(a.filename, a.content_type, a.content)
        )
    return [
        _Claimed(
            id=row.id,
            company_id=row.company_id,
            company_name=company_name,
            attempts=row.attempts,
            mail=Mail(
                to=tuple(row.to_addresses),
                subject=row.subject,
                text=row.text_body,
                html=row.html_body,
                attachments=tuple(attachments.get(row.id, ())),
                cc=tuple(row.cc_addresses),
                reply_to=row.reply_to,
            ),
        )
        for row, company_name in rows
    ]


def _send(transport: MailTransport, claimed: _Claimed, address: str) -> DeliveryFailed | None:
    """Hand one mail to the transport; the failure (never raised) when it did not go out."""
    try:
        transport.send(claimed.mail, formataddr((claimed.company_name, address)))
    except DeliveryFailed as exc:
        failure = exc
    except Exception as exc:  # a broken transport must not stop the batch: recorded below
        failure = DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=False)
    else:
        return None
    log.warning("mail %s attempt %s failed: %s", claimed.id, claimed.attempts, failure.reason)
    return failure


def _record(uow: UnitOfWork, claimed: _Claimed, failure: DeliveryFailed | None) -> None:
    with uow:
        now = uow.clock.now()
        values: dict[str, Any] = {"claimed_at": None}
        if failure is None:
            values |= {"status": MailStatus.SENT.value, "sent_at": now, "last_error": None}
        else:
            delay = retry_delay(claimed.attempts, permanent=failure.permanent)
            values |= {
                "status": MailStatus.FAILED.value,
                "last_error": failure.reason[:_ERROR_LIMIT],
                "next_attempt_at": None if delay is None else now + delay,
            }
            if delay is None:
                uow.publish(
                    claimed.company_id,
                    "mail.undeliverable",
                    {"mail_id": claimed.id, "error": failure.reason[:_ERROR_LIMIT]},
                )
        uow.session.execute(
            update(OutgoingMail).where(OutgoingMail.id == claimed.id).values(**values)
        )
        uow.commit()


def mail_status(
    uow: UnitOfWork, company_id: int, source_kind: str, source_ids: Collection[int]
) -> dict[int, MailStatus]:
    """Delivery status of the newest mail of each source (sources without mail are absent)."""
    wanted = sorted(set(source_ids))
    result: dict[int, MailStatus] = {}
    with uow:
        for start in range(0, len(wanted), _IN_CHUNK):
            rows = uow.session.execute(
                select(OutgoingMail.source_id, OutgoingMail.status)
                .where(
                    OutgoingMail.company_id == company_id,
                    OutgoingMail.source_kind == source_kind,
                    OutgoingMail.source_id.in_(wanted[start : start + _IN_CHUNK]),
                )
                .order_by(OutgoingMail.id)
            )
            for source_id, status in rows:
                if source_id is not None:
                    result[source_id] = MailStatus(status)
    return result
