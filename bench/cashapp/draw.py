"""Drawing payments from the world: which customer pays, how it shows up, what it paid.

`Drawer` remembers which invoices earlier lines already paid, so every invoice is paid at
most once across a scenario, and builds the `BankLine`s in statement order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bench.cashapp import mangling
from bench.cashapp.mangling import bank_name, reference, wrap
from bench.cashapp.world import AS_OF, Customer, World, brand, iban

from o2c.cashapp.model import Allocation, MatchPolicy, MatchStatus, OpenInvoice
from o2c.formats.remittance import Remittance
from o2c.formats.statement import BankLine, StructuredRef

PRESENTATIONS = (
    ("iban_known", 62),
    ("name_only", 14),
    ("truncated", 6),
    ("alias_known", 5),
    ("alias_unknown", 4),
    ("no_name", 3),
    ("misspelled", 6),
)


@dataclass(frozen=True)
class Expected:
    """What a careful clerk would do with the line."""

    matchable: bool
    status: MatchStatus
    allocations: tuple[Allocation, ...] = ()
    deduction_minor: int = 0
    on_account_minor: int = 0


Made = tuple[BankLine, Remittance | None, Expected]


@dataclass(frozen=True)
class Payer:
    """The payer as the statement shows it; `identifiable` if a clerk could tell who it is."""

    name: str
    account: str
    identifiable: bool


def money(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def paid_in_full(invoices: list[OpenInvoice]) -> tuple[Allocation, ...]:
    return tuple(Allocation(inv.item_id, inv.open_minor) for inv in invoices)


def creditor_reference(number: str) -> str:
    """ISO 11649 RF reference carrying the invoice number's digits."""
    payload = "".join(ch for ch in number if ch.isdigit())
    numeric = "".join(str(int(ch, 36)) for ch in payload + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{payload}"


class Drawer:
    """Random but reproducible draws of customers, payers, dates and bank lines."""

    def __init__(self, world: World, rng: random.Random, policy: MatchPolicy) -> None:
        self.world = world
        self.rng = rng
        self.policy = policy
        self.used: set[int] = set()
        self.pool = [inv.item_id for inv in world.invoices]
        rng.shuffle(self.pool)
        self.owner = {inv.item_id: world.by_id[inv.customer_id] for inv in world.invoices}
        self.count = 0

    def fresh_customer(self, need: int = 1) -> Customer | None:
        """The owner of a random unpaid invoice (so customers with more invoices pay more)."""
        for _ in range(50):
            while self.pool and self.pool[-1] in self.used:
                self.pool.pop()
            if not self.pool:
                return None
            customer = self.owner[self.rng.choice(self.pool[-200:])]
            if len(self.unpaid(customer)) >= need:
                return customer
        return None

    def unpaid(self, customer: Customer) -> list[OpenInvoice]:
        items = [inv for inv in customer.invoices if inv.item_id not in self.used]
        return sorted(items, key=lambda inv: (inv.due_date, inv.number))

    def family_unpaid(self, customer: Customer) -> list[OpenInvoice]:
        cid = customer.profile.customer_id
        members = [cid, *self.world.children.get(cid, [])]
        return [inv for member in members for inv in self.unpaid(self.world.by_id[member])]

    def pay(self, invoices: list[OpenInvoice]) -> None:
        self.used.update(inv.item_id for inv in invoices)

    def unknown_account(self, customer: Customer) -> str:
        unknown = [a for a in customer.accounts if a not in customer.profile.ibans]
        return self.rng.choice(unknown) if unknown else iban(customer.country, self.rng)

    def present(self, customer: Customer) -> Payer:
        """How the payer shows up on the statement: account and name field."""
        rng, profile = self.rng, customer.profile
        how = weighted(rng, PRESENTATIONS)
        if how == "iban_known" and profile.ibans:
            return Payer(bank_name(profile.name, rng), rng.choice(profile.ibans), True)
        account = self.unknown_account(customer)
        if how == "truncated":
            return Payer(mangling.truncated(profile.name, rng), account, True)
        if how == "alias_known" and profile.aliases:
            return Payer(bank_name(profile.aliases[0], rng), account, True)
        if how == "alias_unknown":
            unrecorded = customer.trading_name not in ("", *profile.aliases)
            name = customer.trading_name if unrecorded else f"{brand(rng)} Store"
            return Payer(name.upper(), account, False)
        if how == "no_name":
            return Payer("", account, False)
        if how == "misspelled":
            return Payer(mangling.misspelled(profile.name, rng), account, True)
        return Payer(bank_name(profile.name, rng), account, True)

    def paid_on(self, invoices: list[OpenInvoice]) -> date:
        """A day around the due dates, never after the statement date."""
        start = max(inv.due_date for inv in invoices) - timedelta(days=40)
        day = start + timedelta(days=self.rng.randrange(0, 60))
        return min(AS_OF + timedelta(days=5), day)

    def line(
        self,
        amount: int,
        currency: str,
        payer: Payer,
        text: str,
        on: date,
        refs: tuple[StructuredRef, ...] = (),
        e2e: str = "",
    ) -> BankLine:
        self.count += 1
        if not e2e:
            e2e = "NOTPROVIDED" if self.rng.random() < 0.75 else f"E2E{self.rng.randrange(10**9)}"
        return BankLine(
            bank_ref=f"BL{self.count:08d}",
            booking_date=on,
            value_date=on,
            amount=money(amount),
            currency=currency,
            counterparty_name=payer.name,
            counterparty_account=payer.account,
            remittance_text=text,
            structured_refs=refs,
            end_to_end_id=e2e,
            transaction_code="PMNT-RCDT-ESCT" if amount > 0 else "PMNT-ICDT-ESCT",
        )

    def ref_text(self, customer: Customer, invoice: OpenInvoice, form: str, on: date) -> str:
        """The invoice number in the given form, wrapped in the payer's words."""
        written = reference(invoice, form, self.rng)
        amount = f"{money(invoice.open_minor)}"
        return wrap(written, self.rng, customer.profile.code, on, amount)
