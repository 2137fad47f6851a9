"""Timing benchmark stages and printing one JSON line per stage, shared by the bench scripts.

Every script prints the same line shape, so docs/PERFORMANCE.md figures can be compared across
benchmarks and collected by the same tooling.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


def report(stage: str, count: int, seconds: float, **extra: Any) -> dict[str, Any]:
    """Print and return one stage's line: how many, how long, and the rate per second."""
    line = {
        "stage": stage,
        "count": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1) if seconds else None,
        **extra,
    }
    print(json.dumps(line), flush=True)
    return line


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """`fn()`'s result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start
