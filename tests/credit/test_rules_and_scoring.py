"""Credit rules, score factors, risk classes and limit proposals: pure functions, no storage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from o2c.credit.limits import propose_limit
from o2c.credit.rules import (
    CreditFacts,
    CreditPolicy,
    RiskClass,
    Rule,
    Utilisation,
    evaluate,
)
from o2c.credit.scoring import PaymentBehaviour, risk_class, score
from o2c.kernel.money import Money


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def facts(**changes: object) -> CreditFacts:
    """A customer that passes every default rule, with `changes` applied."""
    fields: dict[str, object] = {
        "customer": Utilisation(eur("500.00"), eur("1000.00")),
        "group": None,
        "days_past_due": 0,
        "risk_class": RiskClass.B,
        "broken_promises": 0,
    }
    return CreditFacts(**{**fields, **changes})  # type: ignore[arg-type]


def failed(policy: CreditPolicy, given: CreditFacts) -> list[Rule]:
    return [f.rule for f in evaluate(policy, given)]


def test_a_customer_within_every_rule_passes():
    assert evaluate(CreditPolicy(), facts()) == []


def test_exposure_above_the_customer_limit_fails_with_its_figures():
    [failure] = evaluate(CreditPolicy(), facts(customer=Utilisation(eur("1000.01"), eur("1000"))))
    assert failure.rule == Rule.CUSTOMER_LIMIT
    assert failure.figures == {"exposure": "1000.01", "limit": "1000.00", "currency": "EUR"}
    assert "exceeds its credit limit 1000.00 EUR" in failure.reason


def test_exposure_equal_to_the_limit_or_without_a_limit_passes():
    at_limit = facts(customer=Utilisation(eur("1000.00"), eur("1000.00")))
    unlimited = facts(customer=Utilisation(eur("99999.00"), None))
    assert failed(CreditPolicy(), at_limit) == failed(CreditPolicy(), unlimited) == []


def test_the_group_limit_is_its_own_rule():
    over = facts(group=Utilisation(eur("5000.01"), eur("5000.00")))
    within = facts(group=Utilisation(eur("4000.00"), eur("5000.00")))
    assert failed(CreditPolicy(), over) == [Rule.GROUP_LIMIT]
    assert failed(CreditPolicy(), within) == []
    assert failed(CreditPolicy(group_limit=False), over) == []


def test_an_invoice_past_due_beyond_the_allowed_days_fails():
    policy = CreditPolicy(max_days_past_due=30)
    assert failed(policy, facts(days_past_due=30)) == []
    assert failed(policy, facts(days_past_due=31)) == [Rule.PAST_DUE]
    assert failed(CreditPolicy(max_days_past_due=None), facts(days_past_due=400)) == []


def test_a_blocked_risk_class_fails():
    assert failed(CreditPolicy(), facts(risk_class=RiskClass.E)) == [Rule.RISK_CLASS]
    assert failed(CreditPolicy(), facts(risk_class=RiskClass.D)) == []
    assert failed(CreditPolicy(), facts(risk_class=None)) == []  # not scored yet
    strict = CreditPolicy(blocked_classes=frozenset({RiskClass.D, RiskClass.E}))
    assert failed(strict, facts(risk_class=RiskClass.D)) == [Rule.RISK_CLASS]


def test_broken_promises_beyond_the_allowed_number_fail():
    policy = CreditPolicy(max_broken_promises=1, broken_promise_days=60)
    assert failed(policy, facts(broken_promises=1)) == []
    [failure] = evaluate(policy, facts(broken_promises=2))
    assert failure.rule == Rule.BROKEN_PROMISES
    assert "in the last 60 days" in failure.reason


def test_every_failing_rule_is_reported_in_order():
    everything = facts(
        customer=Utilisation(eur("2000"), eur("1000")),
        group=Utilisation(eur("9000"), eur("5000")),
        days_past_due=90,
        risk_class=RiskClass.E,
        broken_promises=3,
    )
    assert failed(CreditPolicy(), everything) == list(Rule)


def behaviour(**changes: object) -> PaymentBehaviour:
    fields: dict[str, object] = {
        "days_late_recent": [0, 0],
        "days_late_older": [0, 0],
        "disputes": 0,
        "broken_promises": 0,
        "utilisation": Decimal("0.2"),
    }
    return PaymentBehaviour(**{**fields, **changes})  # type: ignore[arg-type]


def points(given: PaymentBehaviour) -> dict[str, int]:
    return {f.name: f.points for f in score(given).factors}


def test_a_punctual_customer_with_room_scores_100_and_class_a():
    result = score(behaviour(days_late_recent=[-3, 0], days_late_older=[-1]))
    assert (result.points, result.risk_class) == (100, RiskClass.A)
    assert [f.max_points for f in result.factors] == [40, 15, 15, 15, 15]


def test_punctuality_loses_a_point_per_day_late_on_average():
    assert (
        points(behaviour(days_late_recent=[10, 20], days_late_older=[10, 20]))["punctuality"] == 25
    )
    assert points(behaviour(days_late_recent=[60], days_late_older=[60]))["punctuality"] == 0
    assert points(behaviour(days_late_recent=[], days_late_older=[]))["punctuality"] == 30


def test_paying_later_than_before_costs_trend_points():
    worse = score(behaviour(days_late_recent=[12], days_late_older=[2]))
    better = behaviour(days_late_recent=[2], days_late_older=[12])
    trend = {f.name: f for f in worse.factors}["trend"]
    assert (trend.value, trend.points) == ("10.0", 5)
    assert points(better)["trend"] == 15
    assert points(behaviour(days_late_older=[]))["trend"] == 10  # one period only


def test_disputes_and_broken_promises_cost_five_points_each():
    given = behaviour(disputes=2, broken_promises=4)
    assert points(given)["disputes"] == 5
    assert points(given)["broken_promises"] == 0


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [("0.5", 15), ("0.51", 10), ("0.8", 10), ("1.0", 5), ("1.01", 0), (None, 10)],
)
def test_utilisation_points_by_bracket(ratio, expected):
    utilisation = None if ratio is None else Decimal(ratio)
    assert points(behaviour(utilisation=utilisation))["utilisation"] == expected


def test_every_factor_explains_its_value():
    result = score(behaviour(days_late_recent=[5], days_late_older=[3], disputes=1))
    by_name = {f.name: f for f in result.factors}
    assert by_name["punctuality"].value == "4.0"
    assert "4.0 days after the due date" in by_name["punctuality"].explanation
    assert by_name["disputes"].explanation.startswith("1 disputes")
    assert result.points == sum(f.points for f in result.factors)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (100, "A"),
        (80, "A"),
        (79, "B"),
        (65, "B"),
        (64, "C"),
        (50, "C"),
        (49, "D"),
        (35, "D"),
        (34, "E"),
        (0, "E"),
    ],
)
def test_risk_classes_by_points(total, expected):
    assert risk_class(total) == RiskClass(expected)


def test_good_payers_near_their_limit_are_offered_more():
    use = Utilisation(eur("900.00"), eur("1000.00"))
    proposal = propose_limit(use, RiskClass.A)
    assert proposal is not None
    assert proposal.proposed == eur("1250.00")
    b = propose_limit(Utilisation(eur("950.00"), eur("1000.00")), RiskClass.B)
    assert b is not None
    assert b.proposed == eur("1100.00")
    assert propose_limit(Utilisation(eur("100.00"), eur("1000.00")), RiskClass.A) is None
    assert propose_limit(use, RiskClass.C) is None


def test_weak_payers_are_brought_down_towards_what_they_owe():
    d = propose_limit(Utilisation(eur("300.00"), eur("1000.00")), RiskClass.D)
    e = propose_limit(Utilisation(eur("300.49"), eur("1000.00")), RiskClass.E)
    d_high = propose_limit(Utilisation(eur("950.00"), eur("1000.00")), RiskClass.D)
    assert d is not None
    assert d.proposed == eur("800.00")
    assert e is not None
    assert e.proposed == eur("300.00")  # whole units, rounded down
    assert d_high is not None
    assert d_high.proposed == eur("950.00")
    assert propose_limit(Utilisation(eur("300.00"), None), RiskClass.E) is None
