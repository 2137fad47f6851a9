"""SMTP delivery against a real server on loopback: MIME content, TLS, login, error triage."""

from __future__ import annotations

import io

import pypdf
import pytest

from o2c.kernel.config import Settings
from o2c.notify.model import Attachment, DeliveryFailed, Mail, SmtpSettings
from o2c.notify.pdf import PrintedDocument
from o2c.notify.smtp import SmtpTransport, build_message, smtp_transport_from
from tests.notify.smtpd import free_port, smtp_server


def a_pdf(text: str = "INV-000123 1,190.00 EUR") -> bytes:
    from datetime import UTC, datetime

    doc = PrintedDocument(title="t", author="a", created=datetime(2026, 3, 2, tzinfo=UTC))
    doc.paragraph(text)
    return doc.output()


def a_mail(**overrides) -> Mail:
    values = {
        "to": ("Jörg Müller <joerg@mueller.example>",),
        "subject": "Payment reminder: invoice INV-000123 — €1,190.00",
        "text": "Dear Jörg,\nINV-000123 is overdue: €1,190.00.\n",
        "html": "<p>Dear Jörg,</p><p><b>INV-000123</b> is overdue: €1,190.00.</p>",
        "attachments": (Attachment("statement-C1-2026-03-02.pdf", "application/pdf", a_pdf()),),
        "cc": ("ap@mueller.example",),
        "reply_to": "collections@acme.example",
    }
    return Mail(**(values | overrides))


def unix(text: str) -> str:
    """Line ends as written: SMTP carries CRLF, which the parser keeps."""
    return text.replace("\r\n", "\n")


SENDER = "Acme Supplies GmbH <ar@acme.example>"


def test_a_mail_arrives_with_recipients_subject_text_html_and_pdf(smtp):
    # given a mail with text, HTML, a PDF attachment and a Cc
    mail = a_mail()

    # when it is sent through the loopback server
    SmtpTransport(smtp.settings).send(mail, SENDER)

    # then the server got exactly one message, addressed to To and Cc, with every part intact
    [received] = smtp.recorder.received
    assert received.sender == "ar@acme.example"
    assert sorted(received.recipients) == ["ap@mueller.example", "joerg@mueller.example"]
    message = received.message
    assert message["Subject"] == mail.subject
    assert message["To"] == "Jörg Müller <joerg@mueller.example>"
    assert message["Cc"] == "ap@mueller.example"
    assert message["Reply-To"] == "collections@acme.example"
    assert message["From"] == SENDER
    assert message["Message-ID"].endswith("@acme.example>")
    assert message["Date"]
    assert unix(message.get_body(("plain",)).get_content()) == mail.text
    assert unix(message.get_body(("html",)).get_content()).strip() == mail.html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "statement-C1-2026-03-02.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    assert "INV-000123 1,190.00 EUR" in pdf.pages[0].extract_text()


def test_a_text_only_mail_is_a_single_plain_part():
    message = build_message(a_mail(html=None, attachments=()), SENDER)

    assert message.get_content_type() == "text/plain"
    assert message.get_content().startswith("Dear Jörg")


def test_the_html_part_is_the_alternative_of_the_text_part():
    message = build_message(a_mail(attachments=()), SENDER)

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_starttls_and_login_deliver_over_an_encrypted_session():
    # given a server that requires STARTTLS and a login, with a certificate made for the test
    with smtp_server("starttls", login=True) as server:
        transport = SmtpTransport(server.settings, context=server.client_context)

        # when a mail is sent
        transport.send(a_mail(), SENDER)

        # then it arrived
        assert len(server.recorder.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_delivers():
    with smtp_server("ssl", login=True) as server:
        SmtpTransport(server.settings, context=server.client_context).send(a_mail(), SENDER)

        assert len(server.recorder.received) == 1


def test_a_certificate_not_trusted_is_a_temporary_failure():
    # given a STARTTLS server whose certificate the client does not trust (default context)
    with smtp_server("starttls") as server:
        transport = SmtpTransport(server.settings)

        with pytest.raises(DeliveryFailed) as failed:
            transport.send(a_mail(), SENDER)

    assert not failed.value.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in failed.value.reason
    assert server.recorder.received == []


def test_a_wrong_password_is_a_temporary_failure_so_mail_waits_for_the_fix():
    with smtp_server("starttls", login=True) as server:
        settings = SmtpSettings(**(vars(server.settings) | {"password": "wrong"}))
        transport = SmtpTransport(settings, context=server.client_context)

        with pytest.raises(DeliveryFailed) as failed:
            transport.send(a_mail(), SENDER)

    assert not failed.value.permanent
    assert failed.value.reason.startswith("authentication failed: 535")


def test_a_server_that_is_down_is_a_temporary_failure():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=3)

    with pytest.raises(DeliveryFailed) as failed:
        SmtpTransport(settings).send(a_mail(), SENDER)

    assert not failed.value.permanent
    assert "ConnectionRefusedError" in failed.value.reason


