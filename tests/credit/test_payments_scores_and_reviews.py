"""A payment reassesses the payer (score, then held orders); scores read payment behaviour,
disputes and broken promises; limit reviews propose, a credit manager accepts or rejects."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from o2c.analytics.credit_scoring import refresh_scores
from o2c.app.catalogue import CREDIT_REVIEW, JobServices, handlers
from o2c.collections.model import PromiseCreate
from o2c.collections.promises import record_promise, resolve_promises
from o2c.credit.holds import list_order_holds
from o2c.credit.model import OrderOnCreditHold
from o2c.credit.reassessment import REASSESS
from o2c.credit.reviews import ReviewStatus, decide_review, list_reviews
from o2c.credit.scores import get_score
from o2c.db.engine import session_factory
from o2c.disputes.cases import raise_case
from o2c.disputes.model import CaseCreate, CaseLineCreate
from o2c.jobs.runner import run_next
from o2c.jobs.service import enqueue
from o2c.jobs.tables import Job
from o2c.kernel.config import Settings
from o2c.kernel.errors import InvalidTransition, PermissionDenied
from o2c.kernel.money import Money
from o2c.ledger.service import ApplyCommand, apply_items
from o2c.orders.credit_decisions import review_limits
from o2c.orders.service import confirm_order, get_order
from o2c.parties.service import get_customer
from o2c.payments.model import Allocation
from o2c.payments.service import apply_payment
from o2c.security.model import Role
from o2c.security.tables import AuditRecord
from tests.billing.builders import a_posted_invoice, line, tax_rates
from tests.builders import a_payment, an_invoice
from tests.credit.builders import a_limited_customer, an_order_worth, person
from tests.invariants import check_ledger
from tests.payments.builders import a_received_payment


def run_jobs(engine, clock) -> list[str]:
    """Run every due job with the real catalogue; the kinds that ran, in order."""
    services = JobServices(session_factory(engine), clock, Settings())
    ran = []
    while (outcome := run_next(services.new_uow, handlers(services), "test")) is not None:
        assert outcome.status == "succeeded", outcome.error
        ran.append(outcome.job.kind)
    return ran


def test_a_payment_releases_and_confirms_the_orders_it_brings_within_the_rules(
    uow, actor, engine, clock
):
    # given an open invoice of 119.00 and an order of 119.00 held against a 200.00 limit
    tax_rates(uow, actor)
    customer = a_limited_customer(uow, actor, "200.00")
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00"))
    order = an_order_worth(uow, actor, customer, "100.00")
    with pytest.raises(OrderOnCreditHold):
        confirm_order(uow, actor, order)
    # when the customer pays the invoice
    payment = a_received_payment(uow, actor, customer, "119.00", on=date(2026, 3, 1))
    apply_payment(uow, actor, payment.id, [Allocation(invoice.id, Money("119.00", "EUR"))])
    # then a reassessment is queued, and running it scores the customer and releases the order
    with uow:
        [job] = uow.session.scalars(select(Job).where(Job.kind == REASSESS)).all()
    assert job.payload == {"customer_ids": [customer]}
    assert run_jobs(engine, clock) == [REASSESS]
    [hold] = list_order_holds(uow, actor, None)
    assert (hold.status, hold.decided_by, hold.decision_reason) == (
        "released",
        "job:credit.reassess",
        "credit rules pass after payment",
    )
    assert get_order(uow, actor, order).status == "confirmed"
    assert get_score(uow, actor, customer).as_of == clock.today()
    check_ledger(uow, actor)


def test_a_payment_that_is_not_enough_leaves_the_order_held(uow, actor, engine, clock):
    tax_rates(uow, actor)
    customer = a_limited_customer(uow, actor, "200.00")
    invoice = a_posted_invoice(uow, actor, customer, line("Widget", "1", "100.00"))
    order = an_order_worth(uow, actor, customer, "100.00")
    with pytest.raises(OrderOnCreditHold):
        confirm_order(uow, actor, order)
    payment = a_received_payment(uow, actor, customer, "19.00", on=date(2026, 3, 1))
    apply_payment(uow, actor, payment.id, [Allocation(invoice.id, Money("19.00", "EUR"))])
    assert run_jobs(engine, clock) == [REASSESS]
    assert [h.status for h in list_order_holds(uow, actor, None)] == ["held"]
    assert get_order(uow, actor, order).status == "draft"
    check_ledger(uow, actor)


def paid(uow, actor, customer: int, due: date, paid_on: date) -> None:
    """An invoice due on `due`, paid in full on `paid_on`."""
    invoice = an_invoice(uow, actor, customer, "100.00", on=due - timedelta(days=30))
    payment = a_payment(uow, actor, customer, "100.00", on=paid_on)
    apply_items(uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 10000, paid_on)])


def test_the_score_reads_lateness_trend_disputes_broken_promises_and_utilisation(uow, actor, clock):
    # given: paid 5 days late half a year ago and 15 days late last month (average 10,
    # trend +10), one dispute, one broken promise, and 600.00 open against 1000.00
    today = clock.today()
    customer = a_limited_customer(uow, actor, "1000.00")
    paid(uow, actor, customer, today - timedelta(days=200), today - timedelta(days=195))
    paid(uow, actor, customer, today - timedelta(days=45), today - timedelta(days=30))
    disputed = an_invoice(uow, actor, customer, "600.00", on=today - timedelta(days=10))
    raise_case(uow, actor, CaseCreate(customer, "pricing", [CaseLineCreate(disputed.item_id, 100)]))
    record_promise(
        uow,
        actor,
        PromiseCreate(customer, (disputed.item_id,), 10000, "EUR", today, grace_days=0),
    )
    clock.advance(days=1)
    resolve_promises(uow, actor, clock.today())
    # when scored
    assert refresh_scores(uow, actor, clock.today(), [customer]) == 1
    # then each factor shows its value and points, and they add up to the score
    score = get_score(uow, actor, customer)
    factors = {f["name"]: (f["value"], f["points"]) for f in score.factors["factors"]}
    assert factors == {
        "punctuality": ("10.0", 30),
        "trend": ("10.0", 5),
        "disputes": ("1", 10),
        "broken_promises": ("1", 10),
        "utilisation": ("60%", 10),
    }
    assert (score.points, score.risk_class, score.broken_promises) == (65, "B", 1)


def test_a_manager_accepts_a_proposed_limit_and_rejects_another(uow, actor, engine, clock):
    # given two customers using 95 % of 1000.00, no history: 75 points, class B
    first = a_limited_customer(uow, actor, "1000.00")
    second = a_limited_customer(uow, actor, "1000.00")
    for customer in (first, second):
        an_invoice(uow, actor, customer, "950.00", on=clock.today())
    refresh_scores(uow, actor, clock.today())
    # when the weekly review runs (twice: the second run adds nothing)
    for key in ("w1", "w2"):
        enqueue(uow, actor.company_id, CREDIT_REVIEW, key)
        assert run_jobs(engine, clock) == [CREDIT_REVIEW]
    proposals = {r.customer_id: r for r in list_reviews(uow, actor)}
    assert {c: (r.proposed_minor, r.risk_class) for c, r in proposals.items()} == {
        first: (110000, "B"),
        second: (110000, "B"),
    }
    # then an accepted proposal becomes the limit, a rejected one leaves it
    manager = person(actor, "carla")
    decide_review(uow, manager, proposals[first].id, ReviewStatus.ACCEPTED, "good year")
    decide_review(uow, manager, proposals[second].id, ReviewStatus.REJECTED, "sector risk")
    assert get_customer(uow, actor, first).credit_limit == Money("1100.00", "EUR")
    assert get_customer(uow, actor, second).credit_limit == Money("1000.00", "EUR")
    assert list_reviews(uow, actor) == []
    with uow:
        actions = uow.session.execute(
            select(AuditRecord.action, AuditRecord.actor).where(
                AuditRecord.action.in_(
                    ["credit.limit_accepted", "credit.limit_rejected", "customer.update"]
                )
            )
        ).all()
    assert sorted(actions) == [
        ("credit.limit_accepted", "carla"),
        ("credit.limit_rejected", "carla"),
        ("customer.update", f"carla (credit review {proposals[first].id})"),
    ]
    with pytest.raises(InvalidTransition):
        decide_review(uow, manager, proposals[second].id, ReviewStatus.ACCEPTED)


def test_only_credit_managers_decide_limit_reviews(uow, actor, clock):
    customer = a_limited_customer(uow, actor, "1000.00")
    an_invoice(uow, actor, customer, "950.00", on=clock.today())
    refresh_scores(uow, actor, clock.today())
    [review_id] = review_limits(uow, actor, clock.today())
    clerk = person(actor, "clara", Role.AR_CLERK)
    with pytest.raises(PermissionDenied):
        decide_review(uow, clerk, review_id, ReviewStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        review_limits(uow, clerk, clock.today())
    assert [r.status for r in list_reviews(uow, actor)] == ["proposed"]
