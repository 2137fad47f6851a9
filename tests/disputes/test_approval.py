"""Write-offs above the company's limit wait for a second person, never the requester."""

from __future__ import annotations

import pytest

from o2c.disputes.model import Subject
from o2c.disputes.outcomes import approve_write_off, decline_write_off, list_requests, write_off
from o2c.disputes.policy import Settings, set_settings
from o2c.disputes.rules import DeductionPolicy
from o2c.disputes.service import get_deduction
from o2c.kernel.errors import InvalidTransition, PermissionDenied
from o2c.security.model import Role
from tests.billing.builders import item_of
from tests.disputes.builders import (
    a_deduction,
    a_widget_invoice,
    person,
    set_up_billing,
    short_paid,
)
from tests.invariants import check_ledger


@pytest.fixture
def large(uow, actor):
    """A deduction of 11.90 with the approval limit at 10.00; Alice (AR clerk) asks."""
    set_settings(uow, actor, Settings(DeductionPolicy(), approval_above_minor=1000))
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    deduction = a_deduction(uow, actor, short_paid(uow, actor, invoice, "107.10"))
    alice = person(actor, "alice", Role.AR_CLERK)
    return invoice, deduction, alice


def test_write_off_above_the_limit_waits_and_posts_nothing(uow, actor, large):
    invoice, deduction, alice = large
    result = write_off(uow, alice, Subject.DEDUCTION, deduction.id, "customer insolvent")
    assert result.request_id is not None
    assert result.application_ids == []
    assert item_of(uow, actor, invoice.id).open_minor == 1190
    assert get_deduction(uow, actor, deduction.id).status == "open"
    assert [r.id for r in list_requests(uow, actor)] == [result.request_id]


def test_another_person_approves_and_the_write_off_posts(uow, actor, large):
    invoice, deduction, alice = large
    request_id = write_off(uow, alice, Subject.DEDUCTION, deduction.id).request_id
    bob = person(actor, "bob", Role.CONTROLLER)
    approve_write_off(uow, bob, request_id)
    assert item_of(uow, actor, invoice.id).open_minor == 0
    resolved = get_deduction(uow, actor, deduction.id)
    assert (resolved.status, resolved.outcome, resolved.resolved_by) == (
        "resolved",
        "write_off",
        "bob",
    )
    check_ledger(uow, actor)


def test_the_requester_cannot_approve_even_with_the_approval_right(uow, actor, large):
    invoice, deduction, _ = large
    carol = person(actor, "carol", Role.CONTROLLER)
    request_id = write_off(uow, carol, Subject.DEDUCTION, deduction.id).request_id
    with pytest.raises(PermissionDenied, match="segregation of duties"):
        approve_write_off(uow, carol, request_id)
    assert item_of(uow, actor, invoice.id).open_minor == 1190


def test_approving_needs_the_approval_right(uow, actor, large):
    _, deduction, alice = large
    request_id = write_off(uow, alice, Subject.DEDUCTION, deduction.id).request_id
    with pytest.raises(PermissionDenied):
        approve_write_off(uow, person(actor, "dave", Role.AR_CLERK), request_id)


def test_a_pending_request_blocks_other_outcomes_until_declined(uow, actor, large):
    _, deduction, alice = large
    request_id = write_off(uow, alice, Subject.DEDUCTION, deduction.id).request_id
    with pytest.raises(InvalidTransition, match="waiting for approval"):
        write_off(uow, alice, Subject.DEDUCTION, deduction.id)
    bob = person(actor, "bob", Role.CONTROLLER)
    decline_write_off(uow, bob, request_id, "collect it")
    with pytest.raises(InvalidTransition):
        approve_write_off(uow, bob, request_id)
    assert get_deduction(uow, actor, deduction.id).status == "open"
    assert write_off(uow, alice, Subject.DEDUCTION, deduction.id).request_id != request_id
