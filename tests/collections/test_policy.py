"""Strategies as policy: the shipped default is valid; a bad file names every bad field."""

from __future__ import annotations

import pytest

from o2c.collections.policy import ActionKind, parse_strategy, read_strategy, strategy_document
from o2c.collections.service import DEFAULT_STRATEGY
from o2c.kernel.errors import ValidationFailed


def _problems(text: str) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        read_strategy(text)
    return [str(e) for e in caught.value.errors]


def test_default_strategy_has_reminders_three_levels_a_call_and_a_credit_hold():
    strategy = read_strategy(DEFAULT_STRATEGY.read_text())
    for segment in strategy.segments:
        kinds = {s.action.type for s in segment.steps}
        templates = {s.action.template for s in segment.steps}
        assert {"reminder_before_due", "dunning_1", "dunning_2", "dunning_3"} <= templates
        assert any(s.trigger.days_after_due for s in segment.steps if s.action.type == "email")
        assert {ActionKind.CALL, ActionKind.CREDIT_HOLD} <= kinds
        assert len({s.level for s in segment.steps if s.level}) >= 3


def test_a_wrong_type_is_reported_with_the_path_of_the_field():
    text = """
name: x
segments:
  - name: a
    steps: [{name: r, trigger: {days_after_due: 1}, action: {type: email, template: dunning_1}}]
  - name: b
    steps:
      - {name: one, trigger: {days_after_due: 1}, action: {type: call}}
      - {name: two, trigger: {days_after_due: 5}, action: {type: call}}
      - {name: three, trigger: {days_after_due: soon}, action: {type: fax}}
"""
    assert _problems(text) == [
        "segments[1].steps[2].trigger.days_after_due: must be an integer",
        "segments[1].steps[2].action.type: must be one of 'email', 'letter', 'call', "
        "'escalate', 'credit_hold', 'late_fee', 'interest' or 'agency'",
    ]


def test_meaning_problems_are_all_reported_at_once():
    text = """
name: x
segments:
  - name: a
    when: {countries: [germany], min_balance: 10, max_balance: 5}
    steps:
      - {name: r, trigger: {}, action: {type: email}}
      - {name: r, trigger: {days_after_due: 1}, action: {type: email, template: nope}}
      - {name: f, trigger: {days_after_due: 9}, action: {type: late_fee}}
      - {name: i, trigger: {days_after_due: 9}, action: {type: interest}}
      - {name: e, trigger: {days_after_due: 9}, action: {type: escalate}}
      - {name: b, trigger: {days_before_due: 2, days_after_due: 3}, action: {type: call}}
"""
    problems = _problems(text)
    assert problems[:2] == [
        "segments[0].when.max_balance: must not be below min_balance",
        "segments[0].when.countries[0]: an ISO 3166 code like DE",
    ]
    assert "segments[0].steps[0].trigger: needs at least one condition" in problems
    assert "segments[0].steps[0].action.template: is required for email" in problems
    assert "segments[0].steps[1].name: 'r' used twice" in problems
    assert any(
        p.startswith("segments[0].steps[1].action.template: unknown template") for p in problems
    )
    assert "segments[0].steps[2].action.amount: is required for late_fee" in problems
    assert "segments[0].steps[3].action.rate_percent: is required for interest" in problems
    assert any(p.startswith("segments[0].steps[4].action.to: is required") for p in problems)
    assert any(p.startswith("segments[0].steps[5].trigger.days_before_due") for p in problems)


def test_unknown_fields_and_bad_yaml_are_refused():
    assert _problems("name: x\nsegments: []\nextra: 1\n") == [
        "segments: must not be empty",
        "extra: is not a known field",
    ]
    assert _problems("name: [unclosed\n")[0].startswith("line ")


def test_a_strategy_survives_storage_as_its_document():
    strategy = read_strategy(DEFAULT_STRATEGY.read_text())
    assert parse_strategy(strategy_document(strategy)) == strategy
