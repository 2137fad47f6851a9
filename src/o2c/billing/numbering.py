"""Document numbers: series prefix, year of the document date, gapless counter.

The counter lives in the `number_series` row of (company, series, year) and is taken inside
the posting transaction, so a rolled-back posting leaves no gap (see `billing.service`).
"""

from __future__ import annotations

from datetime import date

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"
PAYMENT_SERIES = "PAY"
REFUND_SERIES = "RF"
DIGITS = 6


def format_number(series: str, year: int, value: int) -> str:
    """ "INV-2026-000123": the counter is zero-padded to six digits and grows past them."""
    if value < 1:
        raise ValueError("document numbers start at 1")
    return f"{series}-{year}-{value:0{DIGITS}d}"


def numbers_for(series: str, day: date, first: int, count: int) -> list[str]:
    """The `count` consecutive numbers of `series` in the year of `day`, from `first`."""
    return [format_number(series, day.year, value) for value in range(first, first + count)]
