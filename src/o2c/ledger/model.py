"""Accounts, journal entries and open items as pure values, with the rules they obey.

Sign convention everywhere: debit positive, credit negative. An invoice's open item is
positive (the customer owes), a payment's or credit note's is negative (we owe or hold).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from o2c.kernel.currency import minor_units
from o2c.kernel.errors import UnbalancedEntry


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"


class AccountRole(StrEnum):
    """What o2c posts to an account automatically; a company maps each role to one account."""

    AR_CONTROL = "ar_control"
    REVENUE = "revenue"
    TAX_PAYABLE = "tax_payable"
    CASH = "cash"
    UNAPPLIED_CASH = "unapplied_cash"
    DISCOUNT_ALLOWED = "discount_allowed"
    WRITE_OFF = "write_off"
    FX_GAIN_LOSS = "fx_gain_loss"
    OPENING_BALANCE = "opening_balance"


@dataclass(frozen=True)
class ChartAccount:
    code: str
    name: str
    kind: AccountKind
    role: AccountRole | None


DEFAULT_CHART: tuple[ChartAccount, ...] = (
    ChartAccount(
        "1100", "Accounts receivable (control)", AccountKind.ASSET, AccountRole.AR_CONTROL
    ),
    ChartAccount("1000", "Bank", AccountKind.ASSET, AccountRole.CASH),
    ChartAccount("2100", "Unapplied cash", AccountKind.LIABILITY, AccountRole.UNAPPLIED_CASH),
    ChartAccount("2200", "Tax payable", AccountKind.LIABILITY, AccountRole.TAX_PAYABLE),
    ChartAccount("3900", "Opening balances", AccountKind.EQUITY, AccountRole.OPENING_BALANCE),
    ChartAccount("4000", "Sales revenue", AccountKind.REVENUE, AccountRole.REVENUE),
    ChartAccount("6100", "Discounts allowed", AccountKind.EXPENSE, AccountRole.DISCOUNT_ALLOWED),
    ChartAccount("6200", "Bad debts and write-offs", AccountKind.EXPENSE, AccountRole.WRITE_OFF),
    ChartAccount(
        "7900", "Exchange gains and losses", AccountKind.EXPENSE, AccountRole.FX_GAIN_LOSS
    ),
)


class ItemKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    REFUND = "refund"


DEBIT_KINDS = frozenset({ItemKind.INVOICE, ItemKind.REFUND})


@dataclass(frozen=True)
class LineDraft:
    """One journal line before it is stored: `amount` and `base` in minor units, debit > 0."""

    role: AccountRole
    amount: int
    currency: str
    base: int
    customer_id: int | None = None
    memo: str = ""


@dataclass
class EntryDraft:
    """A journal entry composed by a pure posting function from its source document."""

    entry_date: date
    source_type: str
    source_id: int | None
    memo: str
    lines: list[LineDraft] = field(default_factory=list)


def check_balanced(entry: EntryDraft) -> None:
    """Refuse an entry unless it balances in every transaction currency and in base currency."""
    if len(entry.lines) < 2:
        raise UnbalancedEntry(f"{entry.memo or entry.source_type}: an entry needs two lines")
    per_currency: dict[str, int] = defaultdict(int)
    base_sum = 0
    for line in entry.lines:
        per_currency[line.currency] += line.amount
        base_sum += line.base
    unbalanced = {c: s for c, s in per_currency.items() if s != 0}
    if unbalanced or base_sum != 0:
        raise UnbalancedEntry(
            f"{entry.memo or entry.source_type}: lines do not balance "
            f"(per currency {unbalanced or 'ok'}, base difference {base_sum})"
        )


def to_base(amount_minor: int, currency: str, base_currency: str, rate: Decimal) -> int:
    """Convert minor units at `rate` (base units per one unit of `currency`), half-up."""
    if currency == base_currency:
        return amount_minor
    shift = minor_units(base_currency) - minor_units(currency)
    exact = Decimal(amount_minor) * rate * Decimal(10) ** shift
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def relieve_base(open_minor: int, open_base: int, amount: int) -> int:
    """Base value leaving an open item when `amount` of its `open_minor` is settled.

    Settling the whole rest takes the whole rest of the base value, so rounding never leaves
    a base-currency residue on a closed item.
    """
    if amount == open_minor:
        return open_base
    exact = Decimal(open_base) * Decimal(amount) / Decimal(open_minor)
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))
