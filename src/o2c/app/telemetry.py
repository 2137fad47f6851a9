"""Prometheus metrics and the per-request log line, with the request id that ties them.

`/metrics` serves request counts and latency by route template (never by raw path, which
would make a series per invoice id), job attempts and durations by kind and outcome, and
the queue's depth read from the database at scrape time. With several server processes
(`o2c serve --workers N`) the counters live in PROMETHEUS_MULTIPROC_DIR and every process
answers for all of them.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from o2c.db.uow import UnitOfWork
from o2c.jobs.runner import Outcome
from o2c.jobs.service import queue_depth
from o2c.kernel.request_id import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})

log = logging.getLogger("o2c.http")

HTTP_REQUESTS = Counter(
    "o2c_http_requests_total",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "o2c_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOB_RUNS = Counter(
    "o2c_job_runs_total",
    "Job attempts by kind and outcome (succeeded, retrying, failed, lost)",
    ["kind", "outcome"],
)
JOB_SECONDS = Histogram(
    "o2c_job_duration_seconds",
    "Time a job attempt ran, by kind",
    ["kind"],
    buckets=(0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
)


def observe_job(outcome: Outcome) -> None:
    """The worker's observer: one attempt counted and timed."""
    JOB_RUNS.labels(outcome.job.kind, outcome.status).inc()
    JOB_SECONDS.labels(outcome.job.kind).observe(outcome.seconds)


class QueueCollector(Collector):
    """The queue's depth, read when Prometheus scrapes (one grouped query)."""

    def __init__(self, new_uow: Callable[[], UnitOfWork]) -> None:
        self._new_uow = new_uow

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("o2c_job_queue_up", "1 when the queue's depth could be read")
        jobs = GaugeMetricFamily(
            "o2c_jobs", "Unfinished and failed jobs by kind and status", labels=["kind", "status"]
        )
        oldest = GaugeMetricFamily(
            "o2c_job_oldest_due_seconds",
            "Age of the oldest queued job's due time, by kind (how far workers lag)",
            labels=["kind"],
        )
        try:
            uow = self._new_uow()
            depth = queue_depth(uow)
            now = uow.clock.now()
        except SQLAlchemyError:
            log.warning("queue depth unavailable", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for row in depth:
            jobs.add_metric([row.kind, row.status], row.count)
            if row.status == "queued" and row.oldest_due is not None:
                oldest.add_metric([row.kind], max(0.0, (now - row.oldest_due).total_seconds()))
        yield from (up, jobs, oldest)


def _process_registry() -> CollectorRegistry:
    """This process's metrics, or every server process's under PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def request_id_of(header: str | None) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one (no log injection)."""
    if header and _VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template with the prefixes it was mounted under.

    Routers included under /api/v1 report their own template (`/jobs/{job_id}`); the
    prefix is the request path's leading segments that the template does not cover, which
    are literal prefixes, never ids. A request that matched no route is `unmatched`, so
    scanning random URLs cannot create a series per URL.
    """
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return "unmatched"
    if ":path}" in template:
        return template
    covered = len([part for part in template.split("/") if part])
    segments = [part for part in str(scope.get("path", "")).split("/") if part]
    prefix = segments[: max(0, len(segments) - covered)]
    return "/" + "/".join([*prefix, *(p for p in template.split("/") if p)])


class TelemetryMiddleware:
    """Outermost layer: fixes the request id, times the request, logs and counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request_id = request_id_of(request.headers.get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._record(scope, request, status, time.perf_counter() - started)
            request_id_var.reset(token)

    @staticmethod
    def _record(scope: Scope, request: Request, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = request.method
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        HTTP_SECONDS.labels(method, route).observe(seconds)
        level = logging.DEBUG if request.url.path in QUIET_PATHS else logging.INFO
        log.log(
            level,
            "%s %s %s %.1f ms",
            method,
            request.url.path,
            status,
            seconds * 1000,
            extra={
                "method": method,
                "path": request.url.path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "client": request.client.host if request.client else None,
            },
        )


def install_telemetry(app: FastAPI, new_uow: Callable[[], UnitOfWork]) -> None:
    """Add the middleware (outermost: install after the error handlers) and `/metrics`."""
    queue = CollectorRegistry(auto_describe=False)
    queue.register(QueueCollector(new_uow))
    app.add_middleware(TelemetryMiddleware)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus text exposition: process, HTTP and job metrics, then the queue."""
        body = generate_latest(_process_registry()) + generate_latest(queue)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
