"""Mail templates: one Jinja2 file per template and language, with subject, text and HTML blocks.

A domain ships its templates as package data, `<package>/<directory>/<lang>/<name>.j2`, and
renders them through `MailTemplates`. Each file defines (or inherits) the blocks `subject`,
`text` and `html`; other blocks can be rendered on their own as plain text (a printed letter
reuses the mail's paragraphs).

Two environments read the same files: the HTML block is rendered with autoescaping, the
subject and text blocks without, so "Müller & Söhne" is `&amp;` in HTML and `&` in text. Both
use StrictUndefined: a misspelt variable is an error in tests, never an empty gap in a mail
to a customer. Filters format for the mail's language: `money`, `money_code`, `date`,
`number`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    nodes,
    pass_context,
)
from jinja2.runtime import Context

from o2c.kernel.money import Money
from o2c.notify.formatting import FALLBACK_LANGUAGE, format_day, format_money, format_number


@dataclass(frozen=True)
class RenderedMail:
    language: str  # the language of the text actually used, after falling back
    subject: str
    text: str
    html: str


def candidate_languages(language: str) -> list[str]:
    """Most specific first: "de-CH" -> ["de_ch", "de", "en"]."""
    tag = language.strip().lower().replace("-", "_")
    found = [tag, tag.split("_")[0], FALLBACK_LANGUAGE]
    return [t for i, t in enumerate(found) if t and t not in found[:i]]


def formatting_language(asked: str, used: str) -> str:
    """The locale to format numbers and dates in, given the language of the text used.

    A regional variant of the text's language keeps its own formats ("de-CH" text in German
    with Swiss numbers); a language that fell back to another uses that one's, so a mail
    never mixes English words with Italian dates.
    """
    tag = asked.strip().replace("-", "_")
    return tag if tag.lower().split("_")[0] == used.split("_")[0] else used


def _language(context: Context) -> str:
    return str(context.get("language", FALLBACK_LANGUAGE))


@pass_context
def _money(context: Context, value: Money) -> str:
    return format_money(value, _language(context))


@pass_context
def _money_code(context: Context, value: Money) -> str:
    return format_money(value, _language(context), symbol=False)


@pass_context
def _date(context: Context, value: date, style: str = "medium") -> str:
    return format_day(value, _language(context), style)


@pass_context
def _number(context: Context, value: int | Decimal) -> str:
    return format_number(value, _language(context))


def _environment(package: str, directory: str, *, html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader(package, directory),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters.update(money=_money, money_code=_money_code, date=_date, number=_number)
    return env


class MailTemplates:
    """The templates of one package directory, by name and language."""

    def __init__(self, package: str, directory: str = "templates") -> None:
        self._plain = _environment(package, directory, html=False)
        self._html = _environment(package, directory, html=True)

    def resolve(self, name: str, language: str) -> str:
        """The language whose file of `name` will be used; TemplateNotFound if none exists."""
        for candidate in candidate_languages(language):
            try:
                self._plain.get_template(f"{candidate}/{name}.j2")
            except TemplateNotFound:
                continue
            return candidate
        raise TemplateNotFound(f"{name} (languages tried: {candidate_languages(language)})")

    def render(self, name: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        """Subject (one line), text and HTML of template `name` in `language` or its fallback."""
        used = self.resolve(name, language)
        values = {**context, "language": formatting_language(language, used)}
        path = f"{used}/{name}.j2"
        subject = " ".join(_block(self._plain.get_template(path), "subject", values).split())
        text = _block(self._plain.get_template(path), "text", values).strip() + "\n"
        html = _block(self._html.get_template(path), "html", values).strip() + "\n"
        return RenderedMail(used, subject, text, html)

    def render_block(self, name: str, language: str, block: str, context: Mapping[str, Any]) -> str:
        """One block of the template as plain text (no escaping), stripped."""
        used = self.resolve(name, language)
        template = self._plain.get_template(f"{used}/{name}.j2")
        values = {**context, "language": formatting_language(language, used)}
        return _block(template, block, values).strip()


def _block(template: Template, block: str, values: Mapping[str, Any]) -> str:
    """Render one block the way the whole template would, overrides and `super()` included.

    Jinja links a child's blocks to its parent's only while rendering the whole template;
    here the chain of `{% extends %}` is followed up front so a single block can be rendered.
    """
    context = template.new_context(dict(values))
    for ancestor in _ancestors(template):
        for name, render in ancestor.blocks.items():
            context.blocks.setdefault(name, []).append(render)
    if block not in context.blocks:
        raise KeyError(f"template {template.name} has no block {block!r}")
    return "".join(context.blocks[block][0](context))


def _ancestors(template: Template) -> list[Template]:
    chain = []
    current = template
    while (parent := _parent_name(current.environment, current.name or "")) is not None:
        current = current.environment.get_template(parent)
        chain.append(current)
    return chain


_parents: dict[tuple[int, str], str | None] = {}


def _parent_name(env: Environment, name: str) -> str | None:
    """The template `name` extends (a constant name), None when it extends none."""
    key = (id(env), name)
    if key not in _parents:
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, name)
        extends = env.parse(source).find(nodes.Extends)
        if extends is None:
            _parents[key] = None
        elif isinstance(extends.template, nodes.Const):
            _parents[key] = str(extends.template.value)
        else:
            raise TypeError(f"template {name} must extend a constant template name")
    return _parents[key]


@cache
def templates_of(package: str, directory: str = "templates") -> MailTemplates:
    """One shared, compiled set of templates per package (compiling is the costly part)."""
    return MailTemplates(package, directory)
