"""How each demo customer pays: a profile per customer, a payment plan per invoice.

The plans are pure functions of a seeded generator, so a demo is the same every time it is
loaded with the same seed. Amounts are shares of what is open on the day of payment, so a
credit note issued before the payment is simply paid net.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class Profile(StrEnum):
    PUNCTUAL = "punctual"  # around the due date, a few days either side
    DISCOUNT = "discount"  # within the early-payment discount period, taking the discount
    LATE = "late"  # 10 to 40 days after the due date
    VERY_LATE = "very_late"  # 60 to 150 days late, and now and then not at all
    PARTIAL = "partial"  # part on time, the rest weeks later (sometimes never)
    STOPPED = "stopped"  # paid late until it ran into trouble, then stopped paying


@dataclass(frozen=True)
class Instalment:
    """Pay `share` of what is open on `day`; a share of None pays everything still open."""

    day: date
    share: Decimal | None = None


def plan_payments(
    profile: Profile,
    rng: random.Random,
    issue: date,
    due: date,
    discount_date: date | None,
    stopped_on: date | None = None,
) -> list[Instalment]:
    """When and how much a customer of `profile` pays an invoice; empty when never."""
    earliest = issue + timedelta(days=1)

    def on(day: date) -> date:
        return max(earliest, day)

    if profile is Profile.DISCOUNT and discount_date is not None and rng.random() < 0.9:
        return [Instalment(on(discount_date - timedelta(days=rng.randint(0, 4))))]
    if profile is Profile.LATE:
        return [Instalment(on(due + timedelta(days=rng.randint(10, 40))))]
    if profile is Profile.VERY_LATE:
        if rng.random() < 0.2:
            return []
        return [Instalment(on(due + timedelta(days=rng.randint(60, 150))))]
    if profile is Profile.STOPPED:
        if stopped_on is not None and issue >= stopped_on:
            return []
        return [Instalment(on(due + timedelta(days=rng.randint(20, 60))))]
    if profile is Profile.PARTIAL and rng.random() < 0.6:
        first = Instalment(on(due + timedelta(days=rng.randint(-3, 10))), _share(rng))
        if rng.random() < 0.1:
            return [first]
        return [first, Instalment(first.day + timedelta(days=rng.randint(20, 70)))]
    return [Instalment(on(due + timedelta(days=rng.randint(-5, 4))))]


def _share(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(30, 70)) / 100


def payment_cash(open_minor: int, share: Decimal | None, discount_minor: int) -> int:
    """Cash for an instalment: its share of the open amount, or all of it less the discount
    still on offer (the settlement rules take the shortfall as discount)."""
    if share is None:
        return open_minor - discount_minor
    return max(1, int(open_minor * share))
