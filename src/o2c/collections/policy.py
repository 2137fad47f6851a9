"""A collections strategy as declarative policy: the schema, and reading it from YAML or JSON.

A credit manager writes a strategy as a YAML file (or sends the same structure to the API):
segments that pick customers by attributes and behaviour, and per segment the ordered steps
with their trigger, action and stop conditions. The document is checked in two passes, types
first (pydantic) and meaning second (templates known, steps named once, a trigger that can
fire), and every problem is reported at once with the path of the field, e.g.
`segments[1].steps[2].trigger.days_after_due: must be an integer`, so a file is fixed in one go.

Pure: no storage, no framework beyond pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from o2c.kernel.errors import FieldError, ValidationFailed

# Letter templates the correspondence side ships (collections/templates, per language).
TEMPLATES = frozenset(
    {
        "reminder_before_due",
        "reminder_due",
        "dunning_1",
        "dunning_2",
        "dunning_3",
        "promise_broken",
        "agency_handover",
    }
)


class RiskClass(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Channel(StrEnum):
    """How a customer prefers to be written to; `letter` is printed and posted."""

    EMAIL = "email"
    LETTER = "letter"


class ActionKind(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    CALL = "call"
    ESCALATE = "escalate"
    CREDIT_HOLD = "credit_hold"
    LATE_FEE = "late_fee"
    INTEREST = "interest"
    AGENCY = "agency"


CORRESPONDENCE = frozenset({ActionKind.EMAIL, ActionKind.LETTER})


class StopCondition(StrEnum):
    """When a segment's steps all pause for a customer.

    paid: nothing is owed net (credits and unapplied cash cover the open invoices).
    disputed: any amount of the customer is under open dispute or deduction.
    promise_pending: the customer has promised to pay and the date has not passed.
    """

    PAID = "paid"
    DISPUTED = "disputed"
    PROMISE_PENDING = "promise_pending"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    """When a step fires for an invoice; every condition given must hold.

    days_before_due: the invoice falls due within this many days (and is not yet due).
    days_after_due: the invoice is at least this many days past due.
    min_overdue_balance: the customer's overdue balance (in the invoice's currency) is at
      least this amount; alone, it applies to every overdue invoice.
    broken_promise: a promise to pay covering the invoice was broken (fires once per promise).
    bounced_payment: a payment applied to the invoice was taken back (once per reversal).
    """

    days_before_due: StrictInt | None = Field(default=None, ge=0)
    days_after_due: StrictInt | None = Field(default=None, ge=0)
    min_overdue_balance: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    broken_promise: StrictBool = False
    bounced_payment: StrictBool = False


class Action(_Strict):
    """What a step does. `template` for email and letter; `amount` for a late fee;
    `rate_percent` (a year, simple interest on the overdue amount) for interest; `to` for an
    escalation (the role that takes the case over)."""

    type: ActionKind
    template: str | None = None
    amount: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False)
    rate_percent: Decimal | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    to: str | None = None
    note: str = ""


class Step(_Strict):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    level: StrictInt = Field(default=0, ge=0, le=9)
    trigger: Trigger
    action: Action


class SegmentRule(_Strict):
    """Which customers a segment takes; every condition given must hold (none: everyone)."""

    risk_class: list[RiskClass] | None = None
    min_balance: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_balance: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    min_avg_days_late: StrictInt | None = None
    max_avg_days_late: StrictInt | None = None
    min_broken_promises: StrictInt | None = Field(default=None, ge=0)
    countries: list[str] | None = None
    channel: Channel | None = None


class Segment(_Strict):
    name: str = Field(min_length=1, max_length=40)
    when: SegmentRule = SegmentRule()
    steps: list[Step] = Field(min_length=1)
    stop_when: list[StopCondition] = [
        StopCondition.PAID,
        StopCondition.DISPUTED,
        StopCondition.PROMISE_PENDING,
    ]


class Strategy(_Strict):
    """Segments are tried in order; a customer belongs to the first whose rule it meets."""

    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    pay_within_days: StrictInt = Field(default=7, ge=0, le=90)
    promise_grace_days: StrictInt = Field(default=2, ge=0, le=30)
    segments: list[Segment] = Field(min_length=1)


_REASONS = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "decimal_parsing": "must be a decimal number",
    "decimal_type": "must be a decimal number",
    "finite_number": "must be a finite number",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "enum": "must be one of",
    "too_short": "must not be empty",
    "string_too_long": "is too long",
    "string_pattern_mismatch": "lower-case letters, digits and _ only",
    "greater_than_equal": "must not be negative",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reason(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}"
    return _REASONS.get(kind, str(error["msg"]).lower())


def _meaning_problems(strategy: Strategy) -> list[FieldError]:
    """What types cannot say: a trigger that can fire, the fields each action needs."""
    problems: list[FieldError] = []
    for s, segment in enumerate(strategy.segments):
        names: set[str] = set()
        rule = segment.when
        low, high = rule.min_balance, rule.max_balance
        if low is not None and high is not None and low > high:
            problems.append(
                FieldError(f"segments[{s}].when.max_balance", "must not be below min_balance")
            )
        for c, country in enumerate(rule.countries or []):
            if len(country) != 2 or not country.isalpha() or not country.isupper():
                problems.append(
                    FieldError(f"segments[{s}].when.countries[{c}]", "an ISO 3166 code like DE")
                )
        for i, step in enumerate(segment.steps):
            where = f"segments[{s}].steps[{i}]"
            if step.name in names:
                problems.append(FieldError(f"{where}.name", f"{step.name!r} used twice"))
            names.add(step.name)
            problems += _trigger_problems(f"{where}.trigger", step.trigger)
            problems += _action_problems(f"{where}.action", step.action)
    return problems


def _trigger_problems(where: str, trigger: Trigger) -> list[FieldError]:
    events = trigger.broken_promise + trigger.bounced_payment
    timed = trigger.days_before_due is not None or trigger.days_after_due is not None
    if events == 0 and not timed and trigger.min_overdue_balance is None:
        return [FieldError(where, "needs at least one condition")]
    if events > 1:
        return [FieldError(where, "broken_promise and bounced_payment are separate events")]
    if trigger.days_before_due is not None and trigger.days_after_due is not None:
        return [FieldError(f"{where}.days_before_due", "cannot be combined with days_after_due")]
    if events and trigger.days_before_due is not None:
        return [FieldError(f"{where}.days_before_due", "an event concerns overdue invoices")]
    return []


def _action_problems(where: str, action: Action) -> list[FieldError]:
    kind = action.type
    if kind in CORRESPONDENCE:
        if action.template is None:
            return [FieldError(f"{where}.template", f"is required for {kind.value}")]
        if action.template not in TEMPLATES:
            known = ", ".join(sorted(TEMPLATES))
            return [FieldError(f"{where}.template", f"unknown template (known: {known})")]
    if kind == ActionKind.LATE_FEE and action.amount is None:
        return [FieldError(f"{where}.amount", "is required for late_fee")]
    if kind == ActionKind.INTEREST and action.rate_percent is None:
        return [FieldError(f"{where}.rate_percent", "is required for interest")]
    if kind == ActionKind.ESCALATE and not action.to:
        return [FieldError(f"{where}.to", "is required for escalate (the role taking over)")]
    return []


def parse_strategy(document: object) -> Strategy:
    """A checked strategy from its structure (YAML or JSON decoded), else every problem.

    Raises ValidationFailed whose errors name each bad field by its path.
    """
    if not isinstance(document, Mapping):
        raise ValidationFailed([FieldError("", "a strategy must be a mapping")])
    try:
        strategy = Strategy.model_validate(document)
    except ValidationError as exc:
        problems = [
            FieldError(_path(tuple(e["loc"])), _reason(e)) for e in exc.errors(include_url=False)
        ]
        raise ValidationFailed(problems) from None
    problems = _meaning_problems(strategy)
    if problems:
        raise ValidationFailed(problems)
    return strategy


def read_strategy(text: str) -> Strategy:
    """Parse a strategy from YAML text (JSON is YAML too)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise ValidationFailed([FieldError(where, f"not valid YAML: {exc}")]) from None
    return parse_strategy(document)


def strategy_document(strategy: Strategy) -> dict[str, Any]:
    """The JSON-safe structure of a strategy (decimals as strings), as stored and served."""
    return strategy.model_dump(mode="json", exclude_defaults=False)


def strategy_yaml(strategy: Strategy) -> str:
    return yaml.safe_dump(strategy_document(strategy), sort_keys=False, allow_unicode=True)
