"""Posted documents reach each customer on its channel: mail, portal, EDI or a Peppol drop."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.integration.delivery import (
    Channel,
    Outcome,
    deliver_documents,
    deliveries,
    parse_preference,
    set_delivery_channel,
)
from o2c.integration.model import PartnerCreate
from o2c.integration.service import create_partner
from o2c.integration.tables import EdiInterchange
from o2c.kernel.errors import ValidationFailed
from o2c.notify.service import deliver_pending
from o2c.notify.smtp import SmtpTransport
from o2c.notify.tables import OutgoingMail, OutgoingMailAttachment
from o2c.parties.contacts import add_contact
from o2c.parties.model import ContactCreate, ContactRole, CustomerUpdate
from o2c.parties.service import find_customer, update_customer
from o2c.security.service import get_company
from tests.app.client import o2c
from tests.billing.presentment_builders import Documents, the_documents
from tests.einvoice_validator import assert_valid, require_artefacts, validate_ubl
from tests.notify.smtpd import smtp_server
from tests.x12_reader import read_back


@pytest.fixture
def docs(uow, actor) -> Documents:
    return the_documents(uow, actor)


def _customer(uow, actor, code: str) -> int:
    with uow:
        return find_customer(uow, actor, code).id


def _count(uow, table) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(table))


def test_email_delivery_queues_one_mail_to_the_ar_contact_with_pdf_and_ubl(uow, actor, docs):
    # given K1 takes mail and has an AR contact besides a purchasing one
    k1 = _customer(uow, actor, "K1")
    set_delivery_channel(uow, actor, k1, "email")
    add_contact(uow, actor, k1, ContactCreate("Anna Buchhaltung", "anna@k1.example"))
    add_contact(uow, actor, k1, ContactCreate("Bert", "bert@k1.example", role=ContactRole.OTHER))

    # when its plain invoice is delivered
    [outcome] = deliver_documents(uow, actor, numbers=[docs.plain.number])

    # then one mail to the AR contact carries the PDF and the UBL
    assert outcome.outcome is Outcome.DELIVERED
    with uow:
        mail = uow.session.scalars(select(OutgoingMail)).one()
        names = uow.session.scalars(
            select(OutgoingMailAttachment.filename).order_by(OutgoingMailAttachment.position)
        ).all()
    assert mail.to_addresses == ["anna@k1.example"]
    assert docs.plain.number in mail.subject
    assert names == [f"{docs.plain.number}.pdf", f"{docs.plain.number}.ubl.xml"]


def test_the_mail_arrives_at_an_smtp_server_with_both_attachments(uow, actor, docs):
    # given K1 takes mail as CII, without any AR contact: its own address is used
    k1 = _customer(uow, actor, "K1")
    set_delivery_channel(uow, actor, k1, "email", "cii")
    deliver_documents(uow, actor, numbers=[docs.hard.number])

    # when the outbox is delivered to a real SMTP server on loopback
    with smtp_server() as server:
        report = deliver_pending(uow, SmtpTransport(server.settings))

    # then the message has the PDF and the CII, byte for byte what was rendered
    assert (report.sent, report.failed) == (1, 0)
    [received] = server.recorder.received
    assert received.recipients == ["k1@example.com"]
    parts = {p.get_filename(): p for p in received.message.iter_attachments()}
    assert set(parts) == {f"{docs.hard.number}.pdf", f"{docs.hard.number}.cii.xml"}
    assert parts[f"{docs.hard.number}.pdf"].get_content().startswith(b"%PDF")
    cii = parts[f"{docs.hard.number}.cii.xml"].get_content()
    assert b"CrossIndustryInvoice" in (cii if isinstance(cii, bytes) else cii.encode())


def test_delivering_again_sends_nothing_twice(uow, actor, docs):
    # given K1's documents were delivered by mail once
    set_delivery_channel(uow, actor, _customer(uow, actor, "K1"), "email")
    first = deliver_documents(uow, actor, as_of=date(2026, 3, 2))

    # when the run is repeated, by date and by number
    again = deliver_documents(uow, actor, as_of=date(2026, 3, 2))
    named = deliver_documents(uow, actor, numbers=[docs.plain.number])

    # then K1's three documents went out once each; the US customer has no channel
    k1 = {docs.hard.number, docs.credit_note.number, docs.plain.number}
    assert {o.number for o in first if o.outcome is Outcome.DELIVERED} == k1
    assert {o.number: o.outcome for o in first}[docs.usd.number] is Outcome.SKIPPED
    assert {o.number for o in again if o.outcome is Outcome.ALREADY} == k1
    assert [o.outcome for o in named] == [Outcome.ALREADY]
    assert _count(uow, OutgoingMail) == 3


def test_peppol_drops_a_valid_ubl_file_atomically(uow, actor, docs, tmp_path):
    require_artefacts()
    # given the US customer receives by Peppol
    set_delivery_channel(uow, actor, _customer(uow, actor, "US1"), "peppol")

    # when its invoice is delivered to the drop directory
    [outcome] = deliver_documents(uow, actor, numbers=[docs.usd.number], peppol_drop_dir=tmp_path)

    # then one UBL file lies in the company's folder, passing the official rules; no temp file
    dropped = Path(outcome.detail or "")
    assert outcome.outcome is Outcome.DELIVERED
    assert dropped.parent.parent == tmp_path
    assert sorted(p.name for p in dropped.parent.iterdir()) == [f"{docs.usd.number}.ubl.xml"]
    assert_valid(validate_ubl(dropped.read_bytes()))


def test_a_failure_is_recorded_with_its_reason_and_retried_next_run(uow, actor, docs, tmp_path):
    # given a Peppol customer but no drop directory configured
    set_delivery_channel(uow, actor, _customer(uow, actor, "US1"), "peppol")

    # when delivered without, then with the directory
    [failed] = deliver_documents(uow, actor, numbers=[docs.usd.number])
    [record] = deliveries(uow, actor, docs.usd.id)
    failed_state = (record.status, record.error, record.attempts)
    [retried] = deliver_documents(uow, actor, numbers=[docs.usd.number], peppol_drop_dir=tmp_path)
    [record] = deliveries(uow, actor, docs.usd.id)

    # then the first attempt says why, the second delivers, and the record counts both
    assert failed.outcome is Outcome.FAILED
    assert "no Peppol drop directory" in (failed.detail or "")
    assert failed_state[0] == "failed"
    assert "no Peppol drop directory" in (failed_state[1] or "")
    assert failed_state[2] == 1
    assert retried.outcome is Outcome.DELIVERED
    assert (record.status, record.error, record.attempts) == ("delivered", None, 2)


def test_edi_delivery_sends_an_810_once_and_without_a_partner_fails(uow, actor, docs):
    # given K1 receives by EDI but is not yet a trading partner
    k1 = _customer(uow, actor, "K1")
    set_delivery_channel(uow, actor, k1, "edi")
    [refused] = deliver_documents(uow, actor, numbers=[docs.plain.number])

    # when it becomes a partner and the documents are delivered twice
    create_partner(uow, actor, PartnerCreate(k1, "ZZ", "KUNDE1", "ZZ", "ACME"))
    [sent] = deliver_documents(uow, actor, numbers=[docs.plain.number])
    [again] = deliver_documents(uow, actor, numbers=[docs.plain.number])

    # then one 810 left, readable by an independent X12 parser, and no partner was a failure
    assert refused.outcome is Outcome.FAILED
    assert "EDI partner" in (refused.detail or "")
    assert (sent.outcome, again.outcome) == (Outcome.DELIVERED, Outcome.ALREADY)
    with uow:
        [interchange] = uow.session.scalars(select(EdiInterchange)).all()
    assert interchange.document_type == "810"
    assert read_back(interchange.content.encode("ascii")).errors == []


def test_portal_delivery_marks_the_document_available_and_sends_nothing(uow, actor, docs):
    set_delivery_channel(uow, actor, _customer(uow, actor, "K1"), "portal")

    [outcome] = deliver_documents(uow, actor, numbers=[docs.credit_note.number])

    assert (outcome.outcome, outcome.channel) == (Outcome.DELIVERED, Channel.PORTAL)
    assert [r.channel for r in deliveries(uow, actor, docs.credit_note.id)] == ["portal"]
    assert _count(uow, OutgoingMail) == 0


def test_an_unknown_channel_or_a_format_the_channel_cannot_carry_is_refused(uow, actor, docs):
    k1 = _customer(uow, actor, "K1")

    with pytest.raises(ValidationFailed, match="fax"):
        set_delivery_channel(uow, actor, k1, "fax")
    with pytest.raises(ValidationFailed, match="peppol delivers ubl"):
        set_delivery_channel(uow, actor, k1, "peppol", "pdf")
    with pytest.raises(ValidationFailed, match="must be an object"):
        parse_preference({"delivery": "email"})


def test_a_customer_with_a_broken_preference_is_skipped_saying_why(uow, actor, docs):
    k1 = _customer(uow, actor, "K1")
    update_customer(uow, actor, k1, CustomerUpdate(attributes={"delivery": {"channel": "fax"}}))

    [outcome] = deliver_documents(uow, actor, numbers=[docs.plain.number])

    assert outcome.outcome is Outcome.SKIPPED
    assert "fax" in (outcome.detail or "")


def test_delivery_from_the_command_line(engine, uow, actor, docs, tmp_path):
    database = engine.url.render_as_string(hide_password=False)
    chose = o2c(database, "edi", "channel", "US1", "peppol")

    ran = o2c(database, "edi", "deliver", "--as-of", "2026-03-02", "--peppol-dir", str(tmp_path))
    again = o2c(database, "edi", "deliver", docs.usd.number, "--peppol-dir", str(tmp_path))

    assert chose.exit_code == 0, chose.output
    assert "US1: peppol (ubl)" in chose.output
    assert ran.exit_code == 0, ran.output
    assert f"{docs.usd.number}\tpeppol\tdelivered" in ran.output
    assert f"{docs.usd.number}\tpeppol\talready" in again.output
    assert (tmp_path / _company_code(uow, actor) / f"{docs.usd.number}.ubl.xml").is_file()


def _company_code(uow, actor) -> str:
    with uow:
        return get_company(uow, actor.company_id).code


def test_two_concurrent_runs_send_a_document_once(backend, engine, clock, uow, actor, docs):
    if backend != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's; SQLite serialises writers")
    # given K1 takes mail and two runs start at the same moment
    set_delivery_channel(uow, actor, _customer(uow, actor, "K1"), "email")
    results: list[Outcome] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        fresh = UnitOfWork(session_factory(engine), clock)
        [outcome] = deliver_documents(fresh, actor, numbers=[docs.plain.number])
        results.append(outcome.outcome)

    # when both deliver the same invoice
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one delivered it, the other found it delivered, and one mail is queued
    assert sorted(results) == [Outcome.ALREADY, Outcome.DELIVERED]
    assert _count(uow, OutgoingMail) == 1
