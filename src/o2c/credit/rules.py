"""Credit rules: the company's policy and the checks an order must pass (pure).

`evaluate` turns the figures of one customer (exposure, limits, past due, score, broken
promises) into the list of rules that fail, each with a readable reason and the figures
it compared, so a hold records exactly why an order stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from o2c.kernel.money import Money


class Stage(StrEnum):
    """Where an order is checked: when it is confirmed and again before goods leave."""

    CONFIRMATION = "confirmation"
    SHIPMENT = "shipment"


class RiskClass(StrEnum):
    """A (best) to E; E blocks new business by default."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class Rule(StrEnum):
    CUSTOMER_LIMIT = "customer_limit"
    GROUP_LIMIT = "group_limit"
    PAST_DUE = "past_due"
    RISK_CLASS = "risk_class"
    BROKEN_PROMISES = "broken_promises"


LIMIT_RULES = frozenset({Rule.CUSTOMER_LIMIT, Rule.GROUP_LIMIT})
"""Releasing a hold that failed one of these is an override above the limit (segregated)."""


@dataclass(frozen=True)
class CreditPolicy:
    """A company's credit rules; a rule switched off (False or None) is not checked."""

    customer_limit: bool = True
    group_limit: bool = True
    max_days_past_due: int | None = 60
    blocked_classes: frozenset[RiskClass] = frozenset({RiskClass.E})
    broken_promise_days: int = 90
    max_broken_promises: int | None = 1
    auto_release: bool = True

    @classmethod
    def unchecked(cls) -> CreditPolicy:
        """Every rule off: for loading history that predates the company's credit rules."""
        return cls(False, False, None, frozenset(), 90, None, False)


@dataclass(frozen=True)
class Utilisation:
    """Exposure against a limit, both in the limit's currency; no limit means unlimited."""

    exposure: Money
    limit: Money | None

    @property
    def ratio(self) -> Decimal | None:
        if self.limit is None or self.limit.amount <= 0:
            return None
        return self.exposure.amount / self.limit.amount

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.exposure > self.limit


@dataclass(frozen=True)
class CreditFacts:
    """What the rules look at for one customer, including the order being checked."""

    customer: Utilisation
    group: Utilisation | None
    days_past_due: int
    """Days the oldest open invoice is past its due date (0 when none is)."""
    risk_class: RiskClass | None
    broken_promises: int
    """Promises broken within the policy's window, as of the customer's last scoring."""


@dataclass(frozen=True)
class RuleFailure:
    rule: Rule
    reason: str
    figures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule.value, "reason": self.reason, "figures": self.figures}


def evaluate(policy: CreditPolicy, facts: CreditFacts) -> list[RuleFailure]:
    """Every rule of `policy` that `facts` fail, in a fixed order."""
    failures: list[RuleFailure] = []
    if policy.customer_limit and facts.customer.exceeded:
        failures.append(_over_limit(Rule.CUSTOMER_LIMIT, "customer", facts.customer))
    if policy.group_limit and facts.group is not None and facts.group.exceeded:
        failures.append(_over_limit(Rule.GROUP_LIMIT, "customer group", facts.group))
    days = policy.max_days_past_due
    if days is not None and facts.days_past_due > days:
        failures.append(
            RuleFailure(
                Rule.PAST_DUE,
                f"an invoice is {facts.days_past_due} days past due (more than {days})",
                {"days_past_due": str(facts.days_past_due), "allowed": str(days)},
            )
        )
    if facts.risk_class is not None and facts.risk_class in policy.blocked_classes:
        failures.append(
            RuleFailure(
                Rule.RISK_CLASS,
                f"risk class {facts.risk_class.value} is blocked",
                {"risk_class": facts.risk_class.value},
            )
        )
    allowed = policy.max_broken_promises
    if allowed is not None and facts.broken_promises > allowed:
        failures.append(
            RuleFailure(
                Rule.BROKEN_PROMISES,
                f"{facts.broken_promises} promises to pay broken in the last "
                f"{policy.broken_promise_days} days (more than {allowed})",
                {"broken": str(facts.broken_promises), "allowed": str(allowed)},
            )
        )
    return failures


def _over_limit(rule: Rule, who: str, use: Utilisation) -> RuleFailure:
    assert use.limit is not None
    return RuleFailure(
        rule,
        f"{who} exposure {use.exposure} exceeds its credit limit {use.limit}",
        {
            "exposure": str(use.exposure.amount),
            "limit": str(use.limit.amount),
            "currency": use.limit.currency,
        },
    )
