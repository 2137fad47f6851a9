"""What the matching engine sees of the ledger, and what it decides.

Amounts are integer minor units of the bank line's currency, the storage form: the engine
adds and compares them exactly and never rounds. A decision is a plain value the storage layer
turns into applications, write-offs, deductions and unapplied cash through the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A customer as a payer: the names and accounts its money arrives under.

    `aliases` holds trading names and payer names learned from manual matches; `parent_id`
    lets a group's head office pay its subsidiaries' invoices.
    """

    customer_id: int
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    ibans: tuple[str, ...] = ()
    parent_id: int | None = None


class OpenInvoice(NamedTuple):
    """An open receivable as matching needs it: its numbers, what is still open, its terms.

    `discount_minor` is the early-payment discount the terms grant when paid by
    `discount_date` (0 and None when the terms grant none). A named tuple, not a dataclass:
    a match run reads a million of them, and a tuple is built from a row for a quarter of
    the cost.
    """

    item_id: int
    customer_id: int
    number: str
    po_number: str | None
    currency: str
    open_minor: int
    due_date: date
    discount_date: date | None = None
    discount_minor: int = 0


class MatchStatus(StrEnum):
    """`applied`, `deduction` and `on_account` are automatic; the others wait for a person."""

    APPLIED = "applied"
    DEDUCTION = "deduction"
    ON_ACCOUNT = "on_account"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"

    @property
    def automatic(self) -> bool:
        return self in _AUTOMATIC


class LineStatus(StrEnum):
    """Where a stored bank line stands: `new` until matched; `ignored` for debits and for
    lines a person set aside; the others as the decision that settled or queued it."""

    NEW = "new"
    APPLIED = "applied"
    DEDUCTION = "deduction"
    ON_ACCOUNT = "on_account"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    IGNORED = "ignored"


_AUTOMATIC = frozenset({MatchStatus.APPLIED, MatchStatus.DEDUCTION, MatchStatus.ON_ACCOUNT})


@dataclass(frozen=True, slots=True)
class Allocation:
    """Cash applied to one invoice, with the discount and small difference written off.

    The invoice's open amount minus these three is what the line leaves open on it (a
    deduction when the decision opens one).
    """

    item_id: int
    amount_minor: int
    discount_minor: int = 0
    writeoff_minor: int = 0

    @property
    def settled_minor(self) -> int:
        return self.amount_minor + self.discount_minor + self.writeoff_minor


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An alternative a person may accept from the exception queue."""

    customer_id: int | None
    allocations: tuple[Allocation, ...]
    confidence: float
    reason: str
    deduction_minor: int = 0
    on_account_minor: int = 0


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The engine's verdict on one bank line, with the evidence spelled out in `reason`."""

    status: MatchStatus
    customer_id: int | None
    allocations: tuple[Allocation, ...]
    deduction_minor: int
    deduction_reason: str
    on_account_minor: int
    confidence: float
    reason: str
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def applied_minor(self) -> int:
        """Cash the decision applies to invoices (automatic decisions only)."""
        if not self.status.automatic:
            return 0
        return sum(a.amount_minor for a in self.allocations)


@dataclass(frozen=True, slots=True)
class ReferencePattern:
    """How one customer writes our invoice numbers, learned from a person's match.

    `label` is the word the customer puts before the number ("RE", "BELEG", "BILL");
    `form` says which part of the number follows it (`tail`: the serial without the year).
    A reference in this shape counts as a strong one for this customer.
    """

    customer_id: int
    label: str
    form: str


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """The company's rules for automatic application.

    Readings at or above `threshold` are applied; below it, those at or above
    `suggestion_floor` wait as suggestions, the rest as unmatched lines (still listing
    their faint readings). Differences up to `writeoff_minor` and `writeoff_ratio` of the
    invoice are written off;
    larger short pays open a deduction. Discounts count when paid by the discount date plus
    `discount_grace_days` (the days a transfer spends between the banks).
    """

    threshold: float = 0.90
    suggestion_floor: float = 0.20
    writeoff_minor: int = 1000
    writeoff_ratio: Decimal = Decimal("0.01")
    discount_grace_days: int = 3
    subset_max_items: int = 4
    window_max_items: int = 12
    fuzzy_min_score: float = 88.0

    def writeoff_limit(self, open_minor: int) -> int:
        """The largest difference written off on `open_minor` without asking anyone."""
        relative = int((open_minor * self.writeoff_ratio).to_integral_value(ROUND_DOWN))
        return max(0, min(self.writeoff_minor, relative))
