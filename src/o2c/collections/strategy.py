"""The strategy engine: facts about a customer, its open invoices and history → actions due.

Pure and deterministic: the dunning run, the simulation and the tests feed it the same kind of
facts, so what a simulation shows is what a run would do.

The rules a reader cannot see in the policy file:
- A step acts on an invoice once. Time-triggered steps remember (invoice, step); event
  steps (broken promise, bounced payment) remember (step, cause), so a second broken promise
  on the same invoice fires again.
- Letters form a ladder: of the correspondence steps an invoice meets on one day, only the
  latest in the segment's order is sent, and never one at or below a step it already had.
  Overdue invoices of one currency that are due a letter the same day go into one letter,
  at the highest step among them; reminders before due go separately.
- Disputed amounts and invoices under a pending promise are never chased: the facts carry
  the open amount net of disputes and the promise flag, and such invoices are left out.
- Stop conditions pause the whole segment for the customer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from o2c.collections.policy import (
    CORRESPONDENCE,
    ActionKind,
    Channel,
    RiskClass,
    Segment,
    Step,
    StopCondition,
    Strategy,
    Trigger,
)
from o2c.kernel.currency import minor_units

BROKEN_PROMISE = "broken_promise"
BOUNCED_PAYMENT = "bounced_payment"
CHANNELS = {
    ActionKind.CALL: "phone",
    ActionKind.ESCALATE: "internal",
    ActionKind.CREDIT_HOLD: "internal",
    ActionKind.LATE_FEE: "invoice",
    ActionKind.INTEREST: "invoice",
    ActionKind.AGENCY: "agency",
}


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One open invoice as collections sees it on the day."""

    item_id: int
    number: str
    currency: str
    doc_date: date
    due_date: date
    amount_minor: int
    open_minor: int  # still owed, the disputed part left out
    promised: bool = False  # under a pending promise to pay
    done: frozenset[str] = frozenset()  # time-triggered steps already acted on


@dataclass(frozen=True, slots=True)
class Event:
    """A broken promise or a bounced payment, with the invoices it concerns."""

    kind: str  # BROKEN_PROMISE or BOUNCED_PAYMENT
    cause: str  # "promise:12", "bounce:34": part of the action's key
    item_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    customer_id: int
    items: tuple[ItemFacts, ...]
    balance_minor: dict[str, int]  # net open balance per currency, credits included
    balance_base_minor: int = 0  # net open balance in the company's base currency
    country: str | None = None
    channel: Channel = Channel.EMAIL
    risk_class: RiskClass = RiskClass.LOW
    avg_days_late: int = 0
    broken_promises: int = 0
    disputed: bool = False
    promise_pending: bool = False
    events: tuple[Event, ...] = ()
    done_causes: frozenset[tuple[str, str]] = frozenset()  # (step, cause) already acted on
    # Overdue amount per currency of the chased invoices (what `min_overdue_balance` compares
    # with), when the caller summed it over all of them; None: summed from `items`. A dunning
    # run passes it so that `items` need hold only the invoices that can act today.
    overdue_minor: dict[str, int] | None = None


