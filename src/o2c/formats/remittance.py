"""Remittance advice: which invoices a payment pays, short-pays or deducts, and why.

The model is shared by every remittance source (X12 820, a customer's CSV, later CTX addenda):
cash application matches `Remittance.trace` to the bank line and applies each item to the
invoice it names; `Adjustment`s with a reason code become deductions.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Why less (or more) than the invoice was paid: amount and the payer's reason code."""

    amount: Decimal | None
    reason_code: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class RemittanceItem:
    """One invoice (or credit memo) the payment covers."""

    invoice_ref: str
    paid: Decimal
    invoice_amount: Decimal | None = None
    discount: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    ref_type: str = ""
    references: tuple[tuple[str, str], ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Remittance:
    """One payment and the items it pays; `unexplained` is what the items do not account for."""

    payer: str
    trace: str
    payment_amount: Decimal
    payment_date: date | None
    currency: str | None
    items: tuple[RemittanceItem, ...]
    payee: str = ""
    source: str = ""

    @property
    def unexplained(self) -> Decimal:
        return self.payment_amount - sum((i.paid for i in self.items), Decimal(0))


_HEADER = ("invoice_number", "amount_paid", "payer", "trace", "reason_code", "reason_text")
_AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _csv_rows(data: bytes, problems: Problems) -> list[list[str]]:
    text = decode_text(data)
    delimiter = ";" if text.count(";") > text.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.refuse(1, "csv", str(exc))
    return [[c.strip() for c in r] for r in rows]


def _csv_item(
    row: list[str], line: int, problems: Problems
) -> tuple[str, str, RemittanceItem] | None:
    cells = (row + [""] * len(_HEADER))[: len(_HEADER)]
    invoice, amount, payer, trace, reason, text = cells
    if not invoice:
        problems.add(line, "invoice_number", "missing")
    if not _AMOUNT.fullmatch(amount.replace(",", "")):
        problems.add(line, "amount_paid", f"not an amount: {amount!r}")
        return None
    adjustments = (Adjustment(None, reason, text),) if reason or text else ()
    item = RemittanceItem(invoice, Decimal(amount.replace(",", "")), adjustments=adjustments)
    return payer, trace, item


def parse_remittance_csv(
    data: bytes, path: str = "", currency: str | None = None
) -> list[Remittance]:
    """Read `invoice_number,amount_paid[,payer,trace,reason_code,reason_text]` rows.

    The header row is optional. Rows sharing payer and trace form one remittance whose payment
    amount is the sum of its items (a CSV carries no separate payment total).
    """
    problems = Problems(path)
    rows = _csv_rows(data, problems)
    groups: dict[tuple[str, str], list[RemittanceItem]] = {}
    for number, row in enumerate(rows, start=1):
        if not any(row) or (number == 1 and row[0].lower() == _HEADER[0]):
            continue
        found = _csv_item(row, number, problems)
        if found is not None:
            groups.setdefault((found[0], found[1]), []).append(found[2])
    if not groups and not problems:
        problems.add(1, "invoice_number", "no remittance rows in the file")
    problems.raise_if_any()
    return [
        Remittance(
            payer,
            trace,
            sum((i.paid for i in items), Decimal(0)),
            None,
            currency,
            tuple(items),
            source="csv",
        )
        for (payer, trace), items in groups.items()
    ]
