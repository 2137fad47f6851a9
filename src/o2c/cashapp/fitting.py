"""How a paid amount settles a chosen set of invoices, following the company's policy.

Exactly; after an early-payment discount still within terms; short by a difference small
enough to write off; short by more (a deduction to research); or over (the rest stays on
account). Each outcome carries its allocations and the evidence weight of the fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from o2c.cashapp.model import Allocation, MatchPolicy, OpenInvoice
from o2c.cashapp.scoring import Evidence, show

EQUAL = 3.0
DISCOUNT = 2.5
WRITEOFF = 1.5
OVER = 0.5
OVER_LARGE = -1.0
SHORT_EXPLAINED = 1.0
SHORT = 0.0
SHORT_SEVERAL = -2.5

_CATEGORIES = (
    ("DAMAG", "damaged goods"),
    ("BROKEN", "damaged goods"),
    ("SHORT SHIP", "short shipment"),
    ("MISSING", "goods missing"),
    ("NOT RECEIVED", "goods not received"),
    ("QUALIT", "quality"),
    ("RETURN", "returns"),
    ("PRIC", "pricing"),
    ("PROMO", "promotion"),
    ("ADVERT", "advertising allowance"),
    ("REBATE", "rebate"),
    ("FREIGHT", "freight"),
    ("SHIPPING", "freight"),
    ("TAX", "tax"),
    ("DISCOUNT", "discount taken"),
    ("SKONTO", "discount taken"),
    ("DEDUCT", "deduction"),
    ("LESS", "deduction"),
    ("ABZUG", "deduction"),
    ("CREDIT", "credit claimed"),
)


def stated_reason(text: str) -> str:
    """The reason a payer gives for paying less, from the words of the bank text."""
    upper = text.upper()
    for word, category in _CATEGORIES:
        if word in upper:
            return category
    return ""


@dataclass(frozen=True, slots=True)
class Item:
    """An open item as a fit sees it: its index position, the invoice and what is open now."""

    index: int
    invoice: OpenInvoice
    open_minor: int


@dataclass(frozen=True, slots=True)
class Fit:
    allocations: tuple[Allocation, ...]
    evidence: Evidence
    deduction_minor: int = 0
    deduction_reason: str = ""
    on_account_minor: int = 0


def discount_allowed(invoice: OpenInvoice, paid_on: date | None, policy: MatchPolicy) -> bool:
    """Within terms: paid by the discount date plus the days a transfer takes."""
    if invoice.discount_minor <= 0 or invoice.discount_date is None or paid_on is None:
        return False
    return paid_on <= invoice.discount_date + timedelta(days=policy.discount_grace_days)


def _full(items: Sequence[Item]) -> list[Allocation]:
    return [Allocation(i.invoice.item_id, i.open_minor) for i in items]


def _fill(items: Sequence[Item], amount: int) -> list[Allocation]:
    """Oldest first: full invoices while the cash lasts, the rest on the last one reached."""
    allocations = []
    left = amount
    for item in items:
        if left <= 0:
            break
        paid = min(left, item.open_minor)
        allocations.append(Allocation(item.invoice.item_id, paid))
        left -= paid
    return allocations


def _discounted(
    items: Sequence[Item], amount: int, paid_on: date | None, policy: MatchPolicy
) -> Fit | None:
    discounts = [
        i.invoice.discount_minor
        if i.invoice.discount_minor < i.open_minor and discount_allowed(i.invoice, paid_on, policy)
        else 0
        for i in items
    ]
    total = sum(i.open_minor for i in items)
    if not any(discounts) or amount != total - sum(discounts):
        return None
    allocations = tuple(
        Allocation(i.invoice.item_id, i.open_minor - d, discount_minor=d)
        for i, d in zip(items, discounts, strict=True)
    )
    currency = items[0].invoice.currency
    text = f"amount equal after the early-payment discount of {show(sum(discounts), currency)}"
    return Fit(allocations, Evidence(text, DISCOUNT))


def _short(items: Sequence[Item], amount: int, policy: MatchPolicy, said: str) -> Fit:
    total = sum(i.open_minor for i in items)
    currency = items[0].invoice.currency
    difference = total - amount
    if difference <= policy.writeoff_limit(total) and difference < items[-1].open_minor:
        allocations = _full(items)
        last = allocations[-1]
        allocations[-1] = Allocation(
            last.item_id, last.amount_minor - difference, writeoff_minor=difference
        )
        text = f"short by {show(difference, currency)}, within tolerance: written off"
        return Fit(tuple(allocations), Evidence(text, WRITEOFF))
    late = sum(i.invoice.discount_minor for i in items if i.invoice.discount_date is not None)
    if late and amount == total - late:
        reason = "discount taken after the discount date"
    else:
        reason = stated_reason(said)
    weight = SHORT_EXPLAINED if reason else SHORT
    if len(items) > 1:
        weight = SHORT_SEVERAL
    text = f"short by {show(difference, currency)}: deduction ({reason or 'no reason given'})"
    return Fit(
        tuple(_fill(items, amount)),
        Evidence(text, weight),
        deduction_minor=difference,
        deduction_reason=reason or "short payment, no reason given",
    )


def fit_amount(
    items: Sequence[Item], amount: int, paid_on: date | None, policy: MatchPolicy, said: str
) -> Fit:
    """Settle `items` (oldest first) with `amount`; `said` is the payer's text, for reasons."""
    total = sum(i.open_minor for i in items)
    currency = items[0].invoice.currency
    if amount == total:
        return Fit(tuple(_full(items)), Evidence("amount equal", EQUAL))
    discounted = _discounted(items, amount, paid_on, policy)
    if discounted is not None:
        return discounted
    if amount > total:
        extra = amount - total
        text = f"overpaid by {show(extra, currency)}: kept on account"
        weight = OVER if extra * 10 <= total else OVER_LARGE
        return Fit(tuple(_full(items)), Evidence(text, weight), on_account_minor=extra)
    return _short(items, amount, policy, said)
