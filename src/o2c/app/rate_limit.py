"""API rate limits: a token bucket per API credential (or client address when none is sent).

`O2C_RATE_LIMIT="100/s burst 200"` lets each caller make 100 requests a second on average
and up to 200 at once; units are /s, /min and /h, and the burst defaults to one second's
worth (at least 1). A caller over its limit gets 429 problem+json with `Retry-After`.
Unset (the default) means no limit, so tests and load tests run unthrottled.

Buckets live in the process: behind `o2c serve --workers N` each worker keeps its own, so
a caller may get up to N times the rate. That bounds abuse and mistakes (a client looping)
cheaply; a hard global quota belongs in the reverse proxy. Only `/api/` paths count;
health, metrics, docs and web pages do not.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from o2c.app.problems import problem
from o2c.kernel.errors import FieldError, ValidationFailed

_SPEC = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|min|minute|h|hour)\s*(?:burst\s+(\d+))?\s*$"
)
_SECONDS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
MAX_CALLERS = 100_000
"""Buckets kept at most; the longest idle are forgotten first (a full bucket is the default)."""


@dataclass(frozen=True)
class Limit:
    per_second: float
    burst: float


def parse_limit(text: str) -> Limit:
    """`"100/s burst 200"`, `"6000/min"`, `"10/h burst 5"` → requests per second and burst."""
    match = _SPEC.match(text.lower())
    if match is None:
        raise ValidationFailed(
            [FieldError("O2C_RATE_LIMIT", f"{text!r}: write e.g. '100/s burst 200' or '600/min'")]
        )
    count, unit, burst = match.groups()
    per_second = float(count) / _SECONDS[unit]
    if per_second <= 0:
        raise ValidationFailed([FieldError("O2C_RATE_LIMIT", "the rate must be above zero")])
    return Limit(per_second, float(burst) if burst else max(1.0, per_second))


class TokenBuckets:
    """One bucket per caller: it refills at the rate up to the burst; a request takes a token."""

    def __init__(self, limit: Limit, now: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.now = limit, now
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, caller: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.now()
        tokens, then = self._buckets.pop(caller, (self.limit.burst, now))
        tokens = min(self.limit.burst, tokens + (now - then) * self.limit.per_second)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.limit.per_second
        self._buckets[caller] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > MAX_CALLERS:
            self._buckets.popitem(last=False)
        return wait


def caller_of(scope: Scope) -> str:
    """The credential the request presents (hashed, never kept in clear), else its address."""
    headers = dict(scope.get("headers") or [])
    credential = headers.get(b"x-api-key") or headers.get(b"authorization")
    if credential:
        return "key:" + hashlib.sha256(credential).hexdigest()[:32]
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class RateLimit:
    """ASGI middleware answering 429 to callers over their bucket."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            wait = self.buckets.take(caller_of(scope))
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                detail = f"rate limit exceeded; try again in {seconds} s"
                response = problem(
                    Request(scope),
                    429,
                    "rate_limited",
                    "Too many requests",
                    detail,
                    {"retry_after": seconds},
                    {"Retry-After": str(seconds)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_rate_limit(app: FastAPI, setting: str | None) -> None:
    """Limit the API when `O2C_RATE_LIMIT` is set; a malformed value stops the start."""
    if setting:
        app.add_middleware(RateLimit, buckets=TokenBuckets(parse_limit(setting)))
