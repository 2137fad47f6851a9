"""`o2c worker` and `o2c jobs ...`: run the background jobs, and see and steer them.

o2c worker [--once]                 process jobs until SIGTERM (or until none is due)
o2c jobs list [--status failed]     jobs with state, attempts and last error
o2c jobs retry ID                   run a failed job again
o2c jobs run-once [--kind KIND]     queue the due schedules and run every due job, then exit
o2c jobs enqueue KIND [--key K]     queue one job now (e.g. a dunning run for a day)
o2c jobs schedules | schedule KIND CRON [--disable]
"""

from __future__ import annotations

import json
import signal
from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from o2c.app.catalogue import HANDLERS, JobServices
from o2c.app.context import AppContext
from o2c.app.logs import configure_logging
from o2c.app.worker import Worker
from o2c.db.engine import session_factory
from o2c.jobs.model import JobStatus
from o2c.jobs.runner import Outcome
from o2c.jobs.scheduling import list_schedules, set_schedule
from o2c.jobs.service import JobFilter, enqueue, list_jobs, retry_job
from o2c.jobs.tables import Job
from o2c.kernel.errors import FieldError, ValidationFailed

app = typer.Typer(help="Background jobs: list, retry, run, schedule.", no_args_is_help=True)


def _context(ctx: typer.Context) -> AppContext:
    context = ctx.obj
    assert isinstance(context, AppContext)
    return context


def services_of(context: AppContext) -> JobServices:
    return JobServices(session_factory(context.engine), context.clock, context.settings)


def _known(kind: str) -> str:
    if kind not in HANDLERS:
        known = ", ".join(sorted(HANDLERS))
        raise ValidationFailed([FieldError("kind", f"unknown job kind {kind!r} (one of {known})")])
    return kind


def _print_outcomes(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        job = outcome.job
        line = f"job {job.id} {job.kind} {job.key}: {outcome.status} in {outcome.seconds:.2f}s"
        typer.echo(line + (f" ({outcome.error})" if outcome.error else ""))


def worker_command(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run every due job, then exit (for cron)")
    ] = False,
) -> None:
    """Process background jobs (dunning, billing, mail, statements, ...) until stopped."""
    context = _context(ctx)
    settings = context.settings
    configure_logging(settings.log_format, settings.log_level)
    worker = Worker(services_of(context))
    if once:
        outcomes = worker.run_until_idle()
        _print_outcomes(outcomes)
        if any(o.status == "failed" for o in outcomes):
            raise typer.Exit(1)
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop())
    worker.run_forever()


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[JobStatus | None, typer.Option("--status")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per job")] = False,
) -> None:
    """The company's jobs, newest first: state, attempts, last error."""
    context = _context(ctx)
    rows, total = list_jobs(context.uow(), context.actor(), JobFilter(status, kind, limit))
    if as_json:
        for job in rows:
            typer.echo(json.dumps(_job_json(job), default=str))
        return
    table = Table(title=f"Jobs ({len(rows)} of {total})")
    for column in ("Id", "Kind", "Key", "Status", "Tries", "Run at", "Last error"):
        table.add_column(column)
    for job in rows:
        table.add_row(
            str(job.id),
            job.kind,
            job.key,
            job.status,
            f"{job.attempts}/{job.max_attempts}",
            job.run_at.strftime("%Y-%m-%d %H:%M"),
            (job.last_error or "")[:80],
        )
    Console().print(table)


def _job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "key": job.key,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_at": job.run_at.isoformat(),
        "last_error": job.last_error,
        "result": job.result,
    }


@app.command("retry")
def retry_command(ctx: typer.Context, job_id: Annotated[int, typer.Argument()]) -> None:
    """Queue a failed job to run again now (the next worker takes it)."""
    context = _context(ctx)
    job = retry_job(context.uow(), context.actor(), job_id)
    typer.echo(f"job {job.id} {job.kind} {job.key} queued again")


@app.command("run-once")
def run_once_command(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="Only jobs of this kind")] = None,
) -> None:
    """Queue what the schedules say is due and run every due job in this process, then exit."""
    context = _context(ctx)
    worker = Worker(services_of(context))
    if kind is not None:
        worker.handlers = {_known(kind): worker.handlers[kind]}
    outcomes = worker.run_until_idle()
    _print_outcomes(outcomes)
    if not outcomes:
        typer.echo("no job due")
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


@app.command("enqueue")
def enqueue_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument()],
    as_of: Annotated[
        date | None, typer.Option("--as-of", parser=date.fromisoformat, metavar="DATE")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="Default: manual-<as-of>")] = None,
    delay: Annotated[int, typer.Option("--delay", metavar="SECONDS", min=0)] = 0,
) -> None:
    """Queue one job now; the same key again is the same job (queued once)."""
    context = _context(ctx)
    actor = context.actor()
    uow = context.uow()
    day = as_of or uow.clock.today()
    run_at = uow.clock.now() + timedelta(seconds=delay)
    job_id, created = enqueue(
        uow,
        actor.company_id,
        _known(kind),
        key or f"manual-{day.isoformat()}",
        {"as_of": day.isoformat()},
        run_at=run_at,
    )
    typer.echo(f"job {job_id} " + ("queued" if created else "already exists (same key)"))


@app.command("schedules")
def schedules_command(ctx: typer.Context) -> None:
    """When each kind of job is queued for the company (cron, UTC)."""
    context = _context(ctx)
    table = Table(title="Schedules (UTC)")
    for column in ("Kind", "Cron", "Enabled", "Last queued"):
        table.add_column(column)
    for schedule in list_schedules(context.uow(), context.actor()):
        fired = schedule.last_fired_at
        table.add_row(
            schedule.kind,
            schedule.cron,
            "yes" if schedule.enabled else "no",
            fired.strftime("%Y-%m-%d %H:%M") if fired else "",
        )
    Console().print(table)


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument()],
    cron: Annotated[str, typer.Argument(help="Five fields, UTC, e.g. '0 5 * * 1-5'")],
    disable: Annotated[bool, typer.Option("--disable")] = False,
) -> None:
    """Set when the company's jobs of KIND are queued, or switch them off."""
    context = _context(ctx)
    schedule = set_schedule(context.uow(), context.actor(), _known(kind), cron, enabled=not disable)
    state = "enabled" if schedule.enabled else "disabled"
    typer.echo(f"{schedule.kind}: {schedule.cron} ({state})")
