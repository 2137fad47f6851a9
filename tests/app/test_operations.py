"""What operators watch: readiness with the schema at head, Prometheus metrics, logs with
request ids, and the jobs API."""

from __future__ import annotations

import io
import json
import logging

from alembic.script import ScriptDirectory
from sqlalchemy import text

from o2c.app.health import readiness
from o2c.app.logs import JsonFormatter, RequestIdFilter, TextFormatter, log_handler
from o2c.app.schema import alembic_config
from o2c.jobs.service import enqueue
from tests.app.client import api_client


def test_ready_says_the_database_is_at_every_migration_head(engine, clock):
    client = api_client(engine, clock)
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": engine.dialect.name,
        "schema": "at head",
    }


def test_ready_refuses_traffic_while_a_migration_is_pending(engine, clock):
    # given a database one migration behind this code: the newest head not yet applied
    script = ScriptDirectory.from_config(alembic_config(engine))
    [newest] = script.get_revisions("heads")
    parents = newest.down_revision
    parents = parents if isinstance(parents, tuple) else (parents,)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": newest.revision}
        )
        for parent in parents:
            connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": parent})
    try:
        # when a probe asks
        response = api_client(engine, clock).get("/ready")
        state = readiness(engine)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            connection.execute(
                text("INSERT INTO alembic_version VALUES (:v)"), {"v": newest.revision}
            )

    # then it is not ready and names the migration
    assert response.status_code == 503
    assert newest.revision in response.json()["detail"]
    assert state.pending == (newest.revision,)


def test_metrics_count_requests_by_route_template_and_show_the_queue(engine, uow, actor, clock):
    # given a queued job and a few requests
    enqueue(uow, actor.company_id, "collections.dunning", "2026-03-02")
    client = api_client(engine, clock)
    for job_id in (1, 2, 3):
        client.get(f"/api/v1/jobs/{job_id}")

    # when Prometheus scrapes
    response = client.get("/metrics")

    # then requests are counted per template (not per id), and the queue depth is there
    assert response.status_code == 200
    body = response.text
    assert 'o2c_http_requests_total{method="GET",route="/api/v1/jobs/{job_id}"' in body
    assert 'route="/api/v1/jobs/1"' not in body
    assert "o2c_http_request_duration_seconds_bucket" in body
    assert 'o2c_jobs{kind="collections.dunning",status="queued"} 1.0' in body
    assert "o2c_job_queue_up 1.0" in body


def test_every_request_is_logged_with_its_request_id(engine, actor, clock):
    # given JSON logs captured from the http logger
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("o2c.http")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    client = api_client(engine, clock)
    try:
        # when a caller sends its id, and another sends a malformed one
        given = client.get("/api/v1/jobs", headers={"X-Request-ID": "req-42"})
        forged = client.get("/api/v1/jobs", headers={"X-Request-ID": "bad id\nFAKE LOG"})
    finally:
        logger.removeHandler(handler)

    # then the id comes back and stands on the log line; the malformed one is replaced
    assert given.headers["X-Request-ID"] == "req-42"
    replaced = forged.headers["X-Request-ID"]
    assert replaced != "bad id\nFAKE LOG"
    assert len(replaced) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    first = next(line for line in lines if line.get("request_id") == "req-42")
    assert (first["route"], first["status"], first["method"]) == ("/api/v1/jobs", 200, "GET")
    assert first["logger"] == "o2c.http"
    assert first["level"] == "INFO"
    assert any(line.get("request_id") == replaced for line in lines)


def test_text_logs_are_one_readable_line_with_the_request_id():
    record = logging.LogRecord("o2c.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    record.request_id = "abc"
    line = TextFormatter().format(record)
    assert line.endswith("WARNING o2c.x [abc] hello you")
    assert json.loads(JsonFormatter().format(record))["message"] == "hello you"
    assert RequestIdFilter().filter(record)


def test_the_jobs_api_lists_shows_and_retries(engine, uow, actor, clock):
    # given a job
    job_id, _ = enqueue(uow, actor.company_id, "collections.dunning", "2026-03-02")
    client = api_client(engine, clock)

    # when it is listed, shown, and retried (it is still waiting: retry means "now")
    listed = client.get("/api/v1/jobs", params={"status": "queued"})
    shown = client.get(f"/api/v1/jobs/{job_id}")
    retried = client.post(f"/api/v1/jobs/{job_id}/retry")
    missing = client.get("/api/v1/jobs/999999")
    schedules = client.get("/api/v1/jobs/schedules")

    # then the API tells its state, attempts and errors
    assert listed.status_code == 200
    assert listed.json()["total"] == 1
    assert shown.json()["kind"] == "collections.dunning"
    assert shown.json()["attempts"] == 0
    assert shown.json()["last_error"] is None
    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    assert missing.status_code == 404
    assert schedules.status_code == 200
    assert schedules.json() == []
