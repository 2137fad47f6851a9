"""The outgoing-mail outbox on SQLite and PostgreSQL: queue, deliver, retry, give up, report."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2c.db.outbox import OutboxEvent
from o2c.kernel.errors import ValidationFailed
from o2c.notify.model import (
    MAX_ATTEMPTS,
    Attachment,
    DeliveryFailed,
    Mail,
    MailStatus,
    SmtpSettings,
)
from o2c.notify.service import deliver_pending, mail_status, queue_mail
from o2c.notify.smtp import SmtpTransport
from o2c.notify.tables import OutgoingMail
from o2c.security.model import system_actor
from o2c.security.service import create_company
from tests.builders import a_customer
from tests.notify.smtpd import free_port
from tests.notify.test_smtp import a_mail


class Recording:
    """A transport double: records what it sends; fails for addresses listed in `failures`."""

    sender = "ar@acme.example"

    def __init__(self, failures: dict[str, DeliveryFailed | Exception] | None = None) -> None:
        self.sent: list[tuple[Mail, str]] = []
        self.failures = failures or {}

    def send(self, mail: Mail, sender: str) -> None:
        for address in mail.to:
            if address in self.failures:
                raise self.failures[address]
        self.sent.append((mail, sender))


def queued(uow, actor, mail: Mail | None = None, source_id: int | None = 1, **kw) -> int:
    return queue_mail(
        uow,
        actor,
        mail or a_mail(),
        customer_id=kw.get("customer_id"),
        source_kind=kw.get("source_kind", "collection_action"),
        source_id=source_id,
    )


def row(uow, mail_id: int) -> OutgoingMail:
    with uow:
        found = uow.session.get(OutgoingMail, mail_id, populate_existing=True)
        assert found is not None
        return found


def test_a_queued_mail_is_stored_with_its_attachments_and_waits(uow, actor):
    customer = a_customer(uow, actor)

    mail_id = queued(uow, actor, customer_id=customer, source_id=7)

    stored = row(uow, mail_id)
    assert stored.status == "queued"
    assert stored.customer_id == customer
    assert (stored.source_kind, stored.source_id) == ("collection_action", 7)
    assert stored.to_addresses == ["Jörg Müller <joerg@mueller.example>"]
    assert stored.queued_by == "tester"
    assert stored.attempts == 0
    assert mail_status(uow, actor.company_id, "collection_action", [7]) == {7: MailStatus.QUEUED}


def test_a_mail_queued_in_a_transaction_that_rolls_back_never_exists(uow, actor):
    # given a business change that queues a mail and then fails
    def failing_run() -> None:
        with uow:
            queued(uow, actor)
            raise RuntimeError("the dunning run failed after composing the mail")

    with pytest.raises(RuntimeError):
        failing_run()

    # then no mail is left to deliver
    transport = Recording()
    assert deliver_pending(uow, transport).sent == 0
    assert transport.sent == []


def test_delivery_sends_each_queued_mail_once_and_marks_it_sent(uow, actor, clock):
    ids = [queued(uow, actor, source_id=n) for n in (1, 2)]
    transport = Recording()

    first = deliver_pending(uow, transport)
    second = deliver_pending(uow, transport)

    assert (first.sent, first.failed, second.sent, second.failed) == (2, 0, 0, 0)
    assert len(transport.sent) == 2
    mail, sender = transport.sent[0]
    assert sender == "Acme Supplies GmbH <ar@acme.example>"
    assert mail.attachments == a_mail().attachments
    assert mail.cc == ("ap@mueller.example",)
    assert mail.reply_to == "collections@acme.example"
    for mail_id in ids:
        stored = row(uow, mail_id)
        assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, clock.now())
        assert stored.next_attempt_at is None
        assert stored.claimed_at is None


def test_delivery_takes_at_most_the_limit(uow, actor):
    for n in range(5):
        queued(uow, actor, source_id=n)

    assert deliver_pending(uow, Recording(), limit=3).sent == 3
    assert deliver_pending(uow, Recording(), limit=3).sent == 2


def test_delivery_for_one_company_leaves_the_others_mail(uow, actor):
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()
    queued(uow, actor)
    queued(uow, system_actor(other.id))

    assert deliver_pending(uow, Recording(), company_id=other.id).sent == 1
    assert deliver_pending(uow, Recording()).sent == 1


def test_a_temporary_failure_is_recorded_and_retried_after_the_delay(uow, actor, clock):
    # given the server is unreachable at the first attempt
    mail_id = queued(uow, actor)
    down = SmtpTransport(SmtpSettings(host="127.0.0.1", port=free_port(), timeout=3))

    report = deliver_pending(uow, down)

    # then the mail is failed, with the error, and due again in five minutes
    assert (report.sent, report.failed) == (0, 1)
    stored = row(uow, mail_id)
    assert stored.status == "failed"
    assert stored.attempts == 1
    assert "ConnectionRefusedError" in stored.last_error
    assert mail_status(uow, actor.company_id, "collection_action", [1]) == {1: MailStatus.FAILED}

    # when a run comes before the retry time, nothing is tried
    working = Recording()
    clock.advance(minutes=4)
    assert deliver_pending(uow, working).sent == 0

    # when it comes after, the mail goes out and the error is cleared
    clock.advance(minutes=1)
    assert deliver_pending(uow, working).sent == 1
    stored = row(uow, mail_id)
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 2, None)


def test_a_permanent_failure_is_never_retried_and_announced(uow, actor, clock):
    mail_id = queued(uow, actor)
    refused = DeliveryFailed("recipients refused: 550 no such user", permanent=True)
    transport = Recording({"Jörg Müller <joerg@mueller.example>": refused})

    assert deliver_pending(uow, transport).failed == 1
    clock.advance(days=30)
    assert deliver_pending(uow, Recording()).sent == 0

    stored = row(uow, mail_id)
    assert (stored.status, stored.next_attempt_at) == ("failed", None)
    assert stored.last_error == "recipients refused: 550 no such user"
    with uow:
        events = list(
            uow.session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.topic == "mail.undeliverable")
            )
        )
    assert events == [{"mail_id": mail_id, "error": "recipients refused: 550 no such user"}]


def test_temporary_failures_give_up_after_the_last_attempt(uow, actor, clock):
    mail_id = queued(uow, actor)
    flaky = Recording({"Jörg Müller <joerg@mueller.example>": TimeoutError("timed out")})

    for _ in range(MAX_ATTEMPTS + 2):
        deliver_pending(uow, flaky)
        clock.advance(days=1)

    stored = row(uow, mail_id)
    assert (stored.status, stored.attempts, stored.next_attempt_at) == (
        "failed",
        MAX_ATTEMPTS,
        None,
    )
    assert stored.last_error == "TimeoutError: timed out"


def test_a_failing_mail_does_not_hold_up_the_others(uow, actor):
    queued(uow, actor, a_mail(to=("bad@x.example",)), source_id=1)
    queued(uow, actor, source_id=2)
    transport = Recording({"bad@x.example": DeliveryFailed("550", permanent=True)})

    report = deliver_pending(uow, transport)

    assert (report.sent, report.failed) == (1, 1)
    statuses = mail_status(uow, actor.company_id, "collection_action", [1, 2, 3])
    assert statuses == {1: MailStatus.FAILED, 2: MailStatus.SENT}


def test_a_mail_whose_worker_died_mid_delivery_is_failed_not_resent(uow, actor, clock):
    # given a worker claimed the mail and never reported (it crashed)
    mail_id = queued(uow, actor)
    with uow:
        stored = uow.session.get(OutgoingMail, mail_id)
        stored.status, stored.claimed_at, stored.next_attempt_at = "sending", clock.now(), None
        stored.attempts = 1
        uow.commit()

    # when another run comes within the lease, it leaves it alone
    clock.advance(minutes=30)
    assert deliver_pending(uow, Recording()).sent == 0
    assert row(uow, mail_id).status == "sending"

    # and after the lease it marks it failed without sending it again
    clock.advance(minutes=31)
    transport = Recording()
    assert deliver_pending(uow, transport).sent == 0
    stored = row(uow, mail_id)
    assert stored.status == "failed"
    assert stored.next_attempt_at is None
    assert stored.last_error.startswith("interrupted")
    assert transport.sent == []


def test_mail_status_reports_the_newest_mail_of_each_source(uow, actor):
    queued(uow, actor, source_id=5)
    deliver_pending(uow, Recording())
    queued(uow, actor, source_id=5)  # a second mail for the same action, not yet sent
    queued(uow, actor, source_id=6, source_kind="invoice")

    assert mail_status(uow, actor.company_id, "collection_action", [5, 6]) == {5: MailStatus.QUEUED}


def test_mail_status_is_per_company(uow, actor):
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()
    queued(uow, actor, source_id=5)

    assert mail_status(uow, other.id, "collection_action", [5]) == {}


def test_mail_status_answers_for_many_sources(uow, actor):
    queued(uow, actor, source_id=12_345)

    found = mail_status(uow, actor.company_id, "collection_action", range(1, 20_001))

    assert found == {12_345: MailStatus.QUEUED}


@pytest.mark.parametrize(
    ("mail", "field"),
    [
        (a_mail(to=()), "to"),
        (a_mail(to=("not an address",)), "to[0]"),
        (a_mail(cc=("a@b.example, c@d.example",)), "cc[0]"),
        (a_mail(reply_to="x"), "reply_to"),
        (a_mail(subject=" "), "subject"),
        (a_mail(subject="Hi\r\nBcc: all@victim.example"), "subject"),
        (
            a_mail(attachments=(Attachment("../x.pdf", "application/pdf", b""),)),
            "attachments[0].filename",
        ),
        (a_mail(attachments=(Attachment("x.pdf", "pdf", b""),)), "attachments[0].content_type"),
    ],
)
def test_an_unsendable_mail_is_refused_naming_the_field(uow, actor, mail, field):
    with pytest.raises(ValidationFailed) as refused:
        queued(uow, actor, mail)

    assert field in [e.field for e in refused.value.errors]
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
