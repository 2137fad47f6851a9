"""API rate limits: a token bucket per credential, 429 problem+json with Retry-After."""

from __future__ import annotations

import pytest

from o2c.app.api import create_app
from o2c.app.rate_limit import Limit, TokenBuckets, parse_limit
from o2c.kernel.config import Settings
from o2c.kernel.errors import ValidationFailed
from tests.app.client import AdminApiKey, TestClient


def test_limits_are_written_as_rate_and_burst():
    assert parse_limit("100/s burst 200") == Limit(100, 200)
    assert parse_limit("600/min") == Limit(10, 10)
    assert parse_limit("36/h burst 3") == Limit(0.01, 3)
    with pytest.raises(ValidationFailed):
        parse_limit("lots")


def test_a_bucket_lets_a_burst_through_then_refills_at_the_rate():
    now = [0.0]
    buckets = TokenBuckets(Limit(per_second=2, burst=3), now=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0  # every caller has its own bucket
    now[0] = 0.5
    assert buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(0.5)


def test_the_api_answers_429_with_retry_after_past_the_limit(engine, clock, actor):
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), rate_limit="1/min burst 2"
    )
    client = TestClient(create_app(settings, engine, clock), raise_server_exceptions=False)
    client.auth = AdminApiKey(engine, clock)
    statuses = [client.get("/api/v1/webhooks").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/v1/webhooks")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/health").status_code == 200
