"""Credit limit reviews: proposals from score and exposure, accepted or rejected by a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from o2c.credit.exposure import CustomerLimit, Exposure
from o2c.credit.limits import propose_limit
from o2c.credit.rules import RiskClass
from o2c.credit.tables import CreditLimitReview, CreditScore
from o2c.db.bulk import insert_ids
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, InvalidTransition, ValidationFailed
from o2c.kernel.money import Money
from o2c.parties.model import CustomerUpdate
from o2c.parties.service import update_customer
from o2c.security.model import Actor, Permission, Role
from o2c.security.service import audit, audit_many


class ReviewStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def propose_limits(
    uow: UnitOfWork,
    actor: Actor,
    customers: Sequence[CustomerLimit],
    exposures: Mapping[int, Exposure],
    scores: Mapping[int, CreditScore],
    as_of: date,
) -> list[int]:
    """Open a proposal for each scored customer whose limit should change; returns their ids.

    A customer with an undecided proposal keeps it (the run is repeatable); customers not
    scored yet are left alone.
    """
    actor.require(Permission.CREDIT_HOLD)
    with uow:
        pending = set(
            uow.session.scalars(
                select(CreditLimitReview.customer_id).where(
                    CreditLimitReview.company_id == actor.company_id,
                    CreditLimitReview.status == ReviewStatus.PROPOSED.value,
                )
            )
        )
        now, rows = uow.clock.now(), []
        for customer in customers:
            score, exposure = scores.get(customer.id), exposures.get(customer.id)
            if customer.id in pending or score is None or exposure is None:
                continue
            proposal = propose_limit(exposure.utilisation, RiskClass(score.risk_class))
            if proposal is None or customer.limit is None:
                continue
            rows.append(
                {
                    "company_id": actor.company_id,
                    "customer_id": customer.id,
                    "status": ReviewStatus.PROPOSED.value,
                    "currency": customer.currency,
                    "current_minor": customer.limit.minor,
                    "proposed_minor": proposal.proposed.minor,
                    "exposure_minor": exposure.total.minor,
                    "points": score.points,
                    "risk_class": score.risk_class,
                    "reason": proposal.reason,
                    "as_of": as_of,
                    "proposed_at": now,
                }
            )
        ids = insert_ids(uow.session, CreditLimitReview, rows)
        audit_many(
            uow,
            actor,
            "credit.limit_proposed",
            "customer",
            [
                (r["customer_id"], {"review_id": i, "proposed_minor": r["proposed_minor"]})
                for r, i in zip(rows, ids, strict=True)
            ],
        )
        uow.commit()
        return ids


def decide_review(
    uow: UnitOfWork, actor: Actor, review_id: int, status: ReviewStatus, reason: str = ""
) -> CreditLimitReview:
    """Accept (the customer's limit becomes the proposal) or reject a proposal; audited.

    The limit is changed through parties as the review itself (`<person> (credit review N)`),
    since a credit manager changes limits but no other master data.
    """
    actor.require(Permission.CREDIT_HOLD)
    if status == ReviewStatus.PROPOSED:
        raise ValidationFailed([FieldError("status", "a decision accepts or rejects")])
    with uow:
        review = owned(
            uow.session, CreditLimitReview, actor.company_id, review_id, "limit review", lock=True
        )
        if review.status != ReviewStatus.PROPOSED.value:
            raise InvalidTransition(f"limit review {review.id} is already {review.status}")
        review.status = status.value
        review.decided_at = uow.clock.now()
        review.decided_by = actor.name
        review.decision_reason = reason[:300] or None
        if status == ReviewStatus.ACCEPTED:
            as_review = Actor(
                f"{actor.name} (credit review {review.id})"[:120],
                actor.company_id,
                frozenset({Role.AR_CLERK}),
            )
            limit = Money.from_minor(review.proposed_minor, review.currency)
            update_customer(uow, as_review, review.customer_id, CustomerUpdate(credit_limit=limit))
        data = {
            "review_id": review.id,
            "customer_id": review.customer_id,
            "current": str(Money.from_minor(review.current_minor, review.currency)),
            "proposed": str(Money.from_minor(review.proposed_minor, review.currency)),
            "reason": reason,
        }
        audit(uow, actor, f"credit.limit_{status.value}", "customer", review.customer_id, data)
        uow.publish(actor.company_id, f"credit.limit_{status.value}", data)
        uow.commit()
        return review


def list_reviews(
    uow: UnitOfWork, actor: Actor, status: ReviewStatus | None = ReviewStatus.PROPOSED
) -> list[CreditLimitReview]:
    actor.require(Permission.LEDGER_READ)
    query = select(CreditLimitReview).where(CreditLimitReview.company_id == actor.company_id)
    customer_id = actor.customer_filter(None)
    if customer_id is not None:
        query = query.where(CreditLimitReview.customer_id == customer_id)
    if status is not None:
        query = query.where(CreditLimitReview.status == status.value)
    with uow:
        return list(uow.session.scalars(query.order_by(CreditLimitReview.id)))
