"""One HTTP POST of a webhook, reduced to what the delivery log keeps."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    """The receiver's status code (None when no answer came) and what went wrong, if anything."""

    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


Sender = Callable[[str, bytes, Mapping[str, str], float], SendResult]


def post_json(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> SendResult:
    """POST `body` to `url`; redirects are not followed (a receiver must answer itself)."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        with opener.open(request, timeout=timeout) as response:
            return SendResult(response.status, elapsed())
    except urllib.error.HTTPError as error:
        return SendResult(error.code, elapsed(), f"HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return SendResult(None, elapsed(), f"{type(error).__name__}: {reason}"[:500])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
