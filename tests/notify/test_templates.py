"""Mail templates: blocks, language fallback, escaping only in HTML, strict variables."""

from __future__ import annotations

from datetime import date

import pytest
from jinja2 import TemplateNotFound, UndefinedError

from o2c.kernel.money import Money
from o2c.notify.templates import MailTemplates, candidate_languages

CONTEXT = {"name": "Müller & Söhne <KG>", "amount": Money("1234.5", "EUR"), "day": date(2026, 3, 2)}


@pytest.fixture
def templates() -> MailTemplates:
    return MailTemplates("tests.notify", "templates")


def test_a_template_renders_subject_text_and_html_in_its_language(templates):
    mail = templates.render("hello", "de", CONTEXT)

    assert mail.language == "de"
    assert mail.subject == "Hallo Müller & Söhne <KG>"
    assert (
        mail.text == "Guten Tag Müller & Söhne <KG>, offen sind 1.234,50\xa0€ seit 2. März 2026.\n"
    )


def test_html_is_escaped_and_text_and_subject_are_not(templates):
    mail = templates.render("hello", "en", CONTEXT)

    assert mail.html.startswith("<p>Dear Müller &amp; Söhne &lt;KG&gt;,")
    assert "Müller & Söhne <KG>" in mail.text


def test_the_subject_is_one_line_with_single_spaces(templates):
    assert templates.render("hello", "en", CONTEXT).subject == "Hello Müller & Söhne <KG>"


def test_money_and_date_filters_follow_the_language(templates):
    text = templates.render("hello", "en", CONTEXT).text

    assert "you owe €1,234.50 (1,234.50\xa0EUR) since Mar 2, 2026." in text


@pytest.mark.parametrize(("asked", "used"), [("de-AT", "de"), ("de_CH", "de"), ("fr", "en"),
                                              ("EN", "en"), ("", "en")])  # fmt: skip
def test_a_language_without_templates_falls_back_to_its_base_then_english(templates, asked, used):
    assert templates.render("hello", asked, CONTEXT).language == used


def test_candidate_languages_go_from_specific_to_english():
    assert candidate_languages("de-CH") == ["de_ch", "de", "en"]
    assert candidate_languages("en") == ["en"]


def test_a_misspelt_variable_is_an_error_not_a_gap(templates):
    with pytest.raises(UndefinedError, match="name"):
        templates.render("hello", "en", {"amount": Money("1", "EUR"), "day": date(2026, 1, 1)})


def test_an_unknown_template_is_reported(templates):
    with pytest.raises(TemplateNotFound, match="goodbye"):
        templates.render("goodbye", "en", CONTEXT)


def test_a_single_block_renders_as_plain_text_with_inherited_blocks(templates):
    assert templates.render_block("hello", "en", "text", CONTEXT).startswith("Dear Müller & ")