@dataclass(frozen=True, slots=True)
class DueAction:
    """One action a step asks for today, for one customer, currency and step."""

    customer_id: int
    segment: str
    step: str
    kind: ActionKind
    level: int
    channel: str
    template: str | None
    currency: str
    cause: str
    items: tuple[ItemFacts, ...]
    item_steps: tuple[str, ...]  # the step each invoice is recorded under (the ladder's own)
    amount_minor: int  # what the covered invoices still owe
    charge_minor: int = 0  # a late fee or the interest to invoice
    note: str = ""
    escalate_to: str | None = None  # the role an escalation hands the case to

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(item.number for item in self.items)


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount of the policy in minor units of `currency`, rounded half up."""
    return int((amount.scaleb(minor_units(currency))).quantize(Decimal(1), ROUND_HALF_UP))


class Engine:
    """A strategy made ready to evaluate many customers quickly (thresholds pre-computed)."""

    def __init__(self, strategy: Strategy, base_currency: str) -> None:
        self.strategy = strategy
        self.base_currency = base_currency
        self._thresholds: dict[tuple[Decimal, str], int] = {}

    def _minor(self, amount: Decimal, currency: str) -> int:
        key = (amount, currency)
        found = self._thresholds.get(key)
        if found is None:
            found = self._thresholds[key] = to_minor(amount, currency)
        return found

    def segment_of(self, customer: CustomerFacts) -> Segment | None:
        """The first segment whose rule the customer meets."""
        for segment in self.strategy.segments:
            if self._matches(segment, customer):
                return segment
        return None

    def _matches(self, segment: Segment, c: CustomerFacts) -> bool:
        rule = segment.when
        base = self.base_currency
        return not (
            (rule.risk_class is not None and c.risk_class not in rule.risk_class)
            or (
                rule.min_balance is not None
                and c.balance_base_minor < self._minor(rule.min_balance, base)
            )
            or (
                rule.max_balance is not None
                and c.balance_base_minor > self._minor(rule.max_balance, base)
            )
            or (rule.min_avg_days_late is not None and c.avg_days_late < rule.min_avg_days_late)
            or (rule.max_avg_days_late is not None and c.avg_days_late > rule.max_avg_days_late)
            or (
                rule.min_broken_promises is not None
                and c.broken_promises < rule.min_broken_promises
            )
            or (rule.countries is not None and c.country not in rule.countries)
            or (rule.channel is not None and c.channel != rule.channel)
        )

    def decide(self, customer: CustomerFacts, as_of: date) -> list[DueAction]:
        """The actions due for `customer` on `as_of`, in the order of the segment's steps."""
        segment = self.segment_of(customer)
        if segment is None or _stopped(segment, customer):
            return []
        chased = [i for i in customer.items if i.open_minor > 0 and not i.promised]
        overdue: dict[str, int] = defaultdict(int)
        if customer.overdue_minor is not None:
            overdue.update(customer.overdue_minor)
        else:
            for item in chased:
                if item.due_date < as_of:
                    overdue[item.currency] += item.open_minor
        actions = self._letters(segment, customer, chased, overdue, as_of)
        actions += self._timed(segment, customer, chased, overdue, as_of)
        actions += self._events(segment, customer, chased)
        order = {step.name: index for index, step in enumerate(segment.steps)}
        actions.sort(key=lambda a: (order[a.step], a.currency, a.cause))
        return actions

    def _meets(
        self, trigger: Trigger, item: ItemFacts, as_of: date, overdue: dict[str, int]
    ) -> bool:
        late = (as_of - item.due_date).days
        if trigger.days_before_due is not None:
            if not -trigger.days_before_due <= late < 0:
                return False
        elif late < (trigger.days_after_due if trigger.days_after_due is not None else 1):
            return False
        threshold = trigger.min_overdue_balance
        return threshold is None or overdue[item.currency] >= self._minor(threshold, item.currency)

    def _letters(
        self,
        segment: Segment,
        customer: CustomerFacts,
        items: Sequence[ItemFacts],
        overdue: dict[str, int],
        as_of: date,
    ) -> list[DueAction]:
        ladder = [s for s in segment.steps if s.action.type in CORRESPONDENCE and _timed(s)]
        if not ladder:
            return []
        groups: dict[tuple[str, bool], list[tuple[ItemFacts, int]]] = defaultdict(list)
        for item in items:
            reached = max((p for p, s in enumerate(ladder) if s.name in item.done), default=-1)
            for position in range(len(ladder) - 1, reached, -1):
                if self._meets(ladder[position].trigger, item, as_of, overdue):
                    before = ladder[position].trigger.days_before_due is not None
                    groups[(item.currency, before)].append((item, position))
                    break
        actions = []
        for (currency, _), members in sorted(groups.items()):
            step = ladder[max(position for _, position in members)]
            covered = tuple(item for item, _ in members)
            actions.append(
                self._action(
                    customer,
                    segment,
                    step,
                    currency,
                    "",
                    covered,
                    tuple(ladder[p].name for _, p in members),
                    as_of,
                )
            )
        return actions

    def _timed(
        self,
        segment: Segment,
        customer: CustomerFacts,
        items: Sequence[ItemFacts],
        overdue: dict[str, int],
        as_of: date,
    ) -> list[DueAction]:
        actions = []
        for step in segment.steps:
            if step.action.type in CORRESPONDENCE or not _timed(step):
                continue
            by_currency: dict[str, list[ItemFacts]] = defaultdict(list)
            for item in items:
                if step.name not in item.done and self._meets(step.trigger, item, as_of, overdue):
                    by_currency[item.currency].append(item)
            for currency, covered in sorted(by_currency.items()):
                names = (step.name,) * len(covered)
                actions.append(
                    self._action(
                        customer, segment, step, currency, "", tuple(covered), names, as_of
                    )
                )
        return actions

    def _events(
        self, segment: Segment, customer: CustomerFacts, items: Sequence[ItemFacts]
    ) -> list[DueAction]:
        by_id = {item.item_id: item for item in items}
        actions = []
        for step in segment.steps:
            kind = _event_kind(step.trigger)
            if kind is None:
                continue
            for event in customer.events:
                if event.kind != kind or (step.name, event.cause) in customer.done_causes:
                    continue
                covered = tuple(by_id[i] for i in event.item_ids if i in by_id)
                by_currency: dict[str, list[ItemFacts]] = defaultdict(list)
                for item in covered:
                    by_currency[item.currency].append(item)
                for currency, members in sorted(by_currency.items()):
                    if _below_threshold(self, step.trigger, members, currency):
                        continue
                    actions.append(
                        self._action(
                            customer,
                            segment,
                            step,
                            currency,
                            event.cause,
                            tuple(members),
                            (step.name,) * len(members),
                            None,
                        )
                    )
        return actions

    def _action(
        self,
        customer: CustomerFacts,
        segment: Segment,
        step: Step,
        currency: str,
        cause: str,
        items: tuple[ItemFacts, ...],
        item_steps: tuple[str, ...],
        as_of: date | None,
    ) -> DueAction:
        action = step.action
        kind = action.type
        if len(items) > 1:
            order = sorted(range(len(items)), key=lambda i: (items[i].due_date, items[i].number))
            items = tuple(items[i] for i in order)
            item_steps = tuple(item_steps[i] for i in order)
        if kind == ActionKind.EMAIL and customer.channel == Channel.LETTER:
            kind = ActionKind.LETTER  # the customer takes (or can only take) letters
        if action.type == ActionKind.EMAIL:
            channel = customer.channel.value
        elif action.type == ActionKind.LETTER:
            channel = Channel.LETTER.value
        elif action.type == ActionKind.AGENCY and action.template:
            channel = customer.channel.value  # the customer is told of the hand-over
        else:
            channel = CHANNELS[action.type]
        charge = 0
        if action.type == ActionKind.LATE_FEE and action.amount is not None:
            charge = to_minor(action.amount, currency)
        elif action.type == ActionKind.INTEREST and action.rate_percent is not None and as_of:
            charge = interest_minor(items, action.rate_percent, as_of)
        return DueAction(
            customer_id=customer.customer_id,
            segment=segment.name,
            step=step.name,
            kind=kind,
            level=step.level,
            channel=channel,
            template=action.template,
            currency=currency,
            cause=cause,
            items=items,
            item_steps=item_steps,
            amount_minor=sum(item.open_minor for item in items),
            charge_minor=charge,
            note=action.note or (f"escalated to {action.to}" if action.to else ""),
            escalate_to=action.to,
        )


