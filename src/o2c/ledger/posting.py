"""Journal entries composed from applications: pure functions of the items they settle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from o2c.kernel.errors import OverApplication, ValidationFailed
from o2c.kernel.money import allocate
from o2c.ledger.model import AccountRole, EntryDraft, LineDraft, relieve_base


@dataclass(frozen=True)
class ItemState:
    """What an application needs to know of an open item at the moment it settles it."""

    id: int
    customer_id: int
    role: AccountRole
    currency: str
    open_minor: int
    open_base: int
    doc_date: date
    number: str


@dataclass(frozen=True)
class Relief:
    """How much of an item's open amount (and its base value) an application settles."""

    item_id: int
    amount: int
    base: int


@dataclass(frozen=True)
class ComposedApplication:
    entry: EntryDraft
    reliefs: tuple[Relief, ...]


def compose_application(
    debit: ItemState | None,
    credit: ItemState | None,
    amount: int,
    discount: int,
    writeoff: int,
    on: date,
    memo: str = "",
) -> ComposedApplication:
    """Settle `amount` of `debit` with `credit`, writing off `discount` and `writeoff` too.

    Payment to invoice: DR unapplied cash / CR AR, with discount and write-off lines debiting
    their expense accounts and an exchange-difference line when the two items were booked at
    different rates. With only one side, it is a write-off of that side.
    """
    _check_amounts(debit, credit, amount, discount, writeoff, on)
    side = debit or credit
    assert side is not None
    currency, customer = side.currency, side.customer_id
    lines: list[LineDraft] = []
    reliefs: list[Relief] = []
    if debit is not None:
        settled = amount + discount + writeoff
        base = relieve_base(debit.open_minor, debit.open_base, settled)
        reliefs.append(Relief(debit.id, -settled, -base))
        lines.append(LineDraft(debit.role, -settled, currency, -base, debit.customer_id))
        base_discount = base_writeoff = 0
        if discount or writeoff:
            _, base_discount, base_writeoff = allocate(base, [amount, discount, writeoff])
        if discount:
            lines.append(
                LineDraft(AccountRole.DISCOUNT_ALLOWED, discount, currency, base_discount, customer)
            )
        if writeoff:
            lines.append(
                LineDraft(AccountRole.WRITE_OFF, writeoff, currency, base_writeoff, customer)
            )
    if credit is not None:
        settled = amount if debit is not None else writeoff
        base = relieve_base(credit.open_minor, credit.open_base, -settled)
        reliefs.append(Relief(credit.id, settled, -base))
        lines.append(LineDraft(credit.role, settled, currency, -base, credit.customer_id))
        if debit is None:
            lines.append(LineDraft(AccountRole.WRITE_OFF, -settled, currency, base, customer))
    difference = -sum(line.base for line in lines)
    if difference:
        # Both sides were booked at different rates: the base-currency gap is an FX result.
        lines.append(LineDraft(AccountRole.FX_GAIN_LOSS, 0, currency, difference, customer))
    entry = EntryDraft(on, "application", None, memo or _describe(debit, credit), lines)
    return ComposedApplication(entry, tuple(reliefs))


def _describe(debit: ItemState | None, credit: ItemState | None) -> str:
    if debit and credit:
        return f"{credit.number} applied to {debit.number}"
    side = debit or credit
    assert side is not None
    return f"write-off of {side.number}"


def _check_amounts(
    debit: ItemState | None,
    credit: ItemState | None,
    amount: int,
    discount: int,
    writeoff: int,
    on: date,
) -> None:
    if debit is None and credit is None:
        raise ValidationFailed("an application needs a debit item, a credit item or both")
    if min(amount, discount, writeoff) < 0:
        raise ValidationFailed("amounts applied, discounted and written off must not be negative")
    if debit is not None and credit is not None:
        if debit.currency != credit.currency:
            raise ValidationFailed(
                f"{credit.number} is in {credit.currency}, {debit.number} in {debit.currency}"
            )
        if amount == 0:
            raise ValidationFailed("the amount applied must be positive")
    if debit is None and (amount or discount):
        raise ValidationFailed("a write-off of a credit takes only a write-off amount")
    if debit is not None:
        if debit.open_minor <= 0:
            raise OverApplication(f"{debit.number} has nothing left to settle")
        if amount + discount + writeoff > debit.open_minor:
            raise OverApplication(
                f"{debit.number}: settling {amount + discount + writeoff} exceeds its open "
                f"amount {debit.open_minor}"
            )
        if credit is None and (amount or discount):
            raise ValidationFailed("without a credit item only a write-off can settle a debit")
    if credit is not None:
        settled = amount if debit is not None else writeoff
        if credit.open_minor >= 0:
            raise OverApplication(f"{credit.number} has no credit left to apply")
        if settled > -credit.open_minor:
            raise OverApplication(
                f"{credit.number}: applying {settled} exceeds its open credit {-credit.open_minor}"
            )
    if amount + discount + writeoff == 0:
        raise ValidationFailed("nothing to settle")
    for item in (debit, credit):
        if item is not None and on < item.doc_date:
            raise ValidationFailed(f"{item.number} is dated {item.doc_date}, after {on}")
