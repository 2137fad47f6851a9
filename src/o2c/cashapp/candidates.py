"""The open-item index: from a mention in a bank line to the invoices it may name.

Built once per matching run over every open item, so it must stay lean at a million items:
one dict keyed by the zero-free digits of the number (every padding and separator variant
of "INV-2026-001926" meets there), one by the serial alone, one by PO number and one list
per customer. A key hit is then checked against the invoice's own forms to grade it: a
zero-free key alone also joins numbers that differ only in where their zeros stand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from o2c.cashapp.model import OpenInvoice, ReferencePattern
from o2c.cashapp.normalize import NumberForms, number_forms, zero_free
from o2c.cashapp.references import Mention

MIN_TAIL_DIGITS = 3
MIN_KEY_DIGITS = 5
MIN_PO_DIGITS = 4


class Quality(IntEnum):
    """How literally a mention reproduces an invoice's number, weakest first."""

    TRANSPOSED = 1
    TAIL = 2
    PO = 3
    LEARNED = 4
    STRIPPED = 5
    DIGITS = 6
    EXACT = 7
    CERTIFIED = 8

    @property
    def strong(self) -> bool:
        """Strong enough to name an invoice of a customer the payer is not known as."""
        return self >= Quality.LEARNED

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Quality.TRANSPOSED: "with two digits swapped",
    Quality.TAIL: "by its serial",
    Quality.PO: "by its PO number",
    Quality.LEARNED: "in the payer's learned style",
    Quality.STRIPPED: "without prefix and zeros",
    Quality.DIGITS: "without prefix",
    Quality.EXACT: "exactly",
    Quality.CERTIFIED: "by a valid RF creditor reference",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """A mention read as one invoice (by its position in the index)."""

    index: int
    quality: Quality
    mention: Mention


_Slot = int | list[int]


def _put(table: dict[str, _Slot], key: str, index: int) -> None:
    slot = table.get(key)
    if slot is None:
        table[key] = index
    elif isinstance(slot, int):
        table[key] = [slot, index]
    else:
        slot.append(index)


def _get(table: dict[str, _Slot], key: str) -> Sequence[int]:
    slot = table.get(key)
    if slot is None:
        return ()
    return (slot,) if isinstance(slot, int) else slot


_GROUPS = re.compile(r"\d+")
_NOT_DIGIT = re.compile(r"\D+")


def _po_key(po: str) -> str:
    return _NOT_DIGIT.sub("", po).lstrip("0")


def _swaps(digits: str) -> Iterable[str]:
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            yield digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


