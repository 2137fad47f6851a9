"""What a person's manual match teaches the engine, as data the storage layer keeps.

When someone settles a line from the exception queue by hand, the line shows how this payer
appears and writes references: a payer name or account not yet on file for the customer, or
a label before a serial or PO number ("BELEG 1926") that the engine only trusts weakly. Each
lesson is returned as a value; stored and fed back (`with_lessons` for profiles, the
patterns to `Engine(patterns=...)`), the next such line is applied without a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from o2c.cashapp.model import CustomerProfile, OpenInvoice, ReferencePattern
from o2c.cashapp.normalize import account_key, fold, name_key, number_forms
from o2c.cashapp.references import Mention, extract_mentions, line_texts
from o2c.formats.statement import BankLine


@dataclass(frozen=True, slots=True)
class LearnedAlias:
    """A payer name (as the bank writes it) that stands for the customer."""

    customer_id: int
    name: str


@dataclass(frozen=True, slots=True)
class LearnedAccount:
    """A bank account (IBAN or account number, normalised) the customer pays from."""

    customer_id: int
    account: str


@dataclass(frozen=True, slots=True)
class Lessons:
    aliases: tuple[LearnedAlias, ...] = ()
    accounts: tuple[LearnedAccount, ...] = ()
    patterns: tuple[ReferencePattern, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.aliases or self.accounts or self.patterns)


def _payer(chosen: Sequence[OpenInvoice], customers: Mapping[int, CustomerProfile]) -> int | None:
    """Whose money it was: the one customer of the invoices, or the parent they share."""
    owners = {inv.customer_id for inv in chosen}
    if len(owners) == 1:
        return owners.pop()
    heads = set()
    for customer_id in owners:
        profile = customers.get(customer_id)
        parent = profile.parent_id if profile is not None else None
        heads.add(customer_id if parent is None else parent)
    if len(heads) == 1:
        return heads.pop()
    return None


def _alias(line: BankLine, profile: CustomerProfile) -> tuple[LearnedAlias, ...]:
    name = line.counterparty_name.strip()
    key = name_key(name)
    known = {name_key(n) for n in (profile.name, *profile.aliases)}
    truncated = fold(profile.name).startswith(fold(name))
    if not key or key in known or truncated:
        return ()
    return (LearnedAlias(profile.customer_id, name),)


def _account(
    line: BankLine, profile: CustomerProfile, own_accounts: Iterable[str]
) -> tuple[LearnedAccount, ...]:
    account = account_key(line.counterparty_account)
    known = {account_key(a) for a in profile.ibans} | {account_key(a) for a in own_accounts}
    if len(account) < 8 or account in known:
        return ()
    return (LearnedAccount(profile.customer_id, account),)


def _form(mention: Mention, invoice: OpenInvoice) -> str:
    """How the mention writes the invoice, when that way is one the engine trusts weakly."""
    forms = number_forms(invoice.number)
    if mention.groups == 1 and forms is not None and mention.stripped == forms.tail:
        return "tail"
    po = number_forms(invoice.po_number or "")
    if mention.groups == 1 and po is not None and mention.stripped == po.digits:
        return "po"
    return ""


def _patterns(line: BankLine, chosen: Sequence[OpenInvoice]) -> tuple[ReferencePattern, ...]:
    found: dict[tuple[int, str, str], None] = {}
    for mention in extract_mentions(line_texts(line)):
        if not mention.label:
            continue
        for invoice in chosen:
            form = _form(mention, invoice)
            if form:
                found[(invoice.customer_id, mention.label, form)] = None
    return tuple(ReferencePattern(c, label, form) for c, label, form in found)


def learn(
    line: BankLine,
    chosen: Sequence[OpenInvoice],
    customers: Mapping[int, CustomerProfile],
    own_accounts: Iterable[str] = (),
) -> Lessons:
    """The lessons of a person matching `line` to the `chosen` invoices by hand.

    Nothing is learned when the invoices belong to unrelated customers (the payer is then
    unclear), and nothing the engine already knows is repeated.
    """
    payer = _payer(chosen, customers) if chosen else None
    if payer is None or payer not in customers:
        return Lessons()
    profile = customers[payer]
    return Lessons(
        aliases=_alias(line, profile),
        accounts=_account(line, profile, own_accounts),
        patterns=_patterns(line, chosen),
    )


def with_lessons(
    customers: Iterable[CustomerProfile], lessons: Iterable[Lessons]
) -> list[CustomerProfile]:
    """Customer profiles with the learned aliases and accounts added (for a new engine)."""
    aliases: dict[int, list[str]] = {}
    accounts: dict[int, list[str]] = {}
    for lesson in lessons:
        for alias in lesson.aliases:
            aliases.setdefault(alias.customer_id, []).append(alias.name)
        for account in lesson.accounts:
            accounts.setdefault(account.customer_id, []).append(account.account)
    return [
        replace(
            c,
            aliases=tuple(dict.fromkeys((*c.aliases, *aliases.get(c.customer_id, ())))),
            ibans=tuple(dict.fromkeys((*c.ibans, *accounts.get(c.customer_id, ())))),
        )
        for c in customers
    ]
