"""Credit limit proposals from score and exposure (pure).

A limit review proposes a new limit; a credit manager accepts or rejects it. Good payers
that use most of their limit get more room, weak ones are brought down towards what they
already owe; nothing is proposed when the limit should stay.

    class  when                          proposal
    A      utilisation above 80 %        limit × 1.25
    B      utilisation above 90 %        limit × 1.10
    C      —                             keep
    D      —                             max(exposure, limit × 0.80)
    E      —                             max(exposure, 0), no new room
Proposals are rounded down to whole units of the currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from o2c.credit.rules import RiskClass, Utilisation
from o2c.kernel.money import Money


@dataclass(frozen=True)
class LimitProposal:
    proposed: Money
    reason: str


def propose_limit(use: Utilisation, risk: RiskClass) -> LimitProposal | None:
    """The new limit for a customer with a limit, or None when it should stay as it is."""
    limit, ratio = use.limit, use.ratio
    if limit is None:
        return None
    exposure = max(use.exposure, Money.zero(limit.currency))
    if risk == RiskClass.A and ratio is not None and ratio > Decimal("0.8"):
        new, reason = limit.multiply("1.25"), "class A using more than 80% of the limit"
    elif risk == RiskClass.B and ratio is not None and ratio > Decimal("0.9"):
        new, reason = limit.multiply("1.10"), "class B using more than 90% of the limit"
    elif risk == RiskClass.D:
        new, reason = max(exposure, limit.multiply("0.80")), "class D: limit reduced by 20%"
    elif risk == RiskClass.E:
        new, reason = exposure, "class E: no room beyond what is owed"
    else:
        return None
    whole = Money(new.amount.quantize(Decimal(1), rounding=ROUND_DOWN), new.currency)
    if whole == limit:
        return None
    return LimitProposal(whole, reason)
