"""Four-eyes refunds: above the company's limit a refund waits for a second person.

The limit is the default (500.00 EUR) unless a test sets it; the requester and the approver
are controllers with different names, as two people would be.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from o2c.kernel.errors import InvalidTransition, PermissionDenied, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.tables import JournalEntry
from o2c.payments.applying import payment_item
from o2c.payments.model import PaymentMethod
from o2c.payments.refund_requests import (
    DEFAULT_APPROVAL_ABOVE_MINOR,
    RequestStatus,
    approve_refund_request,
    get_refund_limit,
    list_refund_requests,
    reject_refund_request,
    set_refund_limit,
)
from o2c.payments.service import refund, unapplied
from o2c.payments.tables import Refund, RefundRequest
from o2c.security.model import Actor, Role
from o2c.security.tables import AuditRecord
from tests.app.client import api_client, o2c
from tests.app.test_api import assert_problem
from tests.billing.builders import a_billed_customer, tax_rates
from tests.builders import assert_postings
from tests.invariants import check_ledger
from tests.payments.builders import a_received_payment

ON = date(2026, 2, 20)


def person(actor: Actor, name: str, role: Role = Role.CONTROLLER) -> Actor:
    return Actor(name, actor.company_id, frozenset({role}))


@pytest.fixture
def clerk(actor):
    return person(actor, "clara@acme.example")


@pytest.fixture
def boss(actor):
    return person(actor, "bruno@acme.example")


@pytest.fixture
def credit(uow, actor):
    """The open item of 1000.00 EUR received and not applied."""
    tax_rates(uow, actor)
    payment = a_received_payment(uow, actor, a_billed_customer(uow, actor), "1000.00")
    with uow:
        return payment_item(uow, actor.company_id, payment.id)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def ask(uow, who, credit, amount="600.00", **fields):
    return refund(uow, who, credit.id, eur(amount), PaymentMethod.WIRE, ON, **fields)


def left(uow, actor, credit) -> Money:
    return unapplied(uow, actor, credit.source_id)


def count(uow, table) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_refund_up_to_the_limit_posts_at_once(uow, actor, clerk, credit):
    record = ask(uow, clerk, credit, "500.00")

    assert DEFAULT_APPROVAL_ABOVE_MINOR == 50_000
    assert isinstance(record, Refund)
    assert left(uow, actor, credit) == eur("500.00")
    assert list_refund_requests(uow, actor) == []


def test_a_refund_above_the_limit_waits_and_moves_no_money(uow, actor, clerk, credit):
    entries = count(uow, JournalEntry)

    request = ask(uow, clerk, credit, "500.01", reference="overpaid", to_account="de89 3704")

    assert isinstance(request, RefundRequest)
    assert (request.status, request.requested_by) == ("pending", clerk.name)
    assert (request.amount_minor, request.to_account) == (50_001, "DE893704")
    assert [r.id for r in list_refund_requests(uow, actor)] == [request.id]
    assert count(uow, JournalEntry) == entries
    assert left(uow, actor, credit) == eur("1000.00")


def test_a_limit_of_zero_sends_every_refund_to_approval(uow, actor, clerk, credit):
    assert set_refund_limit(uow, actor, 0) == 0

    assert isinstance(ask(uow, clerk, credit, "0.01"), RefundRequest)
    assert get_refund_limit(uow, clerk) == 0
    with pytest.raises(ValidationFailed, match="approval_above_minor"):
        set_refund_limit(uow, actor, -1)
    with pytest.raises(PermissionDenied):
        set_refund_limit(uow, clerk, 100)


def test_the_requester_can_neither_approve_nor_reject_the_request(uow, actor, clerk, credit):
    request = ask(uow, clerk, credit)
    same_person = person(actor, " Clara@ACME.example ")

    with pytest.raises(PermissionDenied, match="cannot also approve"):
        approve_refund_request(uow, same_person, request.id)
    with pytest.raises(PermissionDenied, match="cannot also approve"):
        reject_refund_request(uow, clerk, request.id)

    assert [r.status for r in list_refund_requests(uow, actor, None)] == ["pending"]
    assert left(uow, actor, credit) == eur("1000.00")


@pytest.mark.parametrize("role", [Role.AR_CLERK, Role.CASH_APPLIER, Role.AUDITOR])
def test_an_approver_without_the_permission_is_refused(uow, actor, clerk, credit, role):
    request = ask(uow, clerk, credit)

    with pytest.raises(PermissionDenied, match=r"refund\.approve"):
        approve_refund_request(uow, person(actor, "other@acme.example", role), request.id)

    assert left(uow, actor, credit) == eur("1000.00")


def test_approval_posts_a_balanced_refund_naming_both_people(uow, actor, clerk, boss, credit):
    request = ask(uow, clerk, credit, reference="overpaid", to_account="DE89370400440532013000")

    approved = approve_refund_request(uow, boss, request.id)

    assert (approved.status, approved.decided_by) == ("approved", boss.name)
    with uow:
        posted = uow.session.get_one(Refund, approved.refund_id)
        trail = uow.session.scalar(
            select(AuditRecord.data).where(
                AuditRecord.action == "refund.approve", AuditRecord.entity_id == str(request.id)
            )
        )
        assert (posted.amount_minor, posted.created_by) == (60_000, boss.name)
        assert (posted.reference, posted.to_account) == ("overpaid", "DE89370400440532013000")
        assert posted.refunded_on == ON
        entry = uow.session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.source_type == "refund", JournalEntry.source_id == posted.id
            )
        )
    assert trail == {"refund_id": posted.id, "requested_by": clerk.name}
    assert_postings(uow, entry, "DR 2100 600.00 EUR / CR 1000 600.00 EUR")
    assert left(uow, actor, credit) == eur("400.00")
    check_ledger(uow, actor)


def test_rejection_leaves_the_money_where_it_was(uow, actor, clerk, boss, credit):
    request = ask(uow, clerk, credit)
    entries = count(uow, JournalEntry)

    rejected = reject_refund_request(uow, boss, request.id, "customer asked for credit instead")

    assert (rejected.status, rejected.note) == ("rejected", "customer asked for credit instead")
    assert reject_refund_request(uow, boss, request.id).status == "rejected"
    with pytest.raises(InvalidTransition, match="already rejected"):
        approve_refund_request(uow, boss, request.id)
    assert count(uow, JournalEntry) == entries
    assert count(uow, Refund) == 0
    assert left(uow, actor, credit) == eur("1000.00")


def test_retried_requests_and_approvals_move_the_money_once(uow, actor, clerk, boss, credit):
    first = ask(uow, clerk, credit, idempotency_key="rf-7")
    again = ask(uow, clerk, credit, idempotency_key="rf-7")

    approved = approve_refund_request(uow, boss, first.id)
    retried = approve_refund_request(uow, boss, first.id)

    assert again.id == first.id
    assert count(uow, RefundRequest) == 1
    assert retried.refund_id == approved.refund_id
    assert count(uow, Refund) == 1
    assert left(uow, actor, credit) == eur("400.00")
    with pytest.raises(InvalidTransition, match="already approved"):
        reject_refund_request(uow, boss, first.id)
    check_ledger(uow, actor)


def test_approval_checks_the_credit_again(uow, actor, clerk, boss, credit):
    request = ask(uow, clerk, credit, "700.00")
    ask(uow, clerk, credit, "400.00")

    with pytest.raises(ValidationFailed, match="at most the open credit 60000"):
        approve_refund_request(uow, boss, request.id)

    assert [r.status for r in list_refund_requests(uow, actor)] == [RequestStatus.PENDING]
    assert left(uow, actor, credit) == eur("600.00")


def test_over_http_a_large_refund_is_accepted_as_a_request(engine, clock, uow, actor, credit):
    client = api_client(engine, clock)
    body = {"credit_item_id": credit.id, "method": "wire", "on": "2026-02-20"}

    small = client.post(
        "/api/v1/refunds", json={**body, "amount": {"amount": "100.00", "currency": "EUR"}}
    )
    large = client.post(
        "/api/v1/refunds",
        json={**body, "amount": {"amount": "800.00", "currency": "EUR"}},
        headers={"Idempotency-Key": "big"},
    )
    retried = client.post(
        "/api/v1/refunds",
        json={**body, "amount": {"amount": "800.00", "currency": "EUR"}},
        headers={"Idempotency-Key": "big"},
    )
    listed = client.get("/api/v1/refund-requests")
    own = client.post(f"/api/v1/refund-requests/{large.json()['id']}/approve")

    assert small.status_code == 201, small.text
    assert large.status_code == 202, large.text
    assert retried.status_code == 202
    assert retried.json() == large.json()
    assert large.json()["status"] == "pending"
    assert large.json()["amount"] == {"amount": "800.00", "currency": "EUR"}
    assert [r["id"] for r in listed.json()] == [large.json()["id"]]
    assert_problem(own, 403, "forbidden")
    assert left(uow, actor, credit) == eur("900.00")


def test_over_http_another_person_approves_or_rejects(engine, clock, uow, actor, clerk, credit):
    client = api_client(engine, clock)
    to_approve, to_reject = ask(uow, clerk, credit), ask(uow, clerk, credit, "550.00")

    approved = client.post(f"/api/v1/refund-requests/{to_approve.id}/approve")
    rejected = client.post(f"/api/v1/refund-requests/{to_reject.id}/reject", json={"note": "no"})
    decided = client.get("/api/v1/refund-requests", params={"status": "approved"})
    limit = client.put("/api/v1/refund-settings", json={"approval_above_minor": 0})

    assert approved.status_code == 200, approved.text
    assert approved.json()["refund_id"] is not None
    assert (rejected.json()["status"], rejected.json()["note"]) == ("rejected", "no")
    assert [r["id"] for r in decided.json()] == [to_approve.id]
    assert limit.json() == client.get("/api/v1/refund-settings").json()
    assert limit.json() == {"approval_above_minor": 0}
    assert left(uow, actor, credit) == eur("400.00")
    check_ledger(uow, actor)


def test_the_cli_lists_and_approves_refund_requests(database, uow, actor, clerk, credit):
    request = ask(uow, clerk, credit)

    listed = o2c(database, "refunds", "requests")
    approved = o2c(database, "refunds", "approve", str(request.id))
    limit = o2c(database, "refunds", "limit", "--set", "100000")
    issued = o2c(
        database,
        "refunds",
        "issue",
        str(credit.id),
        "400.00",
        "--currency",
        "EUR",
        "--on",
        "2026-02-21",
    )

    assert listed.exit_code == 0, listed.output
    assert (
        f"{request.id}\t{credit.id}\t600.00 EUR\t2026-02-20\tpending\t{clerk.name}" in listed.stdout
    )
    assert approved.exit_code == 0, approved.output
    assert f"refund request {request.id} approved" in approved.stdout
    assert "refunds above 100000" in limit.stdout
    assert issued.exit_code == 0, issued.output
    assert "posted" in issued.stdout
    assert left(uow, actor, credit) == eur("0.00")


def test_the_cli_refuses_an_amount_it_would_have_to_round(database, uow, actor, credit):
    refused = o2c(
        database,
        "refunds",
        "issue",
        str(credit.id),
        "1.001",
        "--currency",
        "EUR",
        "--on",
        "2026-02-21",
    )

    assert refused.exit_code == 2
    assert "1.001 is not an amount of EUR" in refused.stderr
    assert left(uow, actor, credit) == eur("1000.00")
