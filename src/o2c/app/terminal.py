"""The ledger's reports as the `o2c` CLI prints them: CSV and JSON for machines, rich tables
for people. Customers appear by code; amounts are plain decimal strings at the minor unit."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from rich.console import Group
from rich.table import Table

from o2c.kernel.money import Money
from o2c.ledger.aging import Bucket
from o2c.ledger.reports import AgingRow, CustomerStatement, TrialBalanceRow

AGING_HEADER = ("customer_id", "currency", "bucket", "amount")


def amount(minor: int, currency: str) -> str:
    """`123450, "EUR"` → `"1234.50"`: exact, at the currency's minor unit, no grouping."""
    return str(Money.from_minor(minor, currency).amount)


@dataclass(frozen=True)
class AgingLine:
    customer: str
    currency: str
    bucket: str
    amount_minor: int


def aging_lines(
    rows: list[AgingRow], codes: dict[int, str], buckets: tuple[Bucket, ...]
) -> list[AgingLine]:
    """Rows by customer code, currency and bucket order (ids without a code print as ids)."""
    order = {b.name: i for i, b in enumerate(buckets)}
    lines = [
        AgingLine(
            codes.get(r.customer_id, str(r.customer_id)), r.currency, r.bucket, r.amount_minor
        )
        for r in rows
    ]
    return sorted(lines, key=lambda line: (line.customer, line.currency, order[line.bucket]))


def aging_csv(lines: list[AgingLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AGING_HEADER)
    writer.writerows(
        (line.customer, line.currency, line.bucket, amount(line.amount_minor, line.currency))
        for line in lines
    )
    return out.getvalue()


def aging_json(lines: list[AgingLine], as_of: date, buckets: tuple[Bucket, ...]) -> str:
    document = {
        "as_of": as_of.isoformat(),
        "buckets": [b.name for b in buckets],
        "rows": [
            {
                "customer_id": line.customer,
                "currency": line.currency,
                "bucket": line.bucket,
                "amount": amount(line.amount_minor, line.currency),
            }
            for line in lines
        ],
    }
    return json.dumps(document, indent=2)


def aging_table(lines: list[AgingLine], as_of: date, buckets: tuple[Bucket, ...]) -> Table:
    """One row per customer and currency, a column per bucket, totals per currency."""
    names = [b.name for b in buckets]
    table = Table(title=f"Aging as of {as_of}", show_footer=False)
    table.add_column("Customer")
    table.add_column("Cur")
    for name in [*names, "Total"]:
        table.add_column(name, justify="right")
    grid: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        grid[line.customer, line.currency][line.bucket] += line.amount_minor
        totals[line.currency][line.bucket] += line.amount_minor
    for (customer, currency), by_bucket in grid.items():
        table.add_row(customer, currency, *_bucket_cells(by_bucket, names, currency))
    for currency, by_bucket in sorted(totals.items()):
        table.add_row(
            "[bold]Total[/bold]", currency, *_bucket_cells(by_bucket, names, currency), style="bold"
        )
    return table


def _bucket_cells(by_bucket: dict[str, int], names: list[str], currency: str) -> list[str]:
    cells = [amount(by_bucket[n], currency) if by_bucket.get(n) else "" for n in names]
    return [*cells, amount(sum(by_bucket.values()), currency)]


def _balances(by_currency: dict[str, int]) -> str:
    if not by_currency:
        return "0"
    return ", ".join(f"{amount(v, c)} {c}" for c, v in sorted(by_currency.items()))


def statement_view(statement: CustomerStatement, code: str) -> Group:
    """Opening balance, the period's documents and adjustments, closing balance, open items."""
    lines = Table(title=f"Statement of {code}, {statement.start} to {statement.end}")
    for column in ("Date", "Kind", "Document"):
        lines.add_column(column)
    lines.add_column("Amount", justify="right")
    lines.add_column("Cur")
    for line in statement.lines:
        lines.add_row(
            str(line.day),
            line.kind,
            line.document_number,
            amount(line.amount_minor, line.currency),
            line.currency,
        )
    items = Table(title=f"Open on {statement.end}")
    for column in ("Document", "Kind", "Due"):
        items.add_column(column)
    items.add_column("Open", justify="right")
    items.add_column("Cur")
    for item in statement.open_items:
        items.add_row(
            item.document_number,
            item.kind,
            str(item.due_date),
            amount(item.open_minor, item.currency),
            item.currency,
        )
    return Group(
        f"Opening balance: {_balances(statement.opening)}",
        lines,
        f"Closing balance: {_balances(statement.closing)}",
        items,
    )


def trial_balance_table(rows: list[TrialBalanceRow], as_of: date, base_currency: str) -> Table:
    table = Table(title=f"Trial balance as of {as_of}")
    table.add_column("Account")
    table.add_column("Name")
    table.add_column("Cur")
    table.add_column("Debit", justify="right")
    table.add_column("Credit", justify="right")
    table.add_column(f"Balance ({base_currency})", justify="right")
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for row in rows:
        table.add_row(
            row.account_code,
            row.account_name,
            row.currency,
            amount(row.debit_minor, row.currency),
            amount(row.credit_minor, row.currency),
            amount(row.base_minor, base_currency),
        )
        debits[row.currency] += row.debit_minor
        credits[row.currency] += row.credit_minor
    for currency in sorted(debits):
        table.add_row(
            "",
            "Total",
            currency,
            amount(debits[currency], currency),
            amount(credits[currency], currency),
            "",
            style="bold",
        )
    return table
