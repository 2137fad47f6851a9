"""Running one claimed job: the handler, a lease kept alive beside it, the outcome recorded.

The runner knows no domain: the composition root hands it a handler per job kind. A
handler gets the job (company, key, payload) and returns a small JSON summary that is
stored as the job's result. Whatever it raises is recorded as the attempt's error and the
traceback is logged; domain refusals fail the job for good, anything else is retried.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from o2c.db.uow import UnitOfWork
from o2c.jobs.model import DEFAULT_LEASE, ClaimedJob, JobStatus, is_permanent
from o2c.jobs.service import claim, extend_lease, fail, succeed

log = logging.getLogger("o2c.jobs")

Handler = Callable[[ClaimedJob], dict[str, Any] | None]


@dataclass(frozen=True)
class Outcome:
    job: ClaimedJob
    status: str
    """succeeded | retrying | failed | lost (the lease ran out and another worker took over)."""
    seconds: float
    error: str | None = None


Observer = Callable[[Outcome], None]


class Heartbeat:
    """Extends a running job's lease every third of its length, in a thread of its own.

    A busy database (SQLite's writer lock held by the job itself) may delay a beat; the
    beat is logged and tried again at the next interval, well before the lease runs out.
    """

    def __init__(self, new_uow: Callable[[], UnitOfWork], job: ClaimedJob, lease: timedelta):
        self._new_uow = new_uow
        self._job = job
        self._lease = lease
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job.id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = self._lease.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                if not extend_lease(self._new_uow(), self._job, self._lease):
                    self.lost = True
                    log.warning("job %s lost its lease to another worker", self._job.id)
                    return
            except SQLAlchemyError:
                log.warning("could not extend the lease of job %s", self._job.id, exc_info=True)


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text}"


def run_next(
    new_uow: Callable[[], UnitOfWork],
    handlers: Mapping[str, Handler],
    worker: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    observe: Observer | None = None,
) -> Outcome | None:
    """Claim the next due job of a kind in `handlers`, run it, record how it ended.

    Returns None when no job is due. Only kinds this worker can run are claimed, so a
    worker of an older release leaves newer kinds to the workers that know them.
    """
    job = claim(new_uow(), worker, lease, kinds=sorted(handlers))
    if job is None:
        return None
    started = time.monotonic()
    error: BaseException | None = None
    result: dict[str, Any] | None = None
    with Heartbeat(new_uow, job, lease):
        try:
            result = handlers[job.kind](job)
        except Exception as exc:  # recorded on the job and logged with its traceback below
            error = exc
    seconds = time.monotonic() - started
    if error is None:
        held = succeed(new_uow(), job, result)
        outcome = Outcome(job, "succeeded" if held else "lost", seconds)
    else:
        log.error(
            "job %s (%s %s) attempt %s failed\n%s",
            job.id,
            job.kind,
            job.key,
            job.attempt,
            "".join(traceback.format_exception(error)),
        )
        failure = fail(new_uow(), job, _describe(error), permanent=is_permanent(error))
        status = {JobStatus.QUEUED: "retrying", JobStatus.FAILED: "failed", None: "lost"}
        outcome = Outcome(job, status[failure.status], seconds, _describe(error))
    log.info(
        "job %s %s",
        job.id,
        outcome.status,
        extra={"job_id": job.id, "job_kind": job.kind, "job_key": job.key, "seconds": seconds},
    )
    if observe is not None:
        observe(outcome)
    return outcome
