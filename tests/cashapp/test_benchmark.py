"""The benchmark's targets, at a size CI runs in seconds: a regression fails here."""

from __future__ import annotations

import time

from bench.cashapp.generator import generate
from bench.cashapp.run import run_engine
from bench.cashapp.score import score


def test_generated_scenarios_meet_the_straight_through_and_error_targets():
    started = time.perf_counter()
    scenario = generate(lines=2_000, invoices=20_000, seed=11)

    decisions, _, _ = run_engine(scenario)
    result = score(scenario.cases, decisions)

    assert result.total.straight_through_rate >= 0.95
    assert result.total.error_rate <= 0.003
    assert result.unrelated_left_unmatched == result.unrelated
    assert time.perf_counter() - started < 10


def test_a_seed_always_gives_the_same_scenario():
    first = generate(lines=200, invoices=3_000, seed=5)
    second = generate(lines=200, invoices=3_000, seed=5)

    assert [c.line for c in first.cases] == [c.line for c in second.cases]
    assert [c.expected for c in first.cases] == [c.expected for c in second.cases]
    assert first.invoices == second.invoices


def test_every_kind_of_line_is_drawn():
    scenario = generate(lines=2_000, invoices=20_000, seed=3)

    kinds = {c.kind for c in scenario.cases}

    assert len(kinds) == 18
