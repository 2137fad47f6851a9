"""A company's dispute configuration: reasons (SLA, routing, X12 codes), settings, agreements.

A company starts with the default reasons and settings, stored the first time they are
needed, so a new company can take deductions at once and change the defaults later.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from o2c.db.uow import UnitOfWork
from o2c.disputes.model import DEFAULT_REASONS, ReasonSpec, check_reason
from o2c.disputes.rules import AgreementTerms, DeductionPolicy
from o2c.disputes.tables import DeductionAgreement, DisputeReason, DisputeSettings
from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

DEFAULT_APPROVAL_ABOVE_MINOR = 50_000  # 500.00 in a two-decimal base currency


@dataclass(frozen=True, slots=True)
class Settings:
    policy: DeductionPolicy
    approval_above_minor: int


@dataclass(frozen=True, slots=True)
class AgreementCreate:
    customer_id: int
    name: str
    currency: str
    valid_from: date
    valid_to: date
    amount_minor: int = 0
    percent: Decimal = Decimal(0)


def _spec(row: DisputeReason) -> ReasonSpec:
    codes = tuple(c for c in row.x12_codes.split(",") if c)
    return ReasonSpec(row.code, row.name, row.sla_days, row.team, row.owner, codes)


def reasons_of(uow: UnitOfWork, company_id: int) -> list[ReasonSpec]:
    """The company's reasons, the defaults stored first if it has none (race-safe)."""
    rows = list(
        uow.session.scalars(
            select(DisputeReason)
            .where(DisputeReason.company_id == company_id)
            .order_by(DisputeReason.code)
        )
    )
    if rows:
        return [_spec(row) for row in rows]
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    uow.session.execute(
        insert(DisputeReason)
        .values(
            [
                {
                    "company_id": company_id,
                    "code": r.code,
                    "name": r.name,
                    "sla_days": r.sla_days,
                    "team": r.team,
                    "owner": r.owner,
                    "x12_codes": ",".join(r.x12_codes),
                }
                for r in DEFAULT_REASONS
            ]
        )
        .on_conflict_do_nothing(index_elements=["company_id", "code"])
    )
    return reasons_of(uow, company_id)


def reason_named(uow: UnitOfWork, company_id: int, code: str) -> ReasonSpec:
    for reason in reasons_of(uow, company_id):
        if reason.code == code:
            return reason
    raise ValidationFailed([FieldError("reason", f"unknown dispute reason {code!r}")])


def list_reasons(uow: UnitOfWork, actor: Actor) -> list[ReasonSpec]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        reasons = reasons_of(uow, actor.company_id)
        uow.commit()
        return reasons


