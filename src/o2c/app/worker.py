"""The worker: ticks the schedules, then claims and runs due jobs until told to stop.

Any number of workers may share one PostgreSQL database: schedules queue each period once
and each job is claimed by one worker at a time. On SQLite one worker runs beside the API
in the server process (`o2c serve`), or `o2c jobs run-once` is called from cron.
A stop (SIGTERM, SIGINT) lets the running job finish, then the worker exits; a worker
killed outright leaves its job to be taken over when its lease runs out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from o2c.app.catalogue import JobServices, default_schedules, handlers
from o2c.app.telemetry import observe_job
from o2c.jobs.runner import Outcome, run_next
from o2c.jobs.scheduling import enqueue_due, install_schedules
from o2c.jobs.service import prune_finished

log = logging.getLogger("o2c.worker")

TICK_SECONDS = 30.0


def worker_name() -> str:
    """host:pid:random, unique per worker, readable in `o2c jobs list`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """One job at a time; run several worker processes (or machines) for more."""

    def __init__(
        self,
        services: JobServices,
        *,
        name: str | None = None,
        lease: timedelta | None = None,
        poll_seconds: float | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        settings = services.settings
        self.services = services
        self.name = name or worker_name()
        self.lease = lease or timedelta(seconds=settings.job_lease_seconds)
        self.poll_seconds = settings.worker_poll_seconds if poll_seconds is None else poll_seconds
        self.tick_seconds = tick_seconds
        self.handlers = handlers(services)
        self.stopping = threading.Event()
        self._last_tick = float("-inf")

    def tick(self) -> list[int]:
        """Give new companies their schedules, queue every due period, drop old jobs."""
        services = self.services
        install_schedules(services.new_uow(), default_schedules(services))
        queued = enqueue_due(services.new_uow())
        retention = timedelta(days=services.settings.job_retention_days)
        prune_finished(services.new_uow(), services.clock.now() - retention)
        self._last_tick = time.monotonic()
        if queued:
            log.info("queued %d scheduled jobs", len(queued), extra={"job_ids": queued})
        return queued

    def run_next(self) -> Outcome | None:
        """Claim and run one due job, or None when none is due."""
        return run_next(
            self.services.new_uow, self.handlers, self.name, lease=self.lease, observe=observe_job
        )

    def run_until_idle(self) -> list[Outcome]:
        """Tick once and run jobs until none is due (what `--once` and cron runs do)."""
        self.tick()
        outcomes: list[Outcome] = []
        while not self.stopping.is_set():
            outcome = self.run_next()
            if outcome is None:
                break
            outcomes.append(outcome)
        return outcomes

    def run_forever(self) -> None:
        """Until `stop()`: tick every `tick_seconds`, run due jobs, sleep when idle.

        A database that goes away (a PostgreSQL restart) is waited out: the error is logged
        and the loop tries again after the poll interval.
        """
        log.info("worker %s started", self.name, extra={"kinds": sorted(self.handlers)})
        while not self.stopping.is_set():
            try:
                if time.monotonic() - self._last_tick >= self.tick_seconds:
                    self.tick()
                outcome = self.run_next()
            except SQLAlchemyError:
                log.exception("worker %s: database unavailable; retrying", self.name)
                outcome = None
            if outcome is None:
                self.stopping.wait(self.poll_seconds)
        log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        """Finish the running job, then leave `run_forever`."""
        self.stopping.set()


class BackgroundWorker:
    """A worker on a thread of the server process: the in-process jobs of a SQLite install."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._thread = threading.Thread(target=worker.run_forever, name="o2c-worker", daemon=True)

    def __enter__(self) -> Worker:
        self._thread.start()
        return self.worker

    def __exit__(self, *_: object) -> None:
        self.worker.stop()
        self._thread.join()
