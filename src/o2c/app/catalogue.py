"""Every kind of background job, what it calls, and when each company runs it by default.

The queue (`o2c.jobs`) knows no domain; this module, in the composition root, maps each
job kind to the domain service it runs. Every handler calls a service that is idempotent
for the job's key (dunning per day, billing per period, autopay per instalment attempt,
statement files by hash), so a job that is retried or taken over after a crash repeats
nothing that had committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from o2c.analytics.credit_scoring import refresh_scores
from o2c.analytics.service import train_payment_model
from o2c.app.audit_trail import seal_company
from o2c.app.statement_drop import import_dropped
from o2c.cashapp.service import match
from o2c.collections.delivery import deliver, queue_mails
from o2c.collections.running import run_dunning
from o2c.credit.reassessment import REASSESS
from o2c.db.uow import UnitOfWork
from o2c.fraud.service import scan as fraud_scan
from o2c.integration.webhook_delivery import DeliveryPolicy, deliver_webhooks
from o2c.integration.webhook_sending import post_json
from o2c.jobs.model import ClaimedJob
from o2c.jobs.runner import Handler
from o2c.jobs.scheduling import ScheduleDefault
from o2c.jobs.service import enqueue
from o2c.kernel.clock import Clock
from o2c.kernel.config import Settings
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.notices.compose import Audience
from o2c.notices.service import send_notices
from o2c.notify.smtp import MailTransport, smtp_transport_from
from o2c.orders.credit_decisions import release_passing, review_limits
from o2c.payments.autopay import run_autopay
from o2c.payments.gateway import PaymentGateway
from o2c.security.model import Actor, system_actor
from o2c.security.service import get_company
from o2c.subscriptions.service import run_billing

DUNNING = "collections.dunning"
BILLING = "subscriptions.billing"
AUTOPAY = "payments.autopay"
MAIL = "notify.deliver"
STATEMENTS = "cashapp.statement_drop"
MATCHING = "cashapp.match"
TRAINING = "analytics.train"
CREDIT_REASSESS = REASSESS
CREDIT_SCORES = "credit.scores"
CREDIT_REVIEW = "credit.limit_review"
NOTICES = "notices.send"
FRAUD = "fraud.scan"
SEAL = "security.seal"
WEBHOOKS = "integration.webhooks"


@dataclass
class JobServices:
    """What handlers run against; a worker builds one, tests swap the gateway and mail."""

    sessions: sessionmaker[Session]
    clock: Clock
    settings: Settings
    gateway: PaymentGateway | None = None
    """The payment provider autopay charges; none until one is configured."""
    transport: MailTransport | None = None
    """Mail transport; by default the SMTP server of the settings, if any."""
    settle_seconds: float = 5.0

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.clock)

    def mail_transport(self) -> MailTransport | None:
        return self.transport or smtp_transport_from(self.settings)


def _actor(job: ClaimedJob) -> Actor:
    return system_actor(job.company_id, f"job:{job.kind}")


def _as_of(job: ClaimedJob, services: JobServices) -> date:
    """The day the job stands for: its schedule's fire date, else today."""
    text = job.payload.get("as_of")
    return date.fromisoformat(text) if isinstance(text, str) else services.clock.today()


