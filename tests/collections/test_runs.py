"""Dunning runs on SQLite and PostgreSQL: recorded once, carried out, on the timeline."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from o2c.catalog.service import install_defaults
from o2c.collections.accounts import ensure_accounts
from o2c.collections.service import load_strategy
from o2c.collections.tables import CollectionAccount, CollectionTask, DunningState
from o2c.collections.timeline import customer_timeline
from o2c.credit.service import active_holds
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.disputes.model import DeductionCreate
from o2c.disputes.service import open_deductions
from o2c.ledger.service import ApplyCommand, apply_items, reverse_application
from o2c.ledger.tables import OpenItem
from o2c.parties.tables import Customer
from tests.builders import a_payment
from tests.collections.builders import (
    TODAY,
    a_debtor,
    actions,
    overdue,
    run,
    step,
    summary,
    with_default,
    with_steps,
)
from tests.invariants import check_ledger

MAIL = {"type": "email", "template": "dunning_1"}


def test_a_run_records_the_due_actions_and_running_the_day_again_adds_nothing(uow, actor):
    # given a debtor with invoices at several stages under the default strategy
    with_default(uow, actor)
    customer = a_debtor(uow, actor)
    for late, number in ((-2, "INV-A"), (12, "INV-B"), (50, "INV-C")):
        overdue(uow, actor, customer, late, number=number)
    # when the day is run twice
    first = run(uow, actor)
    second = run(uow, actor)
    # then the first run decided the actions, the second nothing
    assert summary(uow, actor) == [
        ("reminder_before_due", "email", "INV-A", "scheduled"),
        ("call", "call", "INV-C", "scheduled"),
        ("dunning_3", "email", "INV-C INV-B", "scheduled"),
        ("credit_hold", "credit_hold", "INV-C", "sent"),
    ]
    assert (first.actions, second.actions) == (4, 0)


def test_each_step_acts_on_an_invoice_once_across_days(uow, actor):
    with_steps(uow, actor, step("d1", {"days_after_due": 1}, MAIL, 1))
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 3, number="INV-1")
    run(uow, actor)
    run(uow, actor, TODAY + timedelta(days=1))
    overdue(uow, actor, customer, 0, number="INV-2")
    run(uow, actor, TODAY + timedelta(days=2))
    assert [(a.as_of, a.invoice_numbers) for a in actions(uow, actor)] == [
        (TODAY, "INV-1"),
        (TODAY + timedelta(days=2), "INV-2"),
    ]


def test_every_action_is_on_the_customers_timeline(uow, actor):
    with_default(uow, actor)
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 50, number="INV-C")
    run(uow, actor)
    entries = [e for e in customer_timeline(uow, actor, customer) if e.kind == "collection_action"]
    assert [e.summary.split(":")[0] for e in entries] == ["call", "dunning_3", "credit_hold"]
    assert all(e.ref and e.ref.startswith("collection_action:") for e in entries)


def test_the_disputed_part_of_an_invoice_is_not_chased(uow, actor):
    with_steps(uow, actor, step("d1", {"days_after_due": 1}, MAIL, 1), stop_when=["paid"])
    customer = a_debtor(uow, actor)
    disputed = overdue(uow, actor, customer, 10, "100.00", number="INV-D")
    whole = overdue(uow, actor, customer, 10, "40.00", number="INV-W")
    open_deductions(uow, actor, [DeductionCreate(customer, disputed.item_id, 6000, "EUR", "PRICE")])
    open_deductions(uow, actor, [DeductionCreate(customer, whole.item_id, 4000, "EUR", "PRICE")])
    run(uow, actor)
    [action] = actions(uow, actor)
    assert (action.invoice_numbers, action.amount_minor) == ("INV-D", 4000)


def test_a_bounced_payment_triggers_its_step_on_the_reopened_invoice(uow, actor):
    # (the reversed cash stays unapplied in this ledger-level test: no "paid" stop)
    with_steps(
        uow, actor, step("bounced", {"bounced_payment": True}, {"type": "call"}), stop_when=[]
    )
    customer = a_debtor(uow, actor)
    invoice = overdue(uow, actor, customer, 5, number="INV-B")
    payment = a_payment(uow, actor, customer, on=TODAY - timedelta(days=4))
    [application] = apply_items(
        uow,
        actor,
        [ApplyCommand(invoice.item_id, payment.item_id, 10000, TODAY - timedelta(days=4))],
    )
    reverse_application(uow, actor, application, TODAY - timedelta(days=1))
    run(uow, actor)
    run(uow, actor, TODAY + timedelta(days=1))
    [action] = actions(uow, actor)
    assert (action.step, action.invoice_numbers, action.cause.startswith("bounce:")) == (
        "bounced",
        "INV-B",
        True,
    )


def test_credit_hold_step_puts_the_customer_on_hold_once(uow, actor):
    with_steps(uow, actor, step("hold", {"days_after_due": 30}, {"type": "credit_hold"}))
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 31, number="INV-1")
    run(uow, actor)
    overdue(uow, actor, customer, 30, number="INV-2")
    run(uow, actor)  # same day again: the step acted on the customer today already
    run(uow, actor, TODAY + timedelta(days=1))  # INV-2 qualifies; the customer is on hold
    assert summary(uow, actor) == [
        ("hold", "credit_hold", "INV-1", "sent"),
        ("hold", "credit_hold", "INV-2", "skipped"),
    ]
    [hold] = active_holds(uow, actor).values()
    assert hold.source == "collections:hold"
    assert "INV-1" in hold.reason


def test_late_fee_and_interest_are_invoiced_through_billing(uow, actor):
    install_defaults(uow, actor)
    with_steps(
        uow,
        actor,
        step("fee", {"days_after_due": 30}, {"type": "late_fee", "amount": "40.00"}),
        step("interest", {"days_after_due": 30}, {"type": "interest", "rate_percent": "10"}),
    )
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 73, "1000.00", number="INV-1")
    run(uow, actor)
    run(uow, actor)
    fee, interest = actions(uow, actor)
    assert (fee.status, fee.charge_minor, fee.reason.startswith("invoice ")) == ("sent", 4000, True)
    assert (interest.charge_minor, interest.status) == (2000, "sent")  # 1000 × 10 % × 73/365
    with uow:
        charged = uow.session.scalars(
            select(OpenItem.amount_minor).where(
                OpenItem.customer_id == customer, OpenItem.document_number != "INV-1"
            )
        ).all()
    assert sorted(charged) == [2000, 4000]
    check_ledger(uow, actor)


def test_escalation_and_calls_become_tasks_for_people(uow, actor):
    with_steps(
        uow,
        actor,
        step("call", {"days_after_due": 7}, {"type": "call", "note": "call them"}),
        step("escalate", {"days_after_due": 7}, {"type": "escalate", "to": "credit_manager"}),
    )
    customer = a_debtor(uow, actor)
    with uow:
        ensure_accounts(uow, actor.company_id, [customer])[customer].collector = "alice"
        uow.commit()
    overdue(uow, actor, customer, 8, number="INV-1")
    run(uow, actor)
    with uow:
        tasks = uow.session.scalars(select(CollectionTask).order_by(CollectionTask.id)).all()
        account = uow.session.scalar(select(CollectionAccount))
    assert [(t.kind, t.assigned_to, t.note) for t in tasks] == [
        ("call", "alice", "call them"),
        ("escalation", "alice", "escalated to credit_manager"),
    ]
    assert account is not None
    assert account.escalated_to == "credit_manager"


def test_agency_hand_over_stops_further_dunning(uow, actor):
    with_steps(
        uow,
        actor,
        step("agency", {"days_after_due": 60}, {"type": "agency"}),
        step("d1", {"days_after_due": 1}, MAIL, 1),
    )
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 61, number="INV-1")
    run(uow, actor)
    overdue(uow, actor, customer, 2, number="INV-2")
    run(uow, actor, TODAY + timedelta(days=1))
    assert summary(uow, actor) == [
        ("agency", "agency", "INV-1", "sent"),
        ("d1", "email", "INV-1", "scheduled"),
    ]


def test_two_workers_running_the_same_day_record_each_action_once(
    backend, engine, uow, actor, clock
):
    if backend != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite serialises them by design)")
    with_default(uow, actor)
    for index in range(30):
        customer = a_debtor(uow, actor, f"C{index}")
        for late in (-2, 3, 15, 40):
            overdue(uow, actor, customer, late)
    start = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            results.append(run(own, actor).actions)
        except BaseException as exc:  # surfaced by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    recorded = actions(uow, actor)
    assert sorted(results, key=str) == sorted([0, len(recorded)], key=str)
    # per customer: the reminder, one letter for three invoices, the call on the oldest
    assert len(recorded) == 30 * 3
    with uow:
        states = uow.session.scalar(select(func.count()).select_from(DunningState))
    assert states == 30 * 4  # every invoice of every customer remembers its steps once


def test_a_day_between_steps_reads_no_customer_and_the_next_steps_day_acts(uow, actor):
    # given a letter sent three days late; the next step comes at ten days late
    with_steps(
        uow,
        actor,
        step("d1", {"days_after_due": 3}, MAIL, 1),
        step("d2", {"days_after_due": 10}, {"type": "email", "template": "dunning_2"}, 2),
    )
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 3, number="INV-1")
    run(uow, actor)
    # when the days in between are run, and then the tenth day late
    quiet = [run(uow, actor, TODAY + timedelta(days=n)).customers for n in range(1, 7)]
    tenth = run(uow, actor, TODAY + timedelta(days=7))
    # then nobody was read in between, and the second letter went out on its day
    assert quiet == [0] * 6
    assert (tenth.customers, tenth.actions) == (1, 1)
    assert [(a.step, a.as_of) for a in actions(uow, actor)] == [
        ("d1", TODAY),
        ("d2", TODAY + timedelta(days=7)),
    ]


def test_a_new_strategy_acts_on_invoices_the_old_one_had_finished_with(uow, actor):
    # given an invoice the only step of the first strategy acted on
    with_steps(uow, actor, step("d1", {"days_after_due": 1}, MAIL, 1))
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 5, number="INV-1")
    run(uow, actor)
    # when a strategy with a call at five days late becomes active
    with_steps(
        uow,
        actor,
        step("d1", {"days_after_due": 1}, MAIL, 1),
        step("call", {"days_after_due": 5}, {"type": "call"}),
    )
    run(uow, actor, TODAY + timedelta(days=1))
    run(uow, actor, TODAY + timedelta(days=2))
    # then the call is made once, the letter is not repeated
    assert summary(uow, actor) == [
        ("d1", "email", "INV-1", "scheduled"),
        ("call", "call", "INV-1", "scheduled"),
    ]


def test_a_customer_moving_to_a_faster_segment_is_read_again_at_once(uow, actor):
    # given a standard customer whose invoice had its letter; standard calls at 20 days late
    load_strategy(
        uow,
        actor,
        {
            "name": "two speeds",
            "segments": [
                {
                    "name": "high",
                    "when": {"risk_class": ["high"]},
                    "steps": [step("call", {"days_after_due": 3}, {"type": "call"})],
                },
                {
                    "name": "standard",
                    "steps": [
                        step("d1", {"days_after_due": 1}, MAIL, 1),
                        step("call", {"days_after_due": 20}, {"type": "call"}),
                    ],
                },
            ],
        },
    )
    customer = a_debtor(uow, actor)
    overdue(uow, actor, customer, 2, number="INV-1")
    run(uow, actor)
    # when the customer is classed high risk, and the next day is run
    with uow:
        found = uow.session.get(Customer, customer)
        assert found is not None
        found.attributes = {"risk_class": "high"}
        uow.commit()
    run(uow, actor, TODAY + timedelta(days=1))
    # then the high-risk call is made that day, not when the standard call would have been
    assert [(a.segment, a.step, a.as_of) for a in actions(uow, actor)] == [
        ("standard", "d1", TODAY),
        ("high", "call", TODAY + timedelta(days=1)),
    ]
