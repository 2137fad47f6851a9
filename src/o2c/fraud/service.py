"""Fraud use cases: scan for findings, list the review queue, confirm or dismiss an alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.fraud.detection import RULES, Window
from o2c.fraud.model import AlertStatus, Decision, Finding, Rule, Thresholds, reviewed_status
from o2c.fraud.tables import FraudAlert
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

CHUNK = 500  # fingerprints per IN (...)


@dataclass(frozen=True)
class ScanResult:
    """What a scan looked at and what it added to the queue (repeats are not counted)."""

    since: date
    as_of: date
    found: dict[str, int]
    raised: dict[str, int]
    alert_ids: list[int]


def scan(
    uow: UnitOfWork, actor: Actor, as_of: date | None = None, thresholds: Thresholds | None = None
) -> ScanResult:
    """Run every rule over the documents dated in the lookback window ending `as_of` and
    queue each new finding as an open alert with its evidence.

    A finding already queued (same rule, same rows: its fingerprint), whatever its review
    status, is not raised again, so scans repeat safely, and concurrent scans insert each
    alert once (the fingerprint is a unique key; the loser's insert does nothing).
    """
    actor.require(Permission.FRAUD_REVIEW)
    t = thresholds or Thresholds()
    with uow:
        day = as_of or uow.clock.today()
        window = Window(actor.company_id, day - timedelta(days=t.lookback_days), day)
        findings = [finding for rule in RULES for finding in rule(uow.session, window, t)]
        new = _new(uow, actor.company_id, findings)
        ids = _raise(uow, actor, new, t)
        result = ScanResult(
            window.since,
            day,
            _count(f.rule for f in findings),
            _count(f.rule for f in new),
            ids,
        )
        audit(
            uow,
            actor,
            "fraud.scan",
            "fraud_scan",
            day.isoformat(),
            {"since": window.since.isoformat(), "found": result.found, "raised": result.raised},
        )
        if ids:
            uow.publish(actor.company_id, "fraud.alerts_raised", {"ids": ids})
        uow.commit()
        return result


def _count(rules: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.value] = counts.get(rule.value, 0) + 1
    return counts


def _new(uow: UnitOfWork, company_id: int, findings: Sequence[Finding]) -> list[Finding]:
    """The findings not yet queued, each once."""
    unique = {f.fingerprint: f for f in findings}
    keys = sorted(unique)
    known: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        known.update(
            uow.session.scalars(
                select(FraudAlert.fingerprint).where(
                    FraudAlert.company_id == company_id,
                    FraudAlert.fingerprint.in_(keys[start : start + CHUNK]),
                )
            )
        )
    return [unique[key] for key in keys if key not in known]


def _raise(uow: UnitOfWork, actor: Actor, findings: Sequence[Finding], t: Thresholds) -> list[int]:
    if not findings:
        return []
    now = uow.clock.now()
    rows = [
        {
            "company_id": actor.company_id,
            "rule": f.rule.value,
            "severity": f.severity.value,
            "status": AlertStatus.OPEN.value,
            "fingerprint": f.fingerprint,
            "customer_id": f.customer_id,
            "summary": f.summary[:500],
            "evidence": {"rule": f.rule.value, **f.evidence, "thresholds": t.as_evidence()},
            "raised_at": now,
        }
        for f in findings
    ]
    dialect = uow.session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    uow.session.execute(
        make_insert(FraudAlert).on_conflict_do_nothing(
            index_elements=["company_id", "fingerprint"]
        ),
        rows,
    )
    fingerprints = [f.fingerprint for f in findings]
    ids: list[int] = []
    for start in range(0, len(fingerprints), CHUNK):
        ids += uow.session.scalars(
            select(FraudAlert.id).where(
                FraudAlert.company_id == actor.company_id,
                FraudAlert.raised_at == now,
                FraudAlert.fingerprint.in_(fingerprints[start : start + CHUNK]),
            )
        )
    return sorted(ids)


@dataclass(frozen=True)
class AlertFilter:
    status: AlertStatus | None = None
    rule: Rule | None = None
    customer_id: int | None = None


def list_alerts(
    uow: UnitOfWork, actor: Actor, where: AlertFilter, limit: int = 50, offset: int = 0
) -> tuple[list[FraudAlert], int]:
    """The review queue, newest first, and how many alerts match in all."""
    actor.require(Permission.FRAUD_READ)
    conditions = [FraudAlert.company_id == actor.company_id]
    if where.status is not None:
        conditions.append(FraudAlert.status == where.status.value)
    if where.rule is not None:
        conditions.append(FraudAlert.rule == where.rule.value)
    if where.customer_id is not None:
        conditions.append(FraudAlert.customer_id == where.customer_id)
    with uow:
        total = (
            uow.session.scalar(select(func.count()).select_from(FraudAlert).where(*conditions)) or 0
        )
        rows = uow.session.scalars(
            select(FraudAlert)
            .where(*conditions)
            .order_by(FraudAlert.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total


def get_alert(uow: UnitOfWork, actor: Actor, alert_id: int) -> FraudAlert:
    actor.require(Permission.FRAUD_READ)
    with uow:
        return owned(uow.session, FraudAlert, actor.company_id, alert_id, "fraud alert")


def review_alert(
    uow: UnitOfWork, actor: Actor, alert_id: int, decision: Decision, note: str
) -> FraudAlert:
    """Confirm or dismiss an open alert, with the reviewer's note (required: it is what the
    next reader of the alert learns from)."""
    actor.require(Permission.FRAUD_REVIEW)
    if not note.strip():
        raise ValidationFailed([FieldError("note", "say why")])
    with uow:
        alert = owned(uow.session, FraudAlert, actor.company_id, alert_id, "fraud alert", lock=True)
        status = reviewed_status(alert.status, decision)
        alert.status = status.value
        alert.reviewer = actor.name
        alert.reviewed_at = uow.clock.now()
        alert.note = note.strip()[:2000]
        audit(uow, actor, f"fraud.{decision.value}", "fraud_alert", alert.id, {"note": alert.note})
        uow.publish(
            actor.company_id,
            "fraud.alert_reviewed",
            {"id": alert.id, "rule": alert.rule, "status": alert.status},
        )
        uow.commit()
        return alert