def dunning(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """The day's dunning run, then its mails queued (sent by the mail job)."""
    actor, day = _actor(job), _as_of(job, services)
    report = run_dunning(services.new_uow(), actor, day)
    queued = queue_mails(services.new_uow(), actor, day)
    return {"as_of": day.isoformat(), "actions": report.actions, "mails_queued": queued}


def billing(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    charges = run_billing(services.new_uow(), _actor(job), _as_of(job, services))
    return {"invoices": len(charges), "invoice_ids": sorted({c.invoice_id for c in charges})}


def autopay(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    if services.gateway is None:
        raise ValidationFailed([FieldError("gateway", "no payment gateway is configured")])
    results = run_autopay(services.new_uow(), _actor(job), services.gateway, _as_of(job, services))
    approved = sum(1 for r in results if r.approved)
    return {"charged": approved, "declined": len(results) - approved}


def mail(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Send the company's queued mail and update the dunning actions' delivery status."""
    transport = services.mail_transport()
    if transport is None:
        return {"sent": 0, "failed": 0, "waiting": "no SMTP host configured (O2C_SMTP_HOST)"}
    report = deliver(services.new_uow(), _actor(job), transport)
    return {"sent": report.sent, "failed": report.failed}


def drop_directory(services: JobServices, job: ClaimedJob) -> Path:
    """The job's folder: its payload's `directory`, else <O2C_STATEMENT_DROP_DIR>/<company>."""
    named = job.payload.get("directory")
    if isinstance(named, str) and named:
        return Path(named)
    if not services.settings.statement_drop_dir:
        raise ValidationFailed(
            [FieldError("directory", "no drop folder: set O2C_STATEMENT_DROP_DIR")]
        )
    with services.new_uow() as uow:
        code = get_company(uow, job.company_id).code
    return Path(services.settings.statement_drop_dir) / code


def statements(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Import the statements waiting in the company's folder; queue matching for new lines."""
    folder = drop_directory(services, job)
    report = import_dropped(services.new_uow, _actor(job), folder, services.settle_seconds)
    result: dict[str, Any] = {"directory": str(folder), **report.as_dict()}
    if report.new_lines:
        result["matching_job"], _ = enqueue(
            services.new_uow(), job.company_id, MATCHING, f"after-{job.kind}-{job.id}"
        )
    return result


def matching(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    summary = match(services.new_uow(), _actor(job))
    return {"lines": summary.lines, "by_status": summary.by_status, "payments": summary.payments}


def training(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Retrain the payment-date model; a company without enough history yet is told so."""
    day = _as_of(job, services)
    try:
        trained = train_payment_model(services.new_uow(), _actor(job), day)
    except ValidationFailed as error:
        return {"trained": False, "reason": error.detail}
    return {"trained": True, "version": trained.version, "invoices": trained.training_count}


def fraud(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """The day's fraud scan; findings already queued are not raised again."""
    result = fraud_scan(services.new_uow(), _actor(job), _as_of(job, services))
    return {"as_of": result.as_of.isoformat(), "found": result.found, "raised": result.raised}


def notices(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Queue the customer and staff notices of new outbox events (sent by the mail job)."""
    audience = Audience(staff_address=services.settings.staff_notice_address)
    report = send_notices(services.new_uow(), _actor(job), audience)
    return {"queued": report.queued, "skipped": report.skipped}


def credit_reassess(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """After payments: rescore the payers, then release their held orders that now pass."""
    ids = [int(i) for i in job.payload.get("customer_ids", [])]
    actor, day = _actor(job), services.clock.today()
    scored = refresh_scores(services.new_uow(), actor, day, ids)
    outcome = release_passing(services.new_uow(), actor, ids)
    return {"scored": scored, "released": outcome.released, "still_held": outcome.still_held}


def credit_scores(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Rescore every active customer (disputes and promises change without a payment)."""
    return {"scored": refresh_scores(services.new_uow(), _actor(job), _as_of(job, services))}


def credit_review(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Propose new credit limits from scores and exposure, for a credit manager to decide."""
    proposed = review_limits(services.new_uow(), _actor(job), _as_of(job, services))
    return {"proposed": len(proposed), "review_ids": proposed}


def seal(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Seal the company's new audit records and journal entries into their hash chains."""
    return {"sealed": seal_company(services.new_uow(), job.company_id)}


def webhooks(services: JobServices, job: ClaimedJob) -> dict[str, Any]:
    """Fan the company's new events out to its webhooks and send what is due."""
    policy = DeliveryPolicy(
        timeout_seconds=services.settings.webhook_timeout_seconds,
        max_attempts=services.settings.webhook_max_attempts,
    )
    return asdict(deliver_webhooks(services.new_uow(), job.company_id, post_json, policy))


HANDLERS: dict[str, Callable[[JobServices, ClaimedJob], dict[str, Any]]] = {
    DUNNING: dunning,
    BILLING: billing,
    AUTOPAY: autopay,
    MAIL: mail,
    STATEMENTS: statements,
    MATCHING: matching,
    TRAINING: training,
    CREDIT_REASSESS: credit_reassess,
    CREDIT_SCORES: credit_scores,
    CREDIT_REVIEW: credit_review,
    NOTICES: notices,
    FRAUD: fraud,
    SEAL: seal,
    WEBHOOKS: webhooks,
}


def handlers(services: JobServices) -> dict[str, Handler]:
    """Every kind's handler bound to `services`."""

    def bind(run: Callable[[JobServices, ClaimedJob], dict[str, Any]]) -> Handler:
        return lambda job: run(services, job)

    return {kind: bind(run) for kind, run in HANDLERS.items()}


def default_schedules(services: JobServices) -> list[ScheduleDefault]:
    """Each company's schedules unless an operator changed them (cron, UTC).

    Billing runs before dunning so that the day's new invoices count; mail every five
    minutes; autopay and the statement folder only where a gateway or folder is configured.
    """
    defaults = [
        ScheduleDefault(BILLING, "0 4 * * *"),
        ScheduleDefault(DUNNING, "0 5 * * *"),
        ScheduleDefault(MAIL, "*/5 * * * *"),
        ScheduleDefault(NOTICES, "* * * * *"),
        ScheduleDefault(TRAINING, "0 2 * * 0"),
        ScheduleDefault(CREDIT_SCORES, "0 3 * * *"),
        ScheduleDefault(CREDIT_REVIEW, "0 7 * * 1"),
        ScheduleDefault(FRAUD, "30 3 * * *"),
        ScheduleDefault(SEAL, "* * * * *"),
        ScheduleDefault(WEBHOOKS, "* * * * *"),
    ]
    if services.gateway is not None:
        defaults.append(ScheduleDefault(AUTOPAY, "0 6 * * *"))
    if services.settings.statement_drop_dir:
        defaults.append(ScheduleDefault(STATEMENTS, "*/10 * * * *"))
    return defaults
