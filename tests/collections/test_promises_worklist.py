"""Promises kept and broken by the cash, the worklist ranking and call logging, the timeline,
and the simulation of a strategy over history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from o2c.collections.model import CallOutcome, PromiseCreate
from o2c.collections.policy import read_strategy
from o2c.collections.promises import list_promises, record_promise, resolve_promises
from o2c.collections.service import DEFAULT_STRATEGY
from o2c.collections.simulation import simulate
from o2c.collections.tables import CollectionAccount, CollectionAction
from o2c.collections.timeline import customer_timeline
from o2c.collections.worklist import add_note, assign_collector, log_call, worklist
from o2c.ledger.service import ApplyCommand, apply_items
from tests.builders import a_payment
from tests.collections.builders import TODAY, a_debtor, actions, overdue, run, step, with_steps

MAIL = {"type": "email", "template": "dunning_1"}


def _promise(uow, actor, customer, item_id, amount=10000, days=5):
    return record_promise(
        uow, actor, PromiseCreate(customer, (item_id,), amount, "EUR", TODAY + timedelta(days=days))
    )


def test_a_promise_is_kept_when_the_cash_arrives_and_broken_when_it_does_not(uow, actor):
    kept_by, broke = a_debtor(uow, actor, "K"), a_debtor(uow, actor, "B")
    paid_invoice = overdue(uow, actor, kept_by, 10)
    unpaid = overdue(uow, actor, broke, 10)
    _promise(uow, actor, kept_by, paid_invoice.item_id)
    _promise(uow, actor, broke, unpaid.item_id)
    payment = a_payment(uow, actor, kept_by, on=TODAY + timedelta(days=4))
    apply_items(
        uow,
        actor,
        [ApplyCommand(paid_invoice.item_id, payment.item_id, 10000, TODAY + timedelta(days=4))],
    )
    # within the grace nothing is broken yet; after it, the unpaid promise is
    assert resolve_promises(uow, actor, TODAY + timedelta(days=6)) == (1, 0)
    assert resolve_promises(uow, actor, TODAY + timedelta(days=8)) == (0, 1)
    statuses = {p.customer_id: p.status for p, _ in list_promises(uow, actor)}
    assert statuses == {kept_by: "kept", broke: "broken"}
    with uow:
        broken = dict(
            uow.session.execute(
                select(CollectionAccount.customer_id, CollectionAccount.promises_broken)
            ).all()
        )
    assert broken == {kept_by: 0, broke: 1}


def test_a_promised_invoice_waits_and_a_broken_promise_triggers_its_step(uow, actor):
    with_steps(
        uow,
        actor,
        step("d1", {"days_after_due": 1}, MAIL, 1),
        step("broken", {"broken_promise": True}, {"type": "email", "template": "promise_broken"}),
        stop_when=["paid"],
    )
    customer = a_debtor(uow, actor)
    promised = overdue(uow, actor, customer, 10, number="INV-P")
    overdue(uow, actor, customer, 10, number="INV-O")
    _promise(uow, actor, customer, promised.item_id, days=2)
    run(uow, actor)
    later = TODAY + timedelta(days=5)
    run(uow, actor, later)
    assert [(a.as_of, a.step, a.invoice_numbers) for a in actions(uow, actor)] == [
        (TODAY, "d1", "INV-O"),
        (later, "d1", "INV-P"),
        (later, "broken", "INV-P"),
    ]


def test_a_pending_promise_stops_the_segment_when_the_strategy_says_so(uow, actor):
    with_steps(
        uow, actor, step("d1", {"days_after_due": 1}, MAIL, 1), stop_when=["promise_pending"]
    )
    customer = a_debtor(uow, actor)
    promised = overdue(uow, actor, customer, 10)
    overdue(uow, actor, customer, 10)
    _promise(uow, actor, customer, promised.item_id)
    assert run(uow, actor).actions == 0


def test_the_worklist_ranks_by_overdue_amount_risk_and_age_and_shows_call_tasks(uow, actor):
    with_steps(uow, actor, step("call", {"days_after_due": 30}, {"type": "call"}))
    small, big, risky = (a_debtor(uow, actor, c) for c in ("SMALL", "BIG", "RISKY"))
    overdue(uow, actor, small, 5, "100.00")
    overdue(uow, actor, big, 5, "1000.00")
    risky_item = overdue(uow, actor, risky, 40, "500.00")
    assign_collector(uow, actor, [small, big], "alice")
    run(uow, actor)
    everyone = worklist(uow, actor, TODAY)
    # RISKY 500 × 2 (high) × (1 + 40/30) > BIG 1000 × 1 × (1 + 5/30) > SMALL
    assert [r.code for r in everyone] == ["RISKY", "BIG", "SMALL"]
    by_code = {r.code: r for r in everyone}
    assert by_code["RISKY"].risk_class == "high"
    assert by_code["RISKY"].tasks[0].kind == "call"
    assert by_code["RISKY"].value > by_code["SMALL"].value
    assert [r.code for r in worklist(uow, actor, TODAY, "alice")] == ["BIG", "SMALL"]
    # when the collector logs the call, the task leaves the list and the timeline has it
    task = by_code["RISKY"].tasks[0]
    log_call(uow, actor, risky, CallOutcome.PROMISED, "pays Friday", task.id)
    add_note(uow, actor, risky, "asked for a copy of the invoice")
    _promise(uow, actor, risky, risky_item.item_id, 50000)
    assert {r.code: r for r in worklist(uow, actor, TODAY)}["RISKY"].tasks == ()
    kinds = [e.kind for e in customer_timeline(uow, actor, risky)]
    assert kinds[0] == "invoice"
    assert {"collection_action", "call", "note", "promise"} <= set(kinds)


def test_simulation_replays_history_day_by_day_and_writes_nothing(uow, actor):
    customer = a_debtor(uow, actor)
    paid = overdue(uow, actor, customer, 20, number="INV-PAID")  # due 20 days ago
    overdue(uow, actor, customer, 20, number="INV-OPEN")
    payment = a_payment(uow, actor, customer, on=TODAY - timedelta(days=15))
    apply_items(
        uow, actor, [ApplyCommand(paid.item_id, payment.item_id, 10000, TODAY - timedelta(days=15))]
    )
    strategy = read_strategy(DEFAULT_STRATEGY.read_text())
    fired = simulate(uow, actor, strategy, TODAY - timedelta(days=30), TODAY)
    due = TODAY - timedelta(days=20)
    assert [(a.day, a.step, a.invoice_numbers) for a in fired] == [
        (due - timedelta(days=3), "reminder_before_due", ("INV-OPEN", "INV-PAID")),
        (due + timedelta(days=1), "reminder_due", ("INV-OPEN", "INV-PAID")),
        (due + timedelta(days=10), "dunning_1", ("INV-OPEN",)),
    ]
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(CollectionAction)) == 0