def test_a_recipient_refused_with_550_is_a_permanent_failure(smtp):
    smtp.recorder.refuse = {
        "joerg@mueller.example": "550 5.1.1 no such user",
        "ap@mueller.example": "550 5.1.1 no such user",
    }

    with pytest.raises(DeliveryFailed) as failed:
        SmtpTransport(smtp.settings).send(a_mail(), SENDER)

    assert failed.value.permanent
    assert "joerg@mueller.example: 550 5.1.1 no such user" in failed.value.reason


def test_a_recipient_refused_with_451_is_a_temporary_failure(smtp):
    smtp.recorder.refuse = {"joerg@mueller.example": "451 4.3.0 try again later"}

    with pytest.raises(DeliveryFailed) as failed:
        SmtpTransport(smtp.settings).send(a_mail(cc=()), SENDER)

    assert not failed.value.permanent


def test_a_mail_reaching_some_recipients_counts_as_sent(smtp):
    # given the Cc address is refused but the To address accepted
    smtp.recorder.refuse = {"ap@mueller.example": "550 5.1.1 no such user"}

    # when sent, no error: the mail left (sending it again would duplicate it for Jörg)
    SmtpTransport(smtp.settings).send(a_mail(), SENDER)

    [received] = smtp.recorder.received
    assert received.recipients == ["joerg@mueller.example"]


def test_inside_a_with_block_one_connection_carries_every_mail(smtp):
    transport = SmtpTransport(smtp.settings)

    with transport:
        for number in range(3):
            transport.send(a_mail(subject=f"mail {number}", attachments=()), SENDER)

    assert [r.message["Subject"] for r in smtp.recorder.received] == ["mail 0", "mail 1", "mail 2"]
    assert len({r.peer for r in smtp.recorder.received}) == 1


def test_outside_a_with_block_each_mail_has_its_own_connection(smtp):
    transport = SmtpTransport(smtp.settings)

    for number in range(2):
        transport.send(a_mail(subject=f"mail {number}", attachments=()), SENDER)

    assert len({r.peer for r in smtp.recorder.received}) == 2


def test_after_a_failure_the_next_mail_opens_a_fresh_connection(smtp):
    smtp.recorder.refuse = {"gone@mueller.example": "550 5.1.1 no such user"}
    transport = SmtpTransport(smtp.settings)

    with transport:
        with pytest.raises(DeliveryFailed):
            transport.send(a_mail(to=("gone@mueller.example",), cc=()), SENDER)
        transport.send(a_mail(), SENDER)

    assert len(smtp.recorder.received) == 1


def test_settings_without_a_host_give_no_transport():
    assert smtp_transport_from(Settings(smtp_host=None)) is None


def test_settings_from_the_environment_describe_the_transport(monkeypatch):
    monkeypatch.setenv("O2C_SMTP_HOST", "mail.acme.example")
    monkeypatch.setenv("O2C_SMTP_PORT", "587")
    monkeypatch.setenv("O2C_SMTP_TLS", "starttls")
    monkeypatch.setenv("O2C_SMTP_USER", "robot")
    monkeypatch.setenv("O2C_SMTP_PASSWORD", "pw")
    monkeypatch.setenv("O2C_SMTP_SENDER", "ar@acme.example")

    transport = smtp_transport_from(Settings())

    assert transport is not None
    assert transport.settings == SmtpSettings(
        "mail.acme.example", 587, "starttls", "robot", "pw", "ar@acme.example", 30.0
    )
    assert transport.sender == "ar@acme.example"


def test_an_unknown_tls_mode_is_refused_up_front():
    with pytest.raises(ValueError, match="none, starttls, ssl"):
        SmtpTransport(SmtpSettings(host="h", tls="tls"))


def test_a_line_starting_with_from_arrives_as_written(smtp):
    # "From now on the agency will contact you" must not become ">From now on" (mbox quoting)
    mail = a_mail(text="Dear Jörg,\nFrom now on the agency will contact you.\n")

    SmtpTransport(smtp.settings).send(mail, SENDER)

    [received] = smtp.recorder.received
    assert unix(received.message.get_body(("plain",)).get_content()) == mail.text


def test_the_message_is_seven_bit_so_any_relay_can_carry_it():
    raw = build_message(a_mail(), SENDER).as_bytes()

    assert raw.isascii()