def interest_minor(items: Iterable[ItemFacts], rate_percent: Decimal, as_of: date) -> int:
    """Simple interest for the days each invoice is late, on a 365-day year, rounded half up."""
    total = Decimal(0)
    for item in items:
        days = max(0, (as_of - item.due_date).days)
        total += Decimal(item.open_minor) * rate_percent * days / Decimal(36500)
    return int(total.quantize(Decimal(1), ROUND_HALF_UP))


def _timed(step: Step) -> bool:
    return _event_kind(step.trigger) is None


def _event_kind(trigger: Trigger) -> str | None:
    if trigger.broken_promise:
        return BROKEN_PROMISE
    if trigger.bounced_payment:
        return BOUNCED_PAYMENT
    return None


def _below_threshold(
    engine: Engine, trigger: Trigger, items: Sequence[ItemFacts], currency: str
) -> bool:
    threshold = trigger.min_overdue_balance
    if threshold is None:
        return False
    return sum(i.open_minor for i in items) < engine._minor(threshold, currency)


def _stopped(segment: Segment, customer: CustomerFacts) -> bool:
    stops = segment.stop_when
    if StopCondition.PAID in stops and all(v <= 0 for v in customer.balance_minor.values()):
        return True
    if StopCondition.DISPUTED in stops and customer.disputed:
        return True
    return StopCondition.PROMISE_PENDING in stops and customer.promise_pending
