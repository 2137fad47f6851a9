"""The matching engine: built once per run from the customers and open items, then asked
line by line which invoices each bank line pays.

The pipeline per line, each step leaving its words in the reason: gate out what is no
customer payment (debits, reversals, pending entries, transfers between own accounts);
identify the payer; read the remittance advice when one is linked; read the references in
the text; match the amount against the payer's open items when no reference settles it;
score every reading and apply the best only when it clears the threshold and no other
reading is as plausible. `match_all` also lowers the open amounts as it applies, so two
lines never settle the same cash twice.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from o2c.cashapp.advice import AdviceReader
from o2c.cashapp.candidates import InvoiceIndex
from o2c.cashapp.combinations import AmountReader
from o2c.cashapp.decide import LineReader, Scene
from o2c.cashapp.model import (
    CustomerProfile,
    MatchDecision,
    MatchPolicy,
    MatchStatus,
    OpenInvoice,
    ReferencePattern,
)
from o2c.cashapp.normalize import account_key, compact_text
from o2c.cashapp.payer import PayerIndex, PayerMatch
from o2c.cashapp.scoring import Hypothesis, decide
from o2c.formats.remittance import Remittance
from o2c.formats.statement import BankLine
from o2c.kernel.currency import is_currency, minor_units

PARENT_DISCOUNT = 0.3


def amount_minor(amount: Decimal, currency: str) -> int:
    """A bank amount in minor units of its currency, half-up past the currency's precision."""
    scaled = amount.scaleb(minor_units(currency))
    return int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Bulk work that creates no reference cycles runs without the cyclic collector.

    With a million open items alive, every full collection walks all of them, and building
    the indexes or deciding a day's lines would trigger several; reference counting alone
    frees everything this code allocates. The collector's previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unmatched(reason: str) -> MatchDecision:
    return MatchDecision(MatchStatus.UNMATCHED, None, (), 0, "", 0, 0.0, reason)


class Engine:
    """Matches bank lines to open items; pure, so the same inputs give the same decisions."""

    def __init__(
        self,
        customers: Iterable[CustomerProfile],
        invoices: Sequence[OpenInvoice],
        *,
        policy: MatchPolicy | None = None,
        patterns: Iterable[ReferencePattern] = (),
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.policy = policy or MatchPolicy()
        with without_cycle_collector():
            self.payers = PayerIndex(customers, self.policy.fuzzy_min_score)
            self.index = InvoiceIndex(invoices, patterns)
        self._own = {account_key(a) for a in own_accounts}
        self._positions: dict[int, int] | None = None

    def _gate(self, line: BankLine) -> str:
        """Why a line is no customer payment at all, or "" when it may be one."""
        if not line.booked:
            return "pending entry: cash is applied to booked lines only"
        if line.is_reversal:
            return "reversal of an earlier entry"
        if line.amount <= 0:
            return "a debit, not a customer payment"
        if line.counterparty_account and account_key(line.counterparty_account) in self._own:
            return "transfer between own accounts"
        if not is_currency(line.currency):
            return f"unknown currency {line.currency!r}"
        return ""

    def _scope(self, roots: Sequence[PayerMatch]) -> tuple[dict[int, PayerMatch], dict[int, int]]:
        """Every customer the payer may settle for (itself and, a little less surely, its
        subsidiaries), and the head of the family each belongs to."""
        scope: dict[int, PayerMatch] = {}
        heads: dict[int, int] = {}
        for root in roots:
            for member in self.payers.family(root.customer_id):
                match = root
                if member != root.customer_id:
                    reason = f"{root.reason}, parent of {self.payers.code(member)}"
                    match = PayerMatch(member, "parent", root.weight - PARENT_DISCOUNT, reason)
                current = scope.get(member)
                if current is None or current.weight < match.weight:
                    scope[member] = match
                    heads[member] = root.customer_id
        return scope, heads

    def _scene(self, line: BankLine) -> Scene:
        amount = amount_minor(line.amount, line.currency)
        roots = self.payers.identify(line)
        texts = [line.remittance_text, line.end_to_end_id, *(r.value for r in line.structured_refs)]
        said = " ".join(t for t in texts if t)
        scope, heads = self._scope(roots)
        return Scene(
            line=line,
            amount=amount,
            paid_on=line.value_date or line.booking_date,
            said=said,
            compact=compact_text(said),
            roots=roots,
            scope=scope,
            heads=heads,
        )

    def match(self, line: BankLine, remittance: Remittance | None = None) -> MatchDecision:
        """Decide one line; `remittance` is the advice linked to it (by trace or amount)."""
        gate = self._gate(line)
        if gate:
            return _unmatched(gate)
        scene = self._scene(line)
        reader = LineReader(self.index, self.payers, self.policy, scene)
        hypotheses: list[Hypothesis] = []
        if remittance is not None and remittance.items:
            advised = AdviceReader(reader, remittance).hypothesis()
            if advised is not None:
                hypotheses.append(advised)
        hits = reader.hits()
        hypotheses += reader.by_reference(hits)
        explained = any(
            h.customer_id in scene.scope and not h.deduction_minor and not h.on_account_minor
            for h in hypotheses
        ) or any(h.quality.strong and reader.in_scope(h) for h in hits)
        if not explained:
            named = {h.index for h in hits if reader.in_scope(h) or h.quality.strong}
            hypotheses += AmountReader(reader, named).hypotheses()
        if not hypotheses:
            hypotheses += reader.guesses()
        why_not = (
            "no customer identified and no reference found"
            if not scene.roots
            else "payer identified, but no open item matches reference or amount"
        )
        return decide(hypotheses, self.policy.threshold, self.policy.suggestion_floor, why_not)

    def record(self, decision: MatchDecision) -> None:
        """Lower the open amounts by what an automatic decision settles (within this run).

        A deduction takes the rest of its invoices into dispute: out of later lines' reach.
        """
        if not decision.status.automatic:
            return
        if self._positions is None:
            self._positions = {inv.item_id: i for i, inv in enumerate(self.index.invoices)}
        for allocation in decision.allocations:
            position = self._positions.get(allocation.item_id)
            if position is not None:
                open_minor = self.index.open_minor[position]
                self.index.open_minor[position] = open_minor - allocation.settled_minor
                if decision.status is MatchStatus.DEDUCTION:
                    self.index.open_minor[position] = 0

    def match_all(
        self, lines: Iterable[BankLine], remittances: Mapping[str, Remittance] | None = None
    ) -> list[MatchDecision]:
        """Decide lines in order, each seeing the open items the earlier ones left.

        `remittances` maps a line's `bank_ref` to the advice linked to it.
        """
        advice = remittances or {}
        decisions = []
        with without_cycle_collector():
            for line in lines:
                decision = self.match(line, advice.get(line.bank_ref))
                self.record(decision)
                decisions.append(decision)
        return decisions
