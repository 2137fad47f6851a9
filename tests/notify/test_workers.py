"""Several delivery workers at once, and delivery through a real SMTP server end to end."""

from __future__ import annotations

import threading
import time
from collections import Counter

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.notify.model import DeliveryReport, Mail, MailStatus
from o2c.notify.service import deliver_pending, mail_status
from o2c.notify.smtp import SmtpTransport
from tests.notify.test_outbox import queued
from tests.notify.test_smtp import a_mail


class Slow:
    """Records subjects; a short pause per mail keeps the workers overlapping."""

    sender = "ar@acme.example"

    def __init__(self, log: list[str], lock: threading.Lock) -> None:
        self.log, self.lock = log, lock

    def send(self, mail: Mail, sender: str) -> None:
        time.sleep(0.002)
        with self.lock:
            self.log.append(mail.subject)


def test_two_workers_running_at_once_send_each_mail_exactly_once(engine, uow, actor, clock):
    # given 240 queued mails and two workers, each with its own session
    count = 240
    for n in range(count):
        queued(uow, actor, a_mail(subject=f"mail {n}", attachments=()), source_id=n)
    sent: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)
    reports: list[DeliveryReport | BaseException] = []

    def work() -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            reports.append(deliver_pending(own, Slow(sent, lock), limit=count))
        except BaseException as exc:  # surfaced by the assertion below
            reports.append(exc)

    # when both deliver at the same moment
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every mail went out exactly once, and the reports add up to it
    assert all(isinstance(r, DeliveryReport) for r in reports), reports
    assert sum(r.sent for r in reports) == count
    duplicates = [s for s, n in Counter(sent).items() if n > 1]
    assert duplicates == []
    assert len(sent) == count
    statuses = mail_status(uow, actor.company_id, "collection_action", range(count))
    assert set(statuses.values()) == {MailStatus.SENT}


def test_queued_mail_arrives_at_the_smtp_server(uow, actor, smtp):
    queued(uow, actor, source_id=1)
    queued(uow, actor, a_mail(subject="second", to=("b@mueller.example",), cc=()), source_id=2)

    report = deliver_pending(uow, SmtpTransport(smtp.settings))

    assert (report.sent, report.failed) == (2, 0)
    first, second = smtp.recorder.received
    assert first.message["From"] == "Acme Supplies GmbH <ar@acme.example>"
    assert first.message["Subject"] == a_mail().subject
    assert [a.get_filename() for a in first.message.iter_attachments()] == [
        "statement-C1-2026-03-02.pdf"
    ]
    assert second.recipients == ["b@mueller.example"]
    # one connection served the whole run
    assert first.peer == second.peer


def test_a_refused_recipient_at_the_smtp_server_fails_that_mail_for_good(uow, actor, smtp):
    smtp.recorder.refuse = {
        "joerg@mueller.example": "550 5.1.1 no such user",
        "ap@mueller.example": "550 5.1.1 no such user",
    }
    queued(uow, actor, source_id=1)
    queued(uow, actor, a_mail(subject="fine", to=("b@mueller.example",), cc=()), source_id=2)

    report = deliver_pending(uow, SmtpTransport(smtp.settings))

    assert (report.sent, report.failed) == (1, 1)
    assert [r.message["Subject"] for r in smtp.recorder.received] == ["fine"]
    assert mail_status(uow, actor.company_id, "collection_action", [1, 2]) == {
        1: MailStatus.FAILED,
        2: MailStatus.SENT,
    }
