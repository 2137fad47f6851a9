"""Readings of a line that names nothing: which of the payer's open items its amount settles.

Three searches over the payer family's open items, oldest due date first: the open amounts
exactly, the amounts after every discount still within terms, and the open amounts within
the write-off tolerance. Each unique fit is weighed by how many other combinations of its
size would have fitted by chance; a run of consecutive items in due-date order (a payment
run) is far less likely to fit by chance than an arbitrary pick. Combinations that differ
only by swapping items of equal amount are one reading, settled oldest first; a single
payment matching two equal items stays two readings, for a person to choose.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from o2c.cashapp.decide import PAYER_CAP, LineReader
from o2c.cashapp.fitting import EQUAL, Item, discount_allowed, fit_amount
from o2c.cashapp.scoring import Evidence, Hypothesis
from o2c.cashapp.subset import Solution, find_subsets, is_run, surprise

SEARCH_LIMIT = 4
SLACK_PRIOR = -3.0
INCOMPLETE = -1.0
LOOKALIKE = -1.5
MAX_COMBINATIONS = 40_000
IGNORES_REFERENCE = -4.0
SLACK_ITEMS = 2


@dataclass(frozen=True, slots=True)
class Search:
    amounts: list[int]
    slack: int
    max_items: int
    run_items: int


def twin(solution: Solution, amounts: Sequence[int]) -> Solution | None:
    """The same fit with one item swapped for another open item of the same amount, if any:
    nothing in the line says which of the two the payer meant."""
    inside = set(solution)
    for position in solution:
        for other, amount in enumerate(amounts):
            if amount == amounts[position] and other not in inside:
                return tuple(sorted((inside - {position}) | {other}))
    return None


def affordable(count: int, max_items: int) -> int:
    """The largest arbitrary pick worth searching among `count` items.

    Beyond ~40,000 candidate combinations a unique fit is no evidence (many would fit by
    chance), so bigger picks are left to runs and to a person; this also bounds the work.
    """
    size = 1
    while size < max_items and math.comb(count, size + 1) <= MAX_COMBINATIONS:
        size += 1
    return size


class AmountReader:
    """The amount-only readings for one line, per identified payer.

    `named` holds the open items the text references (the payer's, or anyone's by a full
    number): a reading leaving one out is much less likely. A payer known only by a similar
    name is a weak base for such readings: a supplier of a similar name is no rarity.
    """

    def __init__(self, reader: LineReader, named: set[int]) -> None:
        self.reader = reader
        self.policy = reader.policy
        self.scene = reader.scene
        self.named = named

    def hypotheses(self) -> list[Hypothesis]:
        out: list[Hypothesis] = []
        for root in self.scene.roots[:3]:
            items = self.reader.family_items(root.customer_id)
            if items:
                weight = min(root.weight, PAYER_CAP)
                weight += LOOKALIKE if root.how == "fuzzy" else 0.0
                payer = Evidence(root.reason, weight)
                out.extend(self._combinations(root.customer_id, items, payer))
        return out

    def _searches(self, items: Sequence[Item]) -> Iterator[Search]:
        policy, scene = self.policy, self.scene
        opens = [i.open_minor for i in items]
        yield Search(opens, 0, policy.subset_max_items, policy.window_max_items)
        discounted = [
            i.open_minor - i.invoice.discount_minor
            if 0 < i.invoice.discount_minor < i.open_minor
            and discount_allowed(i.invoice, scene.paid_on, policy)
            else i.open_minor
            for i in items
        ]
        if discounted != opens:
            yield Search(discounted, 0, policy.subset_max_items, policy.window_max_items)
        yield Search(opens, policy.writeoff_minor, SLACK_ITEMS, 0)

    def _combinations(
        self, payer_id: int, items: Sequence[Item], payer: Evidence
    ) -> list[Hypothesis]:
        found: list[tuple[Search, Solution]] = []
        opens = [i.open_minor for i in items]
        smallest = SEARCH_LIMIT + 1
        for search in self._searches(items):
            if search.slack and smallest <= 2:
                break
            solutions = find_subsets(
                search.amounts,
                self.scene.amount,
                max_items=affordable(len(items), search.max_items),
                window_items=search.run_items,
                slack=search.slack,
                limit=SEARCH_LIMIT,
            )
            for solution in solutions:
                found.append((search, solution))
                for swapped in (twin(solution, search.amounts), twin(solution, opens)):
                    if swapped is not None:
                        found.append((search, swapped))
            smallest = min([smallest, *(len(s) for s in solutions)])
        readings = {s for _, s in found}
        out = []
        for search, solution in found:
            doubt = twin(solution, search.amounts) or twin(solution, opens)
            run = False if doubt else None
            weight = surprise(search.amounts, self.scene.amount, solution, search.slack, run)
            weight += SLACK_PRIOR if search.slack else 0.0
            if affordable(len(items), self.policy.subset_max_items) < self.policy.subset_max_items:
                weight += INCOMPLETE
            reading = self._reading(payer_id, items, payer, search, solution, len(readings), weight)
            if reading is not None:
                out.append(reading)
        return out

    def _reading(
        self,
        payer_id: int,
        items: Sequence[Item],
        payer: Evidence,
        search: Search,
        solution: Solution,
        rivals: int,
        weight: float,
    ) -> Hypothesis | None:
        scene = self.scene
        chosen = [items[p] for p in solution]
        fit = fit_amount(chosen, scene.amount, scene.paid_on, self.policy, scene.said)
        if fit.deduction_minor or fit.on_account_minor:
            return None
        only = "the only" if rivals == 1 else "one of several"
        shape = "a run of the oldest" if is_run(solution) else "a choice of"
        text = (
            f"no reference; {self.reader.names(chosen)}: {only} fit, {shape} "
            f"{len(chosen)} among {len(items)} open items"
        )
        owners = {i.invoice.customer_id for i in chosen}
        customer = owners.pop() if len(owners) == 1 else payer_id
        evidence = [payer, Evidence(text, weight)]
        if not self.named <= {i.index for i in chosen}:
            evidence.append(Evidence("but the text names another open item", IGNORES_REFERENCE))
        return self.reader.hypothesis(customer, fit, evidence, fit_weight=-EQUAL)
