"""When an invoice can next be acted on: what lets a dunning run read only the invoices that
can trigger something on its day.

Every time-triggered step acts on an invoice inside a window of days late: from
`days_before_due` days before the due date to the day before it, or from `days_after_due`
days after it on. So from an invoice's due date, the steps it already had and its
customer's segment, the first day on which a step could still act is known; on the days
before, the engine would decide nothing for it. The run stores that day with the invoice's
dunning state and reads only invoices whose day has come (balance thresholds are checked by
the engine then, so an invoice below a threshold simply stays due for reading), and every
invoice of a customer that moved to another segment (whose steps and days differ).

Pure: the run and the tests use it alike.
"""

from __future__ import annotations

from datetime import date, timedelta

from o2c.collections.policy import CORRESPONDENCE, Step, Strategy

_Window = tuple[str, int, int | None]  # step name, first and last day late (None: no end)


def _window(step: Step) -> _Window:
    trigger = step.trigger
    if trigger.days_before_due is not None:
        return step.name, -trigger.days_before_due, -1
    after = trigger.days_after_due if trigger.days_after_due is not None else 1
    return step.name, after, None


def _timed(step: Step) -> bool:
    return not (step.trigger.broken_promise or step.trigger.bounced_payment)


class Horizon:
    """The strategy's time-triggered steps as windows of days late, per segment."""

    def __init__(self, strategy: Strategy) -> None:
        self._segments: dict[str, tuple[list[_Window], list[_Window]]] = {}
        for segment in strategy.segments:
            timed = [s for s in segment.steps if _timed(s)]
            ladder = [_window(s) for s in timed if s.action.type in CORRESPONDENCE]
            others = [_window(s) for s in timed if s.action.type not in CORRESPONDENCE]
            self._segments[segment.name] = (ladder, others)
        firsts = [
            first for ladder, others in self._segments.values() for _, first, _ in ladder + others
        ]
        # An invoice no step ever acted on can act from `lead` days before its due date.
        self.lead = -min(firsts) if firsts else None
        self._memo: dict[tuple[str, int, frozenset[str]], int | None] = {}

    def first_day(self, due_date: date) -> date | None:
        """The first day a step could act on an invoice no step has acted on yet."""
        return None if self.lead is None else due_date - timedelta(days=self.lead)

    def next_on(
        self, due_date: date, done: frozenset[str], as_of: date, segment: str | None
    ) -> date | None:
        """The first day after `as_of` on which a step of `segment` could still act on the
        invoice, or None when none ever can (a customer in no segment: none acts on it)."""
        if segment is None:
            return None
        late = (as_of - due_date).days + 1
        key = (segment, late, done)
        if key not in self._memo:
            self._memo[key] = self._first_late(segment, late, done)
        found = self._memo[key]
        return None if found is None else due_date + timedelta(days=found)

    def _first_late(self, segment: str, late: int, done: frozenset[str]) -> int | None:
        ladder, others = self._segments[segment]
        reached = max((p for p, (name, _, _) in enumerate(ladder) if name in done), default=-1)
        best: int | None = None
        for _, first, last in ladder[reached + 1 :] + [w for w in others if w[0] not in done]:
            day = max(late, first)
            if (last is None or day <= last) and (best is None or day < best):
                best = day
        return best
