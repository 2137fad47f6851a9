"""The job queue on SQLite and PostgreSQL: once per key, retries, leases, schedules, two workers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.jobs.model import JobStatus, latest_fire, retry_delay
from o2c.jobs.runner import run_next
from o2c.jobs.scheduling import ScheduleDefault, enqueue_due, install_schedules, set_schedule
from o2c.jobs.service import claim, enqueue, get_job, retry_job, succeed
from o2c.jobs.tables import Job
from o2c.kernel.errors import InvalidTransition, ValidationFailed

LEASE = timedelta(minutes=5)


@pytest.fixture
def new_uow(engine, clock):
    return lambda: UnitOfWork(session_factory(engine), clock)


def _job(uow, job_id) -> Job:
    with uow:
        job = uow.session.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_queued_twice_under_one_key_runs_once(uow, actor, new_uow):
    # given the same work queued twice
    first, created = enqueue(uow, actor.company_id, "demo", "2026-03-02", {"n": 1})
    second, again = enqueue(uow, actor.company_id, "demo", "2026-03-02", {"n": 2})
    runs = []
    handlers = {"demo": lambda job: runs.append(job.payload) or {"done": True}}

    # when a worker runs until nothing is due
    outcomes = [run_next(new_uow, handlers, "w1") for _ in range(3)]

    # then there was one job, run once, with its result stored
    assert (first, created, again) == (second, True, False)
    assert runs == [{"n": 1}]
    assert [o.status for o in outcomes if o] == ["succeeded"]
    job = _job(uow, first)
    assert (job.status, job.attempts, job.result) == ("succeeded", 1, {"done": True})


def test_a_failed_attempt_is_retried_after_its_backoff_then_succeeds(uow, actor, new_uow, clock):
    # given a job whose first attempt hits a temporary error
    job_id, _ = enqueue(uow, actor.company_id, "flaky", "k")
    calls = []

    def flaky(job):
        calls.append(job.attempt)
        if job.attempt == 1:
            raise ConnectionError("mail server away")
        return {"ok": True}

    # when it runs, fails, and the clock passes the backoff delay
    failed = run_next(new_uow, {"flaky": flaky}, "w1")
    waiting = _job(uow, job_id)
    too_early = run_next(new_uow, {"flaky": flaky}, "w1")
    clock.advance(seconds=retry_delay(1).total_seconds())
    retried = run_next(new_uow, {"flaky": flaky}, "w1")

    # then the error is recorded, nothing runs before the delay, and the retry succeeds
    assert failed is not None
    assert failed.status == "retrying"
    assert waiting.status == "queued"
    assert waiting.attempts == 1
    assert waiting.last_error == "ConnectionError: mail server away"
    assert waiting.run_at == clock.now()
    assert too_early is None
    assert retried is not None
    assert retried.status == "succeeded"
    assert calls == [1, 2]


def test_a_domain_refusal_fails_for_good_until_an_operator_retries(uow, actor, new_uow):
    # given a job the domain refuses (no retry can fix it by itself)
    job_id, _ = enqueue(uow, actor.company_id, "strict", "k")
    refuse = {"strict": lambda job: (_ for _ in ()).throw(ValidationFailed("no strategy"))}
    outcome = run_next(new_uow, refuse, "w1")
    assert outcome is not None
    assert outcome.status == "failed"
    assert _job(uow, job_id).status == "failed"

    # when the operator retries it after fixing the cause
    retried = retry_job(uow, actor, job_id)
    done = run_next(new_uow, {"strict": lambda job: None}, "w1")

    # then it runs again, as one more attempt
    assert retried.status == "queued"
    assert done is not None
    assert done.status == "succeeded"
    assert _job(uow, job_id).attempts == 2


def test_only_failed_or_waiting_jobs_can_be_retried(uow, actor, new_uow):
    job_id, _ = enqueue(uow, actor.company_id, "demo", "k")
    run_next(new_uow, {"demo": lambda job: None}, "w1")
    with pytest.raises(InvalidTransition):
        retry_job(uow, actor, job_id)


def test_a_dead_workers_job_is_taken_over_when_its_lease_runs_out(uow, actor, new_uow, clock):
    # given worker A claimed a job and died without a word
    job_id, _ = enqueue(uow, actor.company_id, "demo", "k")
    held_by_a = claim(new_uow(), "A", LEASE)
    assert held_by_a is not None

    # when B looks before and after A's lease ran out
    before = claim(new_uow(), "B", LEASE)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    taken = claim(new_uow(), "B", LEASE)

    # then B takes it over only after the lease, as a new attempt, and A can no longer finish it
    assert before is None
    assert taken is not None
    assert (taken.id, taken.attempt, taken.worker) == (job_id, 2, "B")
    assert "interrupted" in (_job(uow, job_id).last_error or "")
    assert succeed(new_uow(), held_by_a, {"by": "A"}) is False
    assert succeed(new_uow(), taken, {"by": "B"}) is True
    assert _job(uow, job_id).result == {"by": "B"}


def test_a_job_whose_worker_died_on_its_last_attempt_fails(uow, actor, new_uow, clock):
    enqueue(uow, actor.company_id, "demo", "k", max_attempts=1)
    job = claim(new_uow(), "A", LEASE)
    assert job is not None
    clock.advance(seconds=LEASE.total_seconds() + 1)

    assert claim(new_uow(), "B", LEASE) is None
    failed = _job(uow, job.id)
    assert failed.status == "failed"
    assert "last attempt" in (failed.last_error or "")


def test_a_running_job_keeps_its_lease_while_its_worker_beats(engine, uow, actor):
    # given a job whose handler outlasts several lengths of a short lease (real clock)
    job_id, _ = enqueue(uow, actor.company_id, "slow", "k")
    sessions = session_factory(engine)
    lease = timedelta(seconds=0.3)
    seen = {}

    def slow(job):
        time.sleep(1.0)
        seen["other"] = claim(UnitOfWork(sessions), "B", lease)
        return

    # when it runs while another worker tries to claim it
    outcome = run_next(lambda: UnitOfWork(sessions), {"slow": slow}, "A", lease=lease)

    # then the heartbeat kept the lease: nobody took it over, and A finished it
    assert seen["other"] is None
    assert outcome is not None
    assert (outcome.job.id, outcome.status) == (job_id, "succeeded")


def test_two_workers_never_run_the_same_job(engine, actor, clock):
    # given forty jobs and two workers polling side by side
    sessions = session_factory(engine)
    uow = UnitOfWork(sessions, clock)
    for n in range(40):
        enqueue(uow, actor.company_id, "count", f"job-{n}")
    ran: Counter[int] = Counter()
    lock = threading.Lock()

    def count(job):
        with lock:
            ran[job.id] += 1
        time.sleep(0.005)
        return

    def work(name: str) -> None:
        while run_next(lambda: UnitOfWork(sessions, clock), {"count": count}, name):
            pass

    # when both drain the queue at once
    workers = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    # then every job ran exactly once and all are done
    assert len(ran) == 40
    assert set(ran.values()) == {1}
    with uow:
        statuses = set(uow.session.scalars(select(Job.status)))
    assert statuses == {JobStatus.SUCCEEDED.value}


def test_a_schedule_queues_each_period_once(uow, actor, clock):
    # given a daily 05:00 schedule installed at 09:00 (the day's run counts as done)
    install_schedules(uow, [ScheduleDefault("daily", "0 5 * * *", {"x": 1})])
    assert enqueue_due(uow) == []

    # when the next day's fire time passes and several ticks happen
    clock.advance(hours=20, minutes=1)
    first = enqueue_due(uow)
    second = enqueue_due(uow)
    clock.advance(days=1)
    next_day = enqueue_due(uow)

    # then one job per day, keyed and dated by its period
    assert len(first) == 1
    assert second == []
    assert len(next_day) == 1
    job = get_job(uow, actor, first[0])
    assert job.key == "2026-03-03T05:00Z"
    assert job.payload == {
        "x": 1,
        "as_of": "2026-03-03",
        "scheduled_for": "2026-03-03T05:00:00+00:00",
    }


def test_an_operator_schedule_is_validated_and_kept_over_defaults(uow, actor):
    with pytest.raises(ValidationFailed):
        set_schedule(uow, actor, "daily", "every day at five")
    set_schedule(uow, actor, "daily", "30 6 * * 1-5")
    install_schedules(uow, [ScheduleDefault("daily", "0 5 * * *")])
    from o2c.jobs.scheduling import list_schedules

    assert [(s.kind, s.cron) for s in list_schedules(uow, actor)] == [("daily", "30 6 * * 1-5")]


def test_the_latest_fire_time_is_at_or_before_now():
    now = datetime(2026, 3, 2, 5, 0, 30, tzinfo=UTC)
    assert latest_fire("0 5 * * *", now) == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert latest_fire("0 5 * * *", now - timedelta(minutes=1)) == datetime(
        2026, 3, 1, 5, 0, tzinfo=UTC
    )
    assert latest_fire("*/5 * * * *", now) == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
