"""Seeded, reproducible cash-application scenarios with ground truth.

A world of customers and open invoices (`world.py`), then bank lines of the kinds an AR team
sees every morning, in realistic proportions (`kinds.py`): exact and mangled references,
multi-invoice payments with and without references, short pays with reasons (some with an
X12 820 advice), early-payment discounts (some taken too late), overpayments, bank charges,
parents paying for subsidiaries, PO-only references, equal amounts nobody can tell apart,
and credits and debits that are no customer payment at all (`unrelated.py`). Who pays is
drawn independently (`draw.py`): a known IBAN, a new account, a bank-styled, truncated or
mistyped name, a trading name, no name at all.

The truth is what happened, settled by the company's policy: the invoices paid, the
discount, the write-off or deduction, the rest on account. A line is `matchable` when a
careful clerk could settle it from the line and the ledger alone; for the rest (no reference
and an unknown payer, two equal open amounts, no customer payment) the right answer is to
leave it to a person, and applying it counts as an error.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.cashapp.draw import Drawer, Expected
from bench.cashapp.kinds import KINDS
from bench.cashapp.world import build_world

from o2c.cashapp.model import CustomerProfile, MatchPolicy, OpenInvoice
from o2c.formats.remittance import Remittance
from o2c.formats.statement import BankLine


@dataclass(frozen=True)
class Case:
    """One bank line, the remittance linked to it (if any) and what should happen to it."""

    kind: str
    line: BankLine
    remittance: Remittance | None
    expected: Expected


@dataclass(frozen=True)
class Scenario:
    customers: tuple[CustomerProfile, ...]
    invoices: tuple[OpenInvoice, ...]
    cases: tuple[Case, ...]
    own_accounts: tuple[str, ...]
    policy: MatchPolicy

    @property
    def remittances(self) -> dict[str, Remittance]:
        return {c.line.bank_ref: c.remittance for c in self.cases if c.remittance is not None}


def generate(lines: int, invoices: int, seed: int, policy: MatchPolicy | None = None) -> Scenario:
    """`lines` bank lines against a world of about `invoices` open items, from `seed`."""
    policy = policy or MatchPolicy()
    rng = random.Random(seed)
    world = build_world(invoices, rng)
    drawer = Drawer(world, rng, policy)
    names = [name for name, _, _ in KINDS]
    weights = [weight for _, weight, _ in KINDS]
    functions = {name: function for name, _, function in KINDS}
    cases: list[Case] = []
    while len(cases) < lines:
        for _ in range(20):
            kind = rng.choices(names, weights=weights)[0]
            made = functions[kind](drawer)
            if made is not None:
                break
        else:
            raise RuntimeError("no kind of line can be drawn: ask for more invoices per line")
        line, remittance, expected = made
        cases.append(Case(kind, line, remittance, expected))
    return Scenario(
        customers=tuple(c.profile for c in world.customers),
        invoices=tuple(world.invoices),
        cases=tuple(cases),
        own_accounts=world.own_accounts,
        policy=policy,
    )
