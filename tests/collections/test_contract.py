"""The contract, end to end: a dunning run over the demo company mails a real SMTP server on
loopback, and `collections actions --format csv` lists what was done."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from o2c.app.demo import load_demo
from o2c.collections.reading import ACTIONS_HEADER
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem
from o2c.notify.formatting import format_day, format_money
from o2c.notify.templates import formatting_language
from o2c.parties.tables import Contact, Customer
from tests.app.client import o2c
from tests.notify.smtpd import smtp_server

TODAY = date(2026, 3, 2)


def _rows(database: str, day: date) -> list[dict[str, str]]:
    listed = o2c(database, "collections", "actions", "--as-of", day.isoformat(), "--format", "csv")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0] == ",".join(ACTIONS_HEADER)
    return list(csv.DictReader(io.StringIO(listed.stdout)))


SHIPPED = {"de", "en", "fr", "nl"}  # the languages the dunning templates are written in


def _mail_language(language: str) -> str:
    """The locale a mail to a customer speaking `language` formats in: its own when the
    templates are shipped in it, English (the text's fallback) otherwise."""
    base = language.lower().replace("-", "_").split("_")[0]
    return formatting_language(language, base if base in SHIPPED else "en")


def _digits(text: str) -> str:
    """Money as its digits only: letters format amounts in the customer's locale."""
    return re.sub(r"\D", "", text)


def _names(text: str, numbers: list[str], total: str) -> bool:
    return total in _digits(text) and all(re.search(rf"\b{re.escape(n)}\b", text) for n in numbers)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_run_over_the_demo_company_mails_each_customers_ar_contact(engine, database, monkeypatch):
    # given the demo company (it ships with the default strategy) and an SMTP server
    load_demo(engine, today=TODAY, seed=42, scale=0.1)
    with engine.connect() as connection:
        items = {r.document_number: r for r in connection.execute(select(OpenItem))}
        ar = defaultdict(set)
        for cid, email in connection.execute(
            select(Contact.customer_id, Contact.email).where(Contact.role == "ar")
        ):
            ar[cid].add(email)
        languages = dict(connection.execute(select(Customer.id, Customer.language)).all())
    with smtp_server() as server:
        monkeypatch.setenv("O2C_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("O2C_SMTP_PORT", str(server.settings.port))
        # when the day's run is made (twice: the second sends nothing new)
        first = o2c(database, "collections", "run", "--as-of", TODAY.isoformat())
        second = o2c(database, "collections", "run", "--as-of", TODAY.isoformat())
        received = list(server.recorder.received)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "0 new actions" in second.stdout
    rows = _rows(database, TODAY)
    mailed = [r for r in rows if r["channel"] == "email"]
    # then every email action was sent, once, to the customer's AR contact
    assert {r["action"] for r in rows} >= {"email", "call"}
    assert mailed
    assert all(r["status"] == "sent" for r in mailed)
    assert len(received) == len(mailed)
    by_recipients = defaultdict(list)
    for message in received:
        by_recipients[frozenset(message.recipients)].append(message.message)
    for row in mailed:
        customer_id = int(row["customer_id"])
        assert customer_id in ar, row
        language = _mail_language(languages[customer_id])
        total = _digits(format_money(Money(row["amount"], row["currency"]), "en"))
        numbers = row["invoice_numbers"].split()
        matching = [
            m
            for m in by_recipients[frozenset(ar[customer_id])]
            if _names(m.get_body(("plain",)).get_content(), numbers, total)
        ]
        assert matching, row
        message = matching[0]
        text = message.get_body(("plain",)).get_content()
        [pdf] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        statement = _pdf_text(pdf.get_content())
        for number in row["invoice_numbers"].split():
            item = items[number]
            assert number in text
            assert number in statement
            assert format_day(item.due_date, language) in text
            open_amount = Money.from_minor(item.open_minor, item.currency)
            assert format_money(open_amount, language) in text
            assert _digits(format_money(open_amount, language)) in _digits(statement)


def test_actions_without_a_run_print_only_the_header(engine, database):
    assert o2c(database, "init").exit_code == 0
    assert _rows(database, TODAY) == []


def test_strategy_commands_show_validate_load_and_simulate(engine, database, tmp_path):
    # given an initialised database: `o2c init` installs the default strategy
    assert o2c(database, "init").exit_code == 0
    shown = o2c(database, "collections", "strategy", "show")
    assert shown.exit_code == 0, shown.output
    assert "# version 1" in shown.stdout
    assert "name: default" in shown.stdout
    # a bad file is refused with the path of the field
    bad = tmp_path / "bad.yaml"
    bad.write_text(shown.stdout.replace("days_after_due: 10", "days_after_due: ten", 1))
    refused = o2c(database, "collections", "strategy", "validate", str(bad))
    assert refused.exit_code != 0
    assert "segments[1].steps[2].trigger.days_after_due: must be an integer" in refused.output
    # a good one loads as the next version, and a simulation writes its CSV
    good = tmp_path / "good.yaml"
    good.write_text(shown.stdout)
    assert (
        "valid (2 segments"
        in o2c(database, "collections", "strategy", "validate", str(good)).stdout
    )
    loaded = o2c(database, "collections", "strategy", "load", str(good))
    assert "version 2" in loaded.stdout, loaded.output
    out = tmp_path / "sim.csv"
    simulated = o2c(database, "collections", "simulate", "--strategy", str(good),
                    "--from", "2026-01-01", "--to", "2026-03-02", "--csv", str(out))  # fmt: skip
    assert simulated.exit_code == 0, simulated.output
    assert out.read_text().startswith("date,customer,segment,step,action,level,channel")
