"""Postal dunning letters: rendered as PDFs for print, each once, with every invoice named."""

from __future__ import annotations

import io

from pypdf import PdfReader

from o2c.collections.delivery import print_letters
from o2c.collections.timeline import customer_timeline
from tests.app.client import o2c
from tests.collections.builders import TODAY, a_debtor, overdue, run, step, summary, with_steps

LETTER = {"type": "email", "template": "dunning_1"}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_customer_without_email_gets_a_printed_letter_naming_each_invoice(uow, actor, tmp_path):
    # given a customer who takes letters, with two overdue invoices, and a run that chased them
    with_steps(uow, actor, step("d1", {"days_after_due": 5}, LETTER, 1))
    customer = a_debtor(uow, actor, code="POST1", email=None)
    overdue(uow, actor, customer, 12, amount="250.00", number="INV-P1")
    overdue(uow, actor, customer, 30, amount="80.50", number="INV-P2")
    run(uow, actor)

    # when the day's letters are printed, twice
    written = print_letters(uow, actor, TODAY, tmp_path)
    again = print_letters(uow, actor, TODAY, tmp_path)

    # then one PDF was written, names both invoices and their amounts, and the action is sent
    assert [p.parent.name for p in written] == [TODAY.isoformat()]
    assert again == []
    text = _text(written[0].read_bytes())
    for expected in ("INV-P1", "INV-P2", "250.00", "80.50"):
        assert expected in text
    assert summary(uow, actor) == [("d1", "letter", "INV-P2 INV-P1", "sent")]
    assert any(e.kind == "letter" for e in customer_timeline(uow, actor, customer))
    assert not list(tmp_path.rglob("*.part"))


def test_the_letters_command_prints_the_days_postal_letters(database, uow, actor, tmp_path):
    # given a chased customer who takes letters
    with_steps(uow, actor, step("d1", {"days_after_due": 5}, LETTER, 1))
    customer = a_debtor(uow, actor, code="POST2", email=None)
    overdue(uow, actor, customer, 9, number="INV-P9")
    run(uow, actor)

    # when the command runs for the day
    result = o2c(
        database, "collections", "letters", "--as-of", TODAY.isoformat(), "--out", str(tmp_path)
    )

    # then it says where the letter went, and the file is there
    assert result.exit_code == 0, result.output
    assert f"1 letters printed to {tmp_path / TODAY.isoformat()}" in result.output
    assert len(list((tmp_path / TODAY.isoformat()).glob("POST2-*.pdf"))) == 1
