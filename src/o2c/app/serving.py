"""How `o2c serve` runs: one process with the jobs beside it, or N API processes.

One process (the default) serves the API and, on SQLite, runs the background jobs on a
thread of its own: the embedded install needs nothing else. `--workers N` starts N API
processes through uvicorn (PostgreSQL only; run `o2c worker` processes for the jobs); their
metrics are shared through a PROMETHEUS_MULTIPROC_DIR made for the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from o2c.app.api import create_app
from o2c.app.context import AppContext
from o2c.app.jobs_cli import services_of
from o2c.app.logs import UVICORN_LOG_CONFIG
from o2c.app.worker import BackgroundWorker, Worker
from o2c.kernel.errors import FieldError, ValidationFailed

WORKER_START_SECONDS = 120


def run_server(
    context: AppContext, host: str, port: int, workers: int = 1, jobs: bool | None = None
) -> None:
    """Serve until stopped; `jobs` None means: in-process jobs exactly when on SQLite."""
    sqlite = context.engine.dialect.name == "sqlite"
    if workers > 1:
        problems = []
        if sqlite:
            problems.append(FieldError("workers", "several API processes need PostgreSQL"))
        if jobs:
            problems.append(FieldError("jobs", "with --workers, run `o2c worker` for the jobs"))
        if problems:
            raise ValidationFailed(problems)
        _serve_processes(context, host, port, workers)
        return
    api = create_app(context.settings, context.engine, context.clock)
    if sqlite if jobs is None else jobs:
        _run_jobs_alongside(api, BackgroundWorker(Worker(services_of(context))))
    uvicorn.run(api, host=host, port=port, log_config=UVICORN_LOG_CONFIG, access_log=False)


def _run_jobs_alongside(api: FastAPI, background: BackgroundWorker) -> None:
    """Start the worker thread with the server and stop it (after its running job) on
    shutdown: inside the app's lifespan, since uvicorn re-raises SIGTERM once it has shut
    down, which would end the process before code after `uvicorn.run` could stop the thread.
    """
    serving = api.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serving(app):
            with background:
                yield

    api.router.lifespan_context = lifespan


def _serve_processes(context: AppContext, host: str, port: int, workers: int) -> None:
    # Each process builds its app from the environment: hand it the database chosen here.
    os.environ["O2C_DATABASE_URL"] = context.settings.database_url
    made = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        made = tempfile.mkdtemp(prefix="o2c-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    try:
        uvicorn.run(
            "o2c.app.asgi:create",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Each process imports the whole app (scikit-learn included) before it answers
            # the supervisor's first ping: give a loaded machine more than uvicorn's 5 s.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
            log_config=UVICORN_LOG_CONFIG,
            access_log=False,
        )
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