class InvoiceIndex:
    """Open items by number key, serial, PO and customer, with their open amounts.

    `open_minor` is the one mutable part: a matching run lowers it as it applies cash, so a
    second payment of the same invoice finds it settled.
    """

    def __init__(
        self, invoices: Sequence[OpenInvoice], patterns: Iterable[ReferencePattern] = ()
    ) -> None:
        self.invoices = list(invoices)
        self.open_minor = [inv.open_minor for inv in self.invoices]
        self._by_key: dict[str, _Slot] = {}
        self._by_tail: dict[str, _Slot] = {}
        self._by_po: dict[str, _Slot] = {}
        self._by_customer: dict[int, list[int]] = {}
        self._sorted: set[int] = set()
        self._forms: dict[int, NumberForms | None] = {}
        self._patterns: dict[tuple[int, str], set[str]] = {}
        for pattern in patterns:
            self._patterns.setdefault((pattern.customer_id, pattern.label), set()).add(pattern.form)
        self._build()

    def _build(self) -> None:
        """One pass over the items; the slot updates are inlined, this runs a million times."""
        by_key, by_tail, by_po, by_customer = (
            self._by_key,
            self._by_tail,
            self._by_po,
            self._by_customer,
        )
        find_groups = _GROUPS.findall
        for index, inv in enumerate(self.invoices):
            groups = find_groups(inv.number)
            if groups:
                key = "".join(groups).replace("0", "")
                slot = by_key.get(key)
                if slot is None:
                    by_key[key] = index
                elif isinstance(slot, int):
                    by_key[key] = [slot, index]
                else:
                    slot.append(index)
                tail = groups[-1].lstrip("0")
                slot = by_tail.get(tail)
                if slot is None:
                    by_tail[tail] = index
                elif isinstance(slot, int):
                    by_tail[tail] = [slot, index]
                else:
                    slot.append(index)
            if inv.po_number:
                po = _po_key(inv.po_number)
                if len(po) >= MIN_PO_DIGITS:
                    _put(by_po, po, index)
            customer = by_customer.get(inv.customer_id)
            if customer is None:
                by_customer[inv.customer_id] = [index]
            else:
                customer.append(index)

    def of_customer(self, customer_id: int) -> list[int]:
        """The customer's items, oldest due date first (sorted on first use)."""
        items = self._by_customer.get(customer_id, [])
        if customer_id not in self._sorted:
            invoices = self.invoices
            items.sort(
                key=lambda i: (invoices[i].due_date, invoices[i].number, invoices[i].item_id)
            )
            self._sorted.add(customer_id)
        return items

    def forms(self, index: int) -> NumberForms | None:
        """The invoice's number forms, worked out once: many lines hit the same keys."""
        cache = self._forms
        if index in cache:
            return cache[index]
        forms = cache[index] = number_forms(self.invoices[index].number)
        return forms

    def lookup(self, mention: Mention, text_compact: str) -> list[Hit]:
        """Invoices the mention names, graded; an invoice appears once, at its best grade."""
        best: dict[int, Quality] = {}
        if mention.certified or mention.groups > 1 or len(mention.digits) >= MIN_KEY_DIGITS:
            digits = mention.digits.lstrip("0")
            for index in _get(self._by_key, zero_free(digits)):
                quality = self._grade(index, mention, digits, text_compact)
                if quality is not None:
                    best[index] = quality
        if mention.groups == 1 and not mention.certified:
            stripped = mention.stripped
            if len(stripped) >= MIN_TAIL_DIGITS:
                for index in _get(self._by_tail, stripped):
                    if index not in best:
                        best[index] = self._learned(index, mention, Quality.TAIL)
            if len(stripped) >= MIN_PO_DIGITS:
                for index in _get(self._by_po, stripped):
                    if index not in best:
                        best[index] = self._learned(index, mention, Quality.PO)
        return [Hit(index, quality, mention) for index, quality in best.items()]

    def _grade(
        self, index: int, mention: Mention, digits: str, text_compact: str
    ) -> Quality | None:
        """`digits` are the mention's digits without leading zeros."""
        forms = self.forms(index)
        if forms is None:
            return None
        if mention.certified:
            return Quality.CERTIFIED if digits == forms.digits else None
        if digits == forms.digits:
            exact = len(forms.compact) > len(forms.digits) and forms.compact in text_compact
            return Quality.EXACT if exact else Quality.DIGITS
        if mention.stripped == forms.stripped:
            return Quality.STRIPPED
        return None

    def _learned(self, index: int, mention: Mention, quality: Quality) -> Quality:
        """A weak form upgraded when the customer is known to write references this way."""
        if not mention.label or not self._patterns:
            return quality
        forms = self._patterns.get((self.invoices[index].customer_id, mention.label))
        if forms and quality.name.lower() in forms:
            return Quality.LEARNED
        return quality

    def transposed(self, mention: Mention) -> list[Hit]:
        """Invoices the mention names if two adjacent digits were typed the wrong way round."""
        if mention.certified:
            return []
        found: dict[int, Hit] = {}
        for variant in _swaps(mention.stripped):
            if mention.groups == 1 and len(variant.lstrip("0")) >= MIN_TAIL_DIGITS:
                for index in _get(self._by_tail, variant.lstrip("0")):
                    found.setdefault(index, Hit(index, Quality.TRANSPOSED, mention))
            if mention.groups > 1 or len(variant) >= MIN_KEY_DIGITS:
                for index in _get(self._by_key, zero_free(variant)):
                    forms = self.forms(index)
                    if forms is not None and variant in (forms.stripped, forms.digits):
                        found.setdefault(index, Hit(index, Quality.TRANSPOSED, mention))
        return list(found.values())

    def by_po(self, po: str) -> Sequence[int]:
        return _get(self._by_po, _po_key(po))
