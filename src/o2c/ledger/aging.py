"""Aging buckets: named ranges of days past due that partition every open balance."""

from __future__ import annotations

import re
from dataclasses import dataclass

from o2c.kernel.errors import FieldError, ValidationFailed

DEFAULT_BUCKETS = "current,1-30,31-60,61-90,90+"
_RANGE = re.compile(r"^(\d+)-(\d+)$")
_OPEN_END = re.compile(r"^(\d+)\+$")


@dataclass(frozen=True)
class Bucket:
    """Items `low` to `high` days past due (inclusive); `high` None means no upper end."""

    name: str
    low: int
    high: int | None

    def holds(self, days_past_due: int) -> bool:
        return days_past_due >= self.low and (self.high is None or days_past_due <= self.high)


def parse_buckets(spec: str = DEFAULT_BUCKETS) -> tuple[Bucket, ...]:
    """Read "current,1-30,31-60,61-90,90+" into buckets that cover every day exactly once.

    `current` is everything not yet due (days past due ≤ 0); "90+" means over 90 days, as
    finance teams read it, so it starts at 91 when it follows a range ending at 90.
    """
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise ValidationFailed([FieldError("buckets", "no buckets given")])
    buckets: list[Bucket] = []
    next_low: int | None = None
    for name in names:
        if name == "current":
            bucket = Bucket(name, -(10**9), 0)
        elif match := _RANGE.match(name):
            bucket = Bucket(name, int(match[1]), int(match[2]))
        elif match := _OPEN_END.match(name):
            start = int(match[1])
            bucket = Bucket(name, start + 1 if next_low == start + 1 else start, None)
        else:
            raise ValidationFailed(
                [FieldError("buckets", f"{name!r} is not 'current', 'A-B' or 'N+'")]
            )
        if next_low is not None and bucket.low != next_low:
            raise ValidationFailed(
                [FieldError("buckets", f"{name!r} does not start where the previous one ended")]
            )
        if bucket.high is not None and bucket.high < bucket.low:
            raise ValidationFailed([FieldError("buckets", f"{name!r} ends before it starts")])
        buckets.append(bucket)
        next_low = None if bucket.high is None else bucket.high + 1
    if buckets[0].name != "current" and buckets[0].low > 1:
        raise ValidationFailed([FieldError("buckets", "the first bucket must start at day 1")])
    if buckets[0].name != "current":
        buckets[0] = Bucket(buckets[0].name, -(10**9), buckets[0].high)
    if buckets[-1].high is not None:
        raise ValidationFailed([FieldError("buckets", "the last bucket must be open-ended (N+)")])
    return tuple(buckets)


def bucket_of(buckets: tuple[Bucket, ...], days_past_due: int) -> Bucket:
    for bucket in buckets:
        if bucket.holds(days_past_due):
            return bucket
    raise AssertionError("buckets from parse_buckets cover every day")
