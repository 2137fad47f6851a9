"""Amounts and dates as a reader of a given language expects them, through Babel (CLDR data).

Shared by the mail templates (as Jinja filters) and the printed documents, so a mail and the
PDF attached to it write the same amount the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

from o2c.kernel.money import Money

FALLBACK_LANGUAGE = "en"


@lru_cache(maxsize=64)
def locale_for(language: str) -> Locale:
    """The CLDR locale of a language tag ("de", "de-CH", "fr_BE"); English when unknown."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LANGUAGE)


def format_money(money: Money, language: str, *, symbol: bool = True) -> str:
    """`1.234,56 €` (de), `€1,234.56` (en); with `symbol=False` the ISO code: `1.234,56 EUR`.

    The ISO code form is for print and tables, where it never depends on the reader's
    font and tells CHF from other francs.
    """
    locale = locale_for(language)
    if symbol:
        return str(format_currency(money.amount, money.currency, locale=locale))
    return f"{format_amount(money, language)}\u00a0{money.currency}"


def format_minor(minor: int, currency: str, language: str, *, symbol: bool = True) -> str:
    return format_money(Money.from_minor(minor, currency), language, symbol=symbol)


def format_day(day: date, language: str, style: str = "medium") -> str:
    """A business date: `Mar 2, 2026` (en), `02.03.2026` (de); style short, medium or long."""
    return str(babel_format_date(day, format=style, locale=locale_for(language)))


def format_number(value: int | Decimal, language: str) -> str:
    return str(format_decimal(value, locale=locale_for(language)))


def format_amount(money: Money, language: str) -> str:
    """The number alone, at the currency's minor unit, for tables headed by the currency."""
    return str(
        format_currency(money.amount, money.currency, format="#,##0.00;-#,##0.00",
                        locale=locale_for(language))
    )  # fmt: skip
