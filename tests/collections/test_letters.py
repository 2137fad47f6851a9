"""Dunning correspondence: every template in every language, the printed letter, the statement."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from email.message import EmailMessage

import pypdf
import pytest

from o2c.collections.letters import (
    LANGUAGES,
    TEMPLATES,
    DunningLetter,
    LetterItem,
    compose_dunning_mail,
    letter_pdf,
    statement_pdf,
)
from o2c.kernel.money import Money
from o2c.ledger.reports import CustomerStatement, OpenItemOn, StatementLine, customer_statement
from o2c.notify.formatting import format_day, format_money
from o2c.notify.service import deliver_pending, queue_mail
from o2c.notify.smtp import SmtpTransport
from tests.builders import a_customer, a_payment, an_invoice
from tests.notify.smtpd import smtp_server

AS_OF = date(2026, 3, 2)


def an_item(
    number: str = "INV-000101",
    amount: str = "1190.00",
    open_: str | None = None,
    due: date = date(2026, 2, 9),
) -> LetterItem:
    return LetterItem(
        invoice_number=number,
        issue_date=date(2026, 1, 10),
        due_date=due,
        days_overdue=max(0, (AS_OF - due).days),
        amount=Money(amount, "EUR"),
        open_amount=Money(open_ or amount, "EUR"),
    )


def a_letter(template: str = "dunning_1", language: str = "en", **overrides) -> DunningLetter:
    items = (an_item(), an_item("INV-000102", "250.50", "100.00", date(2026, 2, 19)))
    values = {
        "template": template,
        "language": language,
        "level": 1,
        "as_of": AS_OF,
        "company_name": "Acme Supplies GmbH",
        "customer_code": "C-0042",
        "customer_name": "Müller & Söhne KG",
        "contact_name": "Jörg Müller",
        "billing_address": ("Hauptstraße 1", "10115 Berlin", "DE"),
        "items": items,
        "total_open": Money("1290.00", "EUR"),
        "late_fee": None,
        "pay_by": date(2026, 3, 9),
    }
    return DunningLetter(**(values | overrides))


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def a_statement() -> CustomerStatement:
    return CustomerStatement(
        customer_id=1,
        start=date(2026, 1, 1),
        end=AS_OF,
        opening={"EUR": 1000},
        lines=[
            StatementLine(date(2026, 1, 10), "invoice", "INV-000101", "EUR", 119000),
            StatementLine(date(2026, 1, 20), "invoice", "INV-000102", "EUR", 25050),
            StatementLine(date(2026, 2, 1), "payment", "PAY-000001", "EUR", -15050),
        ],
        closing={"EUR": 130000},
        open_items=[
            OpenItemOn(
                1,
                1,
                "invoice",
                "INV-000101",
                date(2026, 1, 10),
                date(2026, 2, 9),
                "EUR",
                119000,
                119000,
            ),
            OpenItemOn(
                2,
                1,
                "invoice",
                "INV-000102",
                date(2026, 1, 20),
                date(2026, 2, 19),
                "EUR",
                25050,
                10000,
            ),
        ],
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_names_each_invoice_amount_and_due_date(template, language):
    # given a letter about two invoices, one partly paid, with a late fee
    letter = a_letter(template, language, late_fee=Money("5.00", "EUR"))

    # when the mail is composed
    mail = compose_dunning_mail(letter, ("ap@mueller.example",), None)

    # then subject, text and HTML are in the language and state every figure
    assert mail.subject
    assert "\n" not in mail.subject
    assert mail.to == ("ap@mueller.example",)
    assert mail.html is not None
    assert mail.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in mail.html
    for part in (mail.text, mail.html):
        for item in letter.items:
            assert item.invoice_number in part
            assert format_day(item.due_date, language) in part
            assert format_money(item.amount, language) in part
            assert format_money(item.open_amount, language) in part
        assert format_money(Money("1290.00", "EUR"), language) in part
        assert format_money(Money("5.00", "EUR"), language) in part
        assert format_money(Money("1295.00", "EUR"), language) in part
    assert "Jörg Müller" in mail.text
    assert "Müller &amp; Söhne" not in mail.text
    assert "{" not in mail.text
    assert "{" not in mail.subject


@pytest.mark.parametrize(
    ("language", "credit_hold", "hand_over"),
    [
        ("en", "credit hold", "collection agency"),
        ("de", "Kreditsperre", "Inkassounternehmen"),
        ("fr", "bloqué", "société de recouvrement"),
        ("nl", "kredietstop", "incassobureau"),
    ],
)
def test_the_final_notice_announces_credit_hold_and_hand_over(language, credit_hold, hand_over):
    mail = compose_dunning_mail(a_letter("dunning_3", language, level=3), ("a@b.example",), None)

    assert credit_hold in mail.text
    assert hand_over in mail.text
    assert format_day(date(2026, 3, 9), language, "long") in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_dunning_levels_get_firmer(language):
    subjects = [
        compose_dunning_mail(a_letter(t, language), ("a@b.example",), None).subject
        for t in ("dunning_1", "dunning_2", "dunning_3")
    ]

    assert len(set(subjects)) == 3
    assert subjects[2].split(":")[0].isupper()  # FINAL NOTICE / LETZTE MAHNUNG / ...


def test_one_invoice_reads_in_the_singular_and_several_in_the_plural():
    one = a_letter(items=(an_item(),), total_open=Money("1190.00", "EUR"))

    assert compose_dunning_mail(one, ("a@b.example",), None).subject.startswith(
        "Payment reminder: invoice INV-000101 overdue"
    )
    assert (
        "invoices INV-000101, INV-000102"
        in compose_dunning_mail(a_letter(), ("a@b.example",), None).subject
    )


def test_a_long_list_of_invoices_is_summarised_in_the_subject_but_listed_in_full():
    items = tuple(an_item(f"INV-{n:06d}") for n in range(1, 9))
    mail = compose_dunning_mail(a_letter(items=items), ("a@b.example",), None)

    assert "INV-000001, INV-000002, INV-000003 + 5" in mail.subject
    assert all(f"INV-{n:06d}" in mail.text for n in range(1, 9))


def test_a_language_not_shipped_falls_back_to_english():
    mail = compose_dunning_mail(a_letter(language="pt-BR"), ("a@b.example",), None)

    assert mail.subject.startswith("Payment reminder")


def test_a_swiss_german_customer_gets_german_text_with_swiss_numbers():
    mail = compose_dunning_mail(a_letter(language="de-CH"), ("a@b.example",), None)

    assert mail.subject.startswith("Zahlungserinnerung")
    assert "1’190.00" in mail.text
    assert "1’190.00" in (mail.html or "")


def test_without_a_contact_the_greeting_is_formal():
    mail = compose_dunning_mail(a_letter(language="de", contact_name=None), ("a@b.example",), None)

    assert mail.text.startswith("Sehr geehrte Damen und Herren,")


def test_customer_names_are_escaped_in_html_only():
    letter = a_letter(contact_name="<script>alert(1)</script>")
    mail = compose_dunning_mail(letter, ("a@b.example",), None)

    assert "<script>" not in (mail.html or "")
    assert "&lt;script&gt;" in (mail.html or "")
    assert "<script>alert(1)</script>" in mail.text


def test_the_statement_is_attached_as_a_pdf_holding_the_same_numbers():
    mail = compose_dunning_mail(a_letter(), ("a@b.example",), a_statement())

    [attachment] = mail.attachments
    assert attachment.filename == "statement-C-0042-2026-03-02.pdf"
    assert attachment.content_type == "application/pdf"
    text = pdf_text(attachment.content)
    for expected in (
        "Statement of account",
        "Müller & Söhne KG",
        "C-0042",
        "INV-000101",
        "INV-000102",
        "PAY-000001",
        "Opening balance",
        "10.00",
        "1,190.00",
        "250.50",
        "150.50",
        "Closing balance",
        "1,300.00",
        "Feb 9, 2026",
        "Feb 19, 2026",
        "1,290.00 EUR",
        "100.00 EUR",
    ):
        assert expected in text, expected
    assert "The statement of account is attached" not in mail.text
    assert "Your statement of account is attached to this e-mail." in mail.text


def test_the_statement_shows_the_running_balance_and_days_overdue():
    text = pdf_text(
        statement_pdf(
            a_statement(),
            company_name="Acme",
            customer_code="C-0042",
            customer_name="Müller",
            language="en",
        )
    )
    lines = text.splitlines()

    assert "Jan 10, 2026 Invoice INV-000101 1,190.00 1,200.00" in lines
    assert "Feb 1, 2026 Payment PAY-000001 150.50 1,300.00" in lines
    assert "INV-000101 Invoice Jan 10, 2026 Feb 9, 2026 21 1,190.00 EUR 1,190.00 EUR" in lines
    assert "INV-000102 Invoice Jan 20, 2026 Feb 19, 2026 11 250.50 EUR 100.00 EUR" in lines


def test_a_statement_in_french_uses_french_words_and_numbers():
    text = pdf_text(
        statement_pdf(
            a_statement(),
            company_name="Acme",
            customer_code="C-0042",
            customer_name="Müller",
            language="fr",
        )
    )

    assert "Relevé de compte" in text
    assert "Solde de clôture" in text
    # CLDR's narrow no-break space is printed as a no-break space, which reads as a space
    assert "1 300,00" in text.replace("\u00a0", " ")


def test_a_statement_with_nothing_open_says_so():
    empty = replace(a_statement(), open_items=[])

    text = pdf_text(
        statement_pdf(
            empty,
            company_name="Acme",
            customer_code="C-0042",
            customer_name="Müller",
            language="de",
        )
    )

    assert "Es sind keine Posten offen." in text


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_printed_letter_holds_address_items_totals_and_text(template):
    letter = a_letter(template, late_fee=Money("5.00", "EUR"))

    text = pdf_text(letter_pdf(letter))

    mail = compose_dunning_mail(letter, ("a@b.example",), None)
    assert mail.subject in text
    for expected in (
        "Müller & Söhne KG",
        "Attn. Jörg Müller",
        "Hauptstraße 1",
        "10115 Berlin",
        "March 2, 2026",
        "Customer no. C-0042",
        "INV-000101 Jan 10, 2026 Feb 9, 2026 21 1,190.00 1,190.00",
        "INV-000102 Jan 10, 2026 Feb 19, 2026 11 250.50 100.00",
        "Total open 1,290.00 EUR",
        "Late fee 5.00 EUR",
        "Total due 1,295.00 EUR",
        "Acme Supplies GmbH",
    ):
        assert expected in text, expected


def test_a_printed_letter_with_characters_outside_the_font_still_prints():
    letter = a_letter(customer_name="Przedsiębiorstwo Łódź Sp. z o.o.", contact_name="Zoë Ωmega")

    text = pdf_text(letter_pdf(letter))

    assert "Przedsiebiorstwo Lódz Sp. z o.o." in text
    assert "Zoë ?mega" in text


@pytest.mark.storage
def test_a_dunning_mail_from_the_ledger_reaches_the_smtp_server_with_its_statement(uow, actor):
    # given a customer with two invoices, one partly covered by an unapplied payment
    customer = a_customer(uow, actor, code="C-0042")
    numbers = ["RE-2026-0101", "RE-2026-0102"]
    an_invoice(uow, actor, customer, "1190.00", on=date(2026, 1, 10), days=30, number=numbers[0])
    an_invoice(uow, actor, customer, "250.50", on=date(2026, 1, 20), days=30, number=numbers[1])
    a_payment(uow, actor, customer, "150.50", on=date(2026, 2, 1))
    statement = customer_statement(uow, actor, customer, date(2026, 1, 1), AS_OF)
    items = (an_item(numbers[0]), an_item(numbers[1], "250.50", due=date(2026, 2, 19)))
    letter = a_letter(items=items, total_open=Money("1440.50", "EUR"))

    # when the mail is composed, queued, and delivered to a real SMTP server
    mail = compose_dunning_mail(letter, ("ap@mueller.example",), statement)
    queue_mail(uow, actor, mail, customer_id=customer, source_kind="collection_action", source_id=1)
    with smtp_server() as server:
        report = deliver_pending(uow, SmtpTransport(server.settings))
        [received] = server.recorder.received

    # then the message names the invoices, and its PDF holds the same numbers
    assert (report.sent, report.failed) == (1, 0)
    message: EmailMessage = received.message
    assert received.recipients == ["ap@mueller.example"]
    body = message.get_body(("plain",)).get_content()
    assert all(number in body for number in numbers)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "statement-C-0042-2026-03-02.pdf"
    text = pdf_text(attachment.get_content())
    for expected in (
        *numbers,
        "1,190.00",
        "250.50",
        "150.50",
        "Closing balance",
        "1,290.00",
        "Feb 9, 2026",
        "Feb 19, 2026",
    ):
        assert expected in text, expected


def test_a_language_not_shipped_is_written_and_formatted_in_english_throughout():
    # given an Italian customer: no Italian templates are shipped
    letter = a_letter(language="it")

    mail = compose_dunning_mail(letter, ("a@b.example",), a_statement())

    # then words, dates and amounts are all English, never English words with Italian dates
    assert "Feb 9, 2026" in mail.text
    assert "€1,190.00" in mail.text
    assert "9 feb 2026" not in mail.text
    assert "Feb 9, 2026" in pdf_text(mail.attachments[0].content)
    assert "March 2, 2026" in pdf_text(letter_pdf(letter))
