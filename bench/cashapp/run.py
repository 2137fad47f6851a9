"""Run the cash-application benchmark: generate, match, score, time.

    python -m bench.cashapp.run --lines 20000 --invoices 200000 --seed 1

Prints a JSON summary (rates, counts, calibration, timings) and the per-kind table. The
timed part is what a matching run does: build the engine from the open items, then decide
every line in order.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

from bench.cashapp.generator import Scenario, generate
from bench.cashapp.score import Score, calibration, score, table

from o2c.cashapp.engine import Engine
from o2c.cashapp.model import MatchDecision, MatchPolicy


def run_engine(scenario: Scenario) -> tuple[list[MatchDecision], float, float]:
    """Decisions for every line, with the seconds spent building the engine and matching."""
    started = time.perf_counter()
    engine = Engine(
        scenario.customers,
        scenario.invoices,
        policy=scenario.policy,
        own_accounts=scenario.own_accounts,
    )
    built = time.perf_counter()
    decisions = engine.match_all([c.line for c in scenario.cases], scenario.remittances)
    return decisions, built - started, time.perf_counter() - built


def summary(scenario: Scenario, result: Score, seconds: dict[str, float]) -> dict[str, object]:
    total = result.total
    lines = len(scenario.cases)
    return {
        "lines": lines,
        "open_items": len(scenario.invoices),
        "customers": len(scenario.customers),
        "matchable": total.matchable,
        "straight_through": total.straight_through,
        "straight_through_rate": round(total.straight_through_rate, 4),
        "automatic": total.automatic,
        "wrong": total.wrong,
        "error_rate": round(total.error_rate, 5),
        "unrelated_left_unmatched": f"{result.unrelated_left_unmatched}/{result.unrelated}",
        "threshold": scenario.policy.threshold,
        "calibration": calibration(result),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "lines_per_second": round(lines / seconds["match"]) if seconds["match"] else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=MatchPolicy().threshold)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenario = generate(args.lines, args.invoices, args.seed)
    scenario = replace(scenario, policy=replace(scenario.policy, threshold=args.threshold))
    generated = time.perf_counter() - started
    decisions, build, match = run_engine(scenario)
    result = score(scenario.cases, decisions)
    seconds = {"generate": generated, "build": build, "match": match, "engine": build + match}
    print(json.dumps(summary(scenario, result, seconds), indent=2))
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
