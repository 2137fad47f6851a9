"""Which of a customer's open items add up to a payment that names none of them.

A subset-sum search in integer minor units, meet-in-the-middle by size: singles, pairs and
triples by hash lookup of the missing amount, quadruples as pair plus pair. Beyond
`max_items` only contiguous runs in due-date order are tried (customers pay their oldest
invoices in one run). The search stops at the smallest size that has a solution and after
`limit` distinct solutions, because two solutions already mean "ask a person".

`expected_coincidences` says how many other subsets of that size would hit the same total
by chance (a normal approximation of the distribution of subset sums, widened by the
amounts' common divisor: round amounts collide far more often). A unique solution where
many coincidences are expected proves little.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from itertools import accumulate

Solution = tuple[int, ...]
SIZE_PRIOR = {1: 1.0, 2: 0.5, 3: 0.0, 4: -1.0}
RUN_PRIOR = 0.5
MAX_WEIGHT = 6.0


class _Collector:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: list[Solution] = []

    def add(self, positions: Sequence[int]) -> bool:
        """Record a solution; True once the limit is reached."""
        solution = tuple(sorted(positions))
        if solution not in self.found:
            self.found.append(solution)
        return len(self.found) >= self.limit


Usable = list[tuple[int, int]]


def _exact(usable: Usable, target: int, max_items: int, out: _Collector) -> None:
    """Pairs, triples and quadruples by hash lookups, stopping at the first size that fits."""
    by_amount: dict[int, list[int]] = {}
    for position, amount in usable:
        by_amount.setdefault(amount, []).append(position)
    n = len(usable)
    find = by_amount.get
    for p, a in usable:
        for q in find(target - a, ()):
            if q > p and out.add((p, q)):
                return
    if out.found or max_items < 3:
        return
    for i in range(n):
        p, a = usable[i]
        rest = target - a
        for q, b in usable[i + 1 :]:
            thirds = find(rest - b)
            if thirds is not None:
                for r in thirds:
                    if r > q and out.add((p, q, r)):
                        return
    if out.found or max_items < 4:
        return
    pairs: dict[int, list[tuple[int, int]]] = {}
    for i in range(n):
        p, a = usable[i]
        for j in range(i + 1, n):
            q, b = usable[j]
            pairs.setdefault(a + b, []).append((p, q))
    for total, firsts in pairs.items():
        seconds = pairs.get(target - total, ())
        for p, q in firsts:
            for r, t in seconds:
                if r > q and out.add((p, q, r, t)):
                    return


def _close_pairs(usable: Usable, low: int, high: int, out: _Collector) -> None:
    """Pairs summing into [low, high], by binary search over the sorted amounts."""
    ordered = sorted((amount, position) for position, amount in usable)
    keys = [amount for amount, _ in ordered]
    for p, a in usable:
        start = bisect.bisect_left(keys, low - a)
        stop = bisect.bisect_right(keys, high - a)
        for _, q in ordered[start:stop]:
            if q > p and out.add((p, q)):
                return


def _windows(amounts: Sequence[int], low: int, high: int, sizes: range, out: _Collector) -> None:
    """Contiguous runs (in the caller's due-date order) of the given sizes."""
    prefix = [0, *accumulate(amounts)]
    for size in sizes:
        for start in range(len(amounts) - size + 1):
            total = prefix[start + size] - prefix[start]
            if low <= total <= high and out.add(tuple(range(start, start + size))):
                return


def find_subsets(
    amounts: Sequence[int],
    target: int,
    *,
    max_items: int,
    window_items: int,
    slack: int = 0,
    limit: int = 2,
) -> list[Solution]:
    """Up to `limit` position tuples whose amounts sum to [target, target + slack].

    Positions index `amounts`, which the caller orders oldest first; only positive amounts
    take part. Solutions of the smallest size found are returned. With a slack, only single
    items and pairs are searched: wider tolerant fits are too often coincidences to use.
    """
    low, high = target, target + slack
    usable = [(p, a) for p, a in enumerate(amounts) if 0 < a <= high]
    out = _Collector(limit)
    for position, amount in usable:
        if amount >= low and out.add((position,)):
            break
    if not out.found and max_items >= 2:
        if slack:
            _close_pairs(usable, low, high, out)
        else:
            _exact(usable, target, min(max_items, 4), out)
    if not out.found and window_items > max_items:
        capped = [a if 0 < a <= high else high + 1 for a in amounts]
        _windows(capped, low, high, range(max_items + 1, window_items + 1), out)
    return out.found


def _coincidences(
    amounts: Sequence[int], target: int, size: int, slack: int, others: int, grain: int
) -> float:
    n = len(amounts)
    if others <= 0 or n < size:
        return 0.0
    mean = sum(amounts) / n
    variance = sum((a - mean) ** 2 for a in amounts) / n
    spread = math.sqrt(size * variance * (n - size) / (n - 1)) if n > 1 else 0.0
    centre = target + slack / 2 - size * mean
    if spread < grain:
        return float(others) if abs(centre) <= slack / 2 + grain / 2 else 0.0
    density = math.exp(-0.5 * (centre / spread) ** 2) / (spread * math.sqrt(2 * math.pi))
    return others * density * (slack + grain)


def _local(pool: list[int], target: int, size: int, slack: int, grain: int) -> float:
    """Coincidences of singles or pairs counted near the target (amounts are skewed, so the
    overall spread misjudges how crowded the neighbourhood of a given total is)."""
    width = max(5_000, target // 10)
    low, high = target - width, target + slack + width
    if size == 1:
        count = bisect.bisect_right(pool, high) - bisect.bisect_left(pool, low)
    else:
        count = sum(
            bisect.bisect_right(pool, high - a, i + 1) - bisect.bisect_left(pool, low - a, i + 1)
            for i, a in enumerate(pool)
        )
    return (max(count - 1, 0) + 0.5) * (slack + grain) / (high - low + 1)


def expected_coincidences(
    amounts: Sequence[int], target: int, size: int, slack: int = 0, windows: bool = False
) -> float:
    """Expected number of other `size`-subsets (or runs) summing to [target, target + slack].

    Singles and pairs are counted in the target's neighbourhood; bigger picks and runs use a
    normal approximation. Round targets are checked again among the round amounts alone:
    whole-euro invoices sum to whole-euro totals a hundred times more often.
    """
    worst = 0.0
    for grain in (1, 100, 10_000):
        if grain > 1 and (target % grain or slack >= grain):
            break
        pool = sorted(a for a in amounts if a % grain == 0)
        if len(pool) < size:
            break
        if size <= 2 and not windows:
            worst = max(worst, _local(pool, target, size, slack, grain))
            continue
        others = (len(pool) - size if windows else math.comb(len(pool), size)) - 1
        worst = max(worst, _coincidences(pool, target, size, slack, others, grain))
    return worst


def is_run(solution: Solution) -> bool:
    """Consecutive positions: in due-date order, a payment run of the oldest items."""
    return len(solution) > 1 and solution[-1] - solution[0] == len(solution) - 1


def surprise(
    amounts: Sequence[int],
    target: int,
    solution: Solution,
    slack: int = 0,
    run: bool | None = None,
) -> float:
    """Log-odds that a unique fit is no coincidence: its size's prior over the chance fits.

    `run` overrides whether the fit counts as a payment run (None: it does if consecutive).
    """
    run = is_run(solution) if run is None else run
    chance = expected_coincidences(amounts, target, len(solution), slack, windows=run)
    prior = RUN_PRIOR if run else SIZE_PRIOR.get(len(solution), RUN_PRIOR)
    return min(MAX_WEIGHT, -math.log(max(chance, 1e-12)) + prior)
