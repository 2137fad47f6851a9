"""The readings of one bank line from the references it carries.

References are read within the payer's family first; another customer's invoice counts only
when the reference is strong (a full number, a PO only that customer uses, several serials
landing on it), and even then the payer's known identity weighs against it. Each reading
settles the amount against the invoices it names (`fitting`); when that leaves a shortfall
or a surplus, the named invoices' sub-combinations and completions by unnamed ones compete.
`LineReader` also holds what every reading needs: the scene, the open items, the evidence
that a named invoice was already settled earlier in the run. Readings from the amount alone
live in `combinations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from o2c.cashapp.candidates import Hit, InvoiceIndex, Quality
from o2c.cashapp.fitting import EQUAL, Fit, Item, fit_amount
from o2c.cashapp.model import MatchPolicy
from o2c.cashapp.payer import PayerIndex, PayerMatch
from o2c.cashapp.references import Mention, extract_mentions, line_texts
from o2c.cashapp.scoring import Evidence, Hypothesis
from o2c.cashapp.subset import find_subsets, surprise
from o2c.formats.statement import BankLine

QUALITY_WEIGHT = {
    Quality.CERTIFIED: 7.0,
    Quality.EXACT: 6.0,
    Quality.DIGITS: 5.5,
    Quality.STRIPPED: 5.0,
    Quality.LEARNED: 5.0,
    Quality.PO: 4.0,
    Quality.TAIL: 3.5,
    Quality.TRANSPOSED: 2.0,
}
PAYER_CAP = 3.0
STRONG_PAYER = 2.5
CONFLICT = -2.5
WEAK_ELSEWHERE = -3.0
RESEMBLES = 1.0
RESEMBLANCE = 85.0
PARTIAL_REFERENCES = -0.5
UNCONFIRMED = -2.0
SETTLED_NAMED = -4.0
GUESS = -3.0
MAX_CUSTOMERS = 5
MAX_NAMED = 3


@dataclass(slots=True)
class Scene:
    """What is known about the line before any hypothesis: amount, date, text and payer."""

    line: BankLine
    amount: int
    paid_on: date | None
    said: str
    compact: str
    roots: list[PayerMatch]
    scope: dict[int, PayerMatch]
    heads: dict[int, int]


class LineReader:
    """Builds the hypotheses for one line against the indexes (one instance per line)."""

    def __init__(
        self, index: InvoiceIndex, payers: PayerIndex, policy: MatchPolicy, scene: Scene
    ) -> None:
        self.index = index
        self.payers = payers
        self.policy = policy
        self.scene = scene
        self.settled_named: list[str] = []

    def item(self, index: int) -> Item:
        return Item(index, self.index.invoices[index], self.index.open_minor[index])

    def usable(self, index: int) -> bool:
        return (
            self.index.open_minor[index] > 0
            and self.index.invoices[index].currency == self.scene.line.currency
        )

    def family_items(self, customer_id: int) -> list[Item]:
        """Open items of the customer and its subsidiaries, oldest due date first."""
        members = self.payers.family(customer_id)
        invoices, open_minor = self.index.invoices, self.index.open_minor
        currency = self.scene.line.currency
        indices = [
            i
            for c in members
            for i in self.index.of_customer(c)
            if open_minor[i] > 0 and invoices[i].currency == currency
        ]
        if len(members) > 1:
            indices.sort(
                key=lambda i: (invoices[i].due_date, invoices[i].number, invoices[i].item_id)
            )
        return [Item(i, invoices[i], open_minor[i]) for i in indices]

    def names(self, items: Sequence[Item]) -> str:
        numbers = [i.invoice.number for i in items[:MAX_NAMED]]
        more = f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else ""
        return ", ".join(numbers) + more

    def hypothesis(
        self, customer_id: int, fit: Fit, evidence: Iterable[Evidence], fit_weight: float = 0.0
    ) -> Hypothesis:
        own = Evidence(fit.evidence.text, fit.evidence.weight + fit_weight)
        doubts = []
        if self.settled_named:
            named = ", ".join(self.settled_named)
            doubts.append(Evidence(f"but {named} named, already settled", SETTLED_NAMED))
        return Hypothesis(
            customer_id,
            fit.allocations,
            (*evidence, own, *doubts),
            fit.deduction_minor,
            fit.deduction_reason,
            fit.on_account_minor,
        )

    # references ------------------------------------------------------------------------

    def hits(self) -> list[Hit]:
        """Usable invoice hits of the line's mentions; a longer mention silences its parts."""
        line = self.scene.line
        structured = [r.value for r in line.structured_refs if r.kind == "RF" and r.valid]
        texts = line_texts(line) + [
            r.value for r in line.structured_refs if not (r.kind == "RF" and r.valid)
        ]
        mentions = extract_mentions(texts, structured)
        looked_up = [(m, self.index.lookup(m, self.scene.compact)) for m in mentions]
        usable = self.usable
        found = [(m, [h for h in hits if usable(h.index)]) for m, hits in looked_up]
        self.settled_named = sorted(
            {
                self.index.invoices[h.index].number
                for _, hits in looked_up
                for h in hits
                if h.quality.strong and self._settled_in_this_run(h.index)
            }
        )
        hitting = [m for m, hits in found if hits]
        kept = [
            h for m, hits in found if not any(other.covers(m) for other in hitting) for h in hits
        ]
        if self.scene.scope and not any(self.in_scope(h) for h in kept):
            kept += self._transposed([m for m, hits in found if not hits])
        return kept

    def _settled_in_this_run(self, index: int) -> bool:
        return self.index.open_minor[index] <= 0 < self.index.invoices[index].open_minor

    def in_scope(self, hit: Hit) -> bool:
        return self.index.invoices[hit.index].customer_id in self.scene.scope

    def _transposed(self, mentions: Sequence[Mention]) -> list[Hit]:
        return [
            h
            for m in mentions
            for h in self.index.transposed(m)
            if self.usable(h.index) and self.in_scope(h)
        ]

    def head(self, customer: int) -> int:
        """Whose family a referenced invoice belongs to: the paying group's head in scope,
        else the customer's own parent, so one payment for several subsidiaries stays one
        reading."""
        match = self.scene.scope.get(customer)
        if match is not None:
            return self.scene.heads.get(customer, customer)
        profile = self.payers.customers.get(customer)
        return profile.parent_id if profile and profile.parent_id is not None else customer

    def by_reference(self, hits: Sequence[Hit]) -> list[Hypothesis]:
        per_family: dict[int, dict[int, Hit]] = {}
        for hit in hits:
            family = self.head(self.index.invoices[hit.index].customer_id)
            best = per_family.setdefault(family, {})
            if hit.index not in best or best[hit.index].quality < hit.quality:
                best[hit.index] = hit
        ranked = sorted(
            per_family.items(),
            key=lambda kv: (-(kv[0] in self.scene.scope), -max(h.quality for h in kv[1].values())),
        )
        reach: dict[Mention, set[int]] = {}
        for family, best in per_family.items():
            for hit in best.values():
                reach.setdefault(hit.mention, set()).add(family)
        out: list[Hypothesis] = []
        for family, best in ranked[:MAX_CUSTOMERS]:
            unique = all(len(reach[h.mention]) == 1 for h in best.values())
            chunks = {h.mention.chunk for h in best.values()}
            out.extend(self._from_references(family, list(best.values()), unique, len(chunks)))
        return out

    def _from_references(
        self, family: int, hits: list[Hit], unique: bool, independent: int
    ) -> list[Hypothesis]:
        items = sorted(
            (self.item(h.index) for h in hits),
            key=lambda i: (i.invoice.due_date, i.invoice.number, i.invoice.item_id),
        )
        owners = {i.invoice.customer_id for i in items}
        customer = next(iter(owners)) if len(owners) == 1 else family
        quality = min(h.quality for h in hits)
        base = [
            self._reference_evidence(hits, quality),
            *self._customer_evidence(customer, quality, unique, independent),
        ]
        if len(owners) > 1:
            codes = ", ".join(self.payers.code(c) for c in sorted(owners - {family}))
            base.append(Evidence(f"paying for its subsidiaries {codes}", 0.0))
        s = self.scene
        fit = fit_amount(items, s.amount, s.paid_on, self.policy, s.said)
        if (fit.deduction_minor or fit.on_account_minor) and customer not in s.scope:
            base.append(Evidence("amount differs and the payer is unconfirmed", UNCONFIRMED))
        out = [self.hypothesis(customer, fit, base)]
        if (fit.deduction_minor or fit.on_account_minor) and len(items) > 1:
            out += self._subsets_of(customer, items, base)
        if fit.on_account_minor and customer in s.scope:
            out += self._completions(customer, items, base)
        return out

    def _reference_evidence(self, hits: Sequence[Hit], quality: Quality) -> Evidence:
        parts = []
        for hit in sorted(hits, key=lambda h: -h.quality)[:MAX_NAMED]:
            inv = self.index.invoices[hit.index]
            if hit.quality is Quality.EXACT:
                parts.append(f"{inv.number} in the text")
            elif hit.quality is Quality.PO:
                parts.append(f"{inv.number} found by PO number '{hit.mention.text}'")
            else:
                parts.append(f"{inv.number} found as '{hit.mention.text}' ({hit.quality.label})")
        if len(hits) > MAX_NAMED:
            parts.append(f"{len(hits) - MAX_NAMED} more referenced")
        return Evidence("; ".join(parts), QUALITY_WEIGHT[quality])

    def _customer_evidence(
        self, customer: int, quality: Quality, unique: bool, independent: int
    ) -> list[Evidence]:
        """What the payer says about the customer a reference points to.

        A reference to a customer the payer is not known as must be strong: a full number,
        a PO number no other customer uses, or several references that all land on it.
        """
        match = self.scene.scope.get(customer)
        if match is not None:
            return [Evidence(match.reason, min(match.weight, PAYER_CAP))]
        code = self.payers.code(customer)
        out = []
        roots = self.scene.roots
        if roots and roots[0].weight >= STRONG_PAYER:
            other = self.payers.code(roots[0].customer_id)
            out.append(Evidence(f"but the payer is known as {other}, not {code}", CONFLICT))
        elif self.payers.resemblance(self.scene.line.counterparty_name, customer) >= RESEMBLANCE:
            out.append(Evidence(f"payer name resembles {code}", RESEMBLES))
        if not (quality.strong or (quality is Quality.PO and unique) or independent > 1):
            out.append(Evidence("weak reference to an unconfirmed customer", WEAK_ELSEWHERE))
        return out

    def _subsets_of(
        self, customer: int, items: Sequence[Item], base: Sequence[Evidence]
    ) -> list[Hypothesis]:
        s = self.scene
        opens = [i.open_minor for i in items]
        solutions = find_subsets(
            opens, s.amount, max_items=len(items), window_items=0, limit=MAX_NAMED
        )
        out = []
        for solution in solutions:
            chosen = [items[p] for p in solution]
            fit = fit_amount(chosen, s.amount, s.paid_on, self.policy, s.said)
            note = Evidence(
                f"{len(chosen)} of the {len(items)} referenced invoices add up", PARTIAL_REFERENCES
            )
            out.append(self.hypothesis(customer, fit, [*base, note]))
        return out

    def _completions(
        self, customer: int, items: Sequence[Item], base: Sequence[Evidence]
    ) -> list[Hypothesis]:
        s = self.scene
        named = {i.index for i in items}
        others = [i for i in self.family_items(customer) if i.index not in named]
        rest = s.amount - sum(i.open_minor for i in items)
        opens = [i.open_minor for i in others]
        out = []
        for solution in find_subsets(opens, rest, max_items=2, window_items=0):
            extra = [others[p] for p in solution]
            weight = surprise(opens, rest, solution) + PARTIAL_REFERENCES
            note = Evidence(f"the rest pays {self.names(extra)} (not referenced)", weight)
            fit = fit_amount([*items, *extra], s.amount, s.paid_on, self.policy, s.said)
            out.append(self.hypothesis(customer, fit, [*base, note], fit_weight=-EQUAL))
        return out

    def guesses(self) -> list[Hypothesis]:
        """Nearest open items of an identified payer, for a person to look at first."""
        s = self.scene
        out: list[Hypothesis] = []
        for root in s.roots[:1]:
            items = [i for i in self.family_items(root.customer_id) if i.open_minor > s.amount]
            items.sort(key=lambda i: (i.open_minor - s.amount, i.invoice.due_date))
            payer = Evidence(root.reason, min(root.weight, PAYER_CAP))
            note = Evidence("no reference and no combination fits: nearest open item", GUESS)
            for item in items[:MAX_NAMED]:
                fit = fit_amount([item], s.amount, s.paid_on, self.policy, s.said)
                out.append(self.hypothesis(item.invoice.customer_id, fit, [payer, note]))
        return out