def set_reason(uow: UnitOfWork, actor: Actor, spec: ReasonSpec) -> ReasonSpec:
    """Add or change a reason code: its name, SLA days, team and owner, X12 codes."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = check_reason(spec)
    if errors:
        raise ValidationFailed(errors)
    with uow:
        reasons_of(uow, actor.company_id)
        row = uow.session.scalar(
            select(DisputeReason).where(
                DisputeReason.company_id == actor.company_id, DisputeReason.code == spec.code
            )
        )
        if row is None:
            row = DisputeReason(company_id=actor.company_id, code=spec.code)
            uow.session.add(row)
        row.name, row.sla_days, row.team = spec.name, spec.sla_days, spec.team
        row.owner, row.x12_codes = spec.owner, ",".join(spec.x12_codes)
        audit(uow, actor, "dispute_reason.set", "dispute_reason", spec.code, {"sla": spec.sla_days})
        uow.commit()
        return spec


def settings_of(uow: UnitOfWork, company_id: int) -> Settings:
    row = uow.session.scalar(
        select(DisputeSettings).where(DisputeSettings.company_id == company_id)
    )
    if row is None:
        return Settings(DeductionPolicy(), DEFAULT_APPROVAL_ABOVE_MINOR)
    return Settings(
        DeductionPolicy(
            row.tolerance_minor, Decimal(row.tolerance_percent), row.discount_grace_days
        ),
        row.approval_above_minor,
    )


def get_settings(uow: UnitOfWork, actor: Actor) -> Settings:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return settings_of(uow, actor.company_id)


def set_settings(uow: UnitOfWork, actor: Actor, settings: Settings) -> Settings:
    """Change the tolerance, the discount grace days and the write-off approval limit."""
    actor.require(Permission.COMPANY_ADMIN)
    policy = settings.policy
    errors = []
    if policy.tolerance_minor < 0:
        errors.append(FieldError("tolerance", "must not be negative"))
    if not Decimal(0) <= policy.tolerance_percent <= Decimal(100):
        errors.append(FieldError("tolerance_percent", "between 0 and 100"))
    if not 0 <= policy.discount_grace_days <= 60:
        errors.append(FieldError("discount_grace_days", "between 0 and 60"))
    if settings.approval_above_minor < 0:
        errors.append(FieldError("approval_above", "must not be negative"))
    if errors:
        raise ValidationFailed(errors)
    with uow:
        row = uow.session.scalar(
            select(DisputeSettings)
            .where(DisputeSettings.company_id == actor.company_id)
            .with_for_update()
        )
        if row is None:
            row = DisputeSettings(company_id=actor.company_id)
            uow.session.add(row)
        row.tolerance_minor = policy.tolerance_minor
        row.tolerance_percent = policy.tolerance_percent
        row.discount_grace_days = policy.discount_grace_days
        row.approval_above_minor = settings.approval_above_minor
        row.updated_at, row.updated_by = uow.clock.now(), actor.name
        audit(
            uow,
            actor,
            "dispute_settings.set",
            "dispute_settings",
            actor.company_id,
            {"approval_above_minor": settings.approval_above_minor},
        )
        uow.commit()
        return settings


def add_agreement(uow: UnitOfWork, actor: Actor, command: AgreementCreate) -> DeductionAgreement:
    """Record a promotion or allowance the customer may deduct in a period."""
    actor.require(Permission.MASTER_DATA_WRITE)
    errors = []
    if not command.name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if not is_currency(command.currency):
        errors.append(FieldError("currency", f"unknown currency {command.currency!r}"))
    if command.valid_to < command.valid_from:
        errors.append(FieldError("valid_to", "before valid_from"))
    if command.amount_minor < 0 or not Decimal(0) <= command.percent <= Decimal(100):
        errors.append(FieldError("amount", "an amount or a percent between 0 and 100"))
    if command.amount_minor == 0 and command.percent == 0:
        errors.append(FieldError("amount", "give an amount or a percent"))
    if errors:
        raise ValidationFailed(errors)
    with uow:
        row = DeductionAgreement(
            company_id=actor.company_id,
            customer_id=command.customer_id,
            name=command.name[:120],
            currency=command.currency,
            amount_minor=command.amount_minor,
            percent=command.percent,
            valid_from=command.valid_from,
            valid_to=command.valid_to,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(row)
        uow.session.flush()
        audit(uow, actor, "deduction_agreement.add", "deduction_agreement", row.id)
        uow.commit()
        return row


def list_agreements(
    uow: UnitOfWork, actor: Actor, customer_id: int | None = None
) -> list[DeductionAgreement]:
    actor.require(Permission.LEDGER_READ)
    query = select(DeductionAgreement).where(DeductionAgreement.company_id == actor.company_id)
    if customer_id is not None:
        query = query.where(DeductionAgreement.customer_id == customer_id)
    with uow:
        return list(uow.session.scalars(query.order_by(DeductionAgreement.id)))


def agreements_for(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int]
) -> dict[int, list[AgreementTerms]]:
    """The agreements of these customers, by customer (one query for a whole match run)."""
    found: dict[int, list[AgreementTerms]] = {}
    if not customer_ids:
        return found
    rows = uow.session.scalars(
        select(DeductionAgreement)
        .where(
            DeductionAgreement.company_id == company_id,
            DeductionAgreement.customer_id.in_(sorted(customer_ids)),
        )
        .order_by(DeductionAgreement.id)
    )
    for row in rows:
        found.setdefault(row.customer_id, []).append(
            AgreementTerms(
                row.id,
                row.currency,
                row.valid_from,
                row.valid_to,
                row.amount_minor,
                Decimal(row.percent),
            )
        )
    return found


def get_agreement(uow: UnitOfWork, actor: Actor, agreement_id: int) -> DeductionAgreement:
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = uow.session.get(DeductionAgreement, agreement_id)
        if row is None or row.company_id != actor.company_id:
            raise NotFound("deduction agreement", agreement_id)
        return row
