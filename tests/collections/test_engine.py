"""The strategy engine, pure: every trigger, action and stop condition, and segmenting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from o2c.collections.policy import Channel, RiskClass, parse_strategy
from o2c.collections.strategy import (
    BOUNCED_PAYMENT,
    BROKEN_PROMISE,
    CustomerFacts,
    Engine,
    Event,
    ItemFacts,
)

TODAY = date(2026, 3, 2)


def an_item(item_id: int = 1, late: int = 10, open_: int = 10_000, **kw: object) -> ItemFacts:
    due = TODAY - timedelta(days=late)
    return ItemFacts(
        item_id, f"INV-{item_id}", "EUR", due - timedelta(days=30), due, 10_000, open_, **kw
    )  # type: ignore[arg-type]


def a_customer(*items: ItemFacts, **kw: object) -> CustomerFacts:
    balance = {"EUR": sum(i.open_minor for i in items)}
    fields: dict[str, object] = {"balance_minor": balance, "balance_base_minor": balance["EUR"]}
    fields.update(kw)
    return CustomerFacts(7, tuple(items), **fields)  # type: ignore[arg-type]


def engine(
    *steps: dict[str, object],
    when: dict[str, object] | None = None,
    stop_when: list[str] | None = None,
    more: list[dict[str, object]] = (),
) -> Engine:  # type: ignore[assignment]
    segment: dict[str, object] = {"name": "main", "steps": list(steps)}
    if when is not None:
        segment["when"] = when
    if stop_when is not None:
        segment["stop_when"] = stop_when
    return Engine(parse_strategy({"name": "t", "segments": [segment, *more]}), "EUR")


def step(
    name: str, trigger: dict[str, object], action: dict[str, object], level: int = 0
) -> dict[str, object]:
    return {"name": name, "level": level, "trigger": trigger, "action": action}


MAIL = {"type": "email", "template": "dunning_1"}
LADDER = (
    step("before", {"days_before_due": 3}, {"type": "email", "template": "reminder_before_due"}),
    step("d1", {"days_after_due": 5}, {"type": "email", "template": "dunning_1"}, 1),
    step("d2", {"days_after_due": 20}, {"type": "email", "template": "dunning_2"}, 2),
    step("d3", {"days_after_due": 35}, {"type": "email", "template": "dunning_3"}, 3),
)


def steps_of(actions: list) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[type-arg]
    return [(a.step, a.numbers) for a in actions]


@pytest.mark.parametrize(("late", "fires"), [(-4, False), (-3, True), (-1, True), (0, False)])
def test_days_before_due_fires_within_the_window_before_the_due_date(late, fires):
    decided = engine(LADDER[0]).decide(a_customer(an_item(late=late)), TODAY)
    assert bool(decided) is fires


@pytest.mark.parametrize(("late", "expected"), [(4, []), (5, ["d1"]), (21, ["d2"]), (40, ["d3"])])
def test_days_after_due_sends_only_the_highest_letter_an_invoice_has_reached(late, expected):
    decided = engine(*LADDER).decide(a_customer(an_item(late=late)), TODAY)
    assert [a.step for a in decided] == expected


def test_a_letter_never_repeats_or_goes_back_down_the_ladder():
    dunned = an_item(late=25, done=frozenset({"d2"}))
    assert engine(*LADDER).decide(a_customer(dunned), TODAY) == []
    further = an_item(late=36, done=frozenset({"d2"}))
    assert [a.step for a in engine(*LADDER).decide(a_customer(further), TODAY)] == ["d3"]


def test_overdue_invoices_due_a_letter_the_same_day_share_one_at_the_highest_level():
    customer = a_customer(an_item(1, late=6), an_item(2, late=22), an_item(3, late=-2))
    decided = engine(*LADDER).decide(customer, TODAY)
    assert steps_of(decided) == [("before", ("INV-3",)), ("d2", ("INV-2", "INV-1"))]
    letter = decided[1]
    assert letter.item_steps == ("d2", "d1")
    assert letter.amount_minor == 20_000
    assert letter.level == 2


def test_min_overdue_balance_holds_a_step_back_until_the_customer_owes_enough():
    call = step("call", {"days_after_due": 10, "min_overdue_balance": "150.00"}, {"type": "call"})
    assert engine(call).decide(a_customer(an_item(1, late=12)), TODAY) == []
    both = a_customer(an_item(1, late=12), an_item(2, late=1))
    assert steps_of(engine(call).decide(both, TODAY)) == [("call", ("INV-1",))]


def test_a_balance_threshold_alone_applies_to_every_overdue_invoice():
    hold = step("hold", {"min_overdue_balance": "100.00"}, {"type": "credit_hold"})
    customer = a_customer(an_item(1, late=1), an_item(2, late=-5))
    assert steps_of(engine(hold).decide(customer, TODAY)) == [("hold", ("INV-1",))]


def test_a_broken_promise_fires_once_per_promise_on_its_invoices():
    mail = step("broken", {"broken_promise": True}, {"type": "email", "template": "promise_broken"})
    event = Event(BROKEN_PROMISE, "promise:4", (1,))
    customer = a_customer(an_item(1), an_item(2), events=(event,))
    [action] = engine(mail).decide(customer, TODAY)
    assert (action.step, action.cause, action.numbers) == ("broken", "promise:4", ("INV-1",))
    again = a_customer(
        an_item(1), events=(event,), done_causes=frozenset({("broken", "promise:4")})
    )
    assert engine(mail).decide(again, TODAY) == []


def test_a_bounced_payment_fires_on_the_reopened_invoice():
    call = step("bounced", {"bounced_payment": True}, {"type": "call"})
    customer = a_customer(an_item(1, late=2), events=(Event(BOUNCED_PAYMENT, "bounce:9", (1,)),))
    assert steps_of(engine(call).decide(customer, TODAY)) == [("bounced", ("INV-1",))]
    assert engine(call).decide(a_customer(an_item(1)), TODAY) == []


@pytest.mark.parametrize(
    ("action", "channel"),
    [
        ({"type": "email", "template": "dunning_1"}, "email"),
        ({"type": "letter", "template": "dunning_1"}, "letter"),
        ({"type": "call"}, "phone"),
        ({"type": "escalate", "to": "credit_manager"}, "internal"),
        ({"type": "credit_hold"}, "internal"),
        ({"type": "late_fee", "amount": "40.00"}, "invoice"),
        ({"type": "interest", "rate_percent": "10"}, "invoice"),
        ({"type": "agency"}, "agency"),
        ({"type": "agency", "template": "agency_handover"}, "email"),
    ],
)
def test_every_action_kind_is_decided_with_its_channel(action, channel):
    [decided] = engine(step("s", {"days_after_due": 1}, action)).decide(
        a_customer(an_item()), TODAY
    )
    assert (decided.kind.value, decided.channel) == (action["type"], channel)


def test_a_customer_who_takes_letters_gets_the_email_step_as_a_letter():
    [decided] = engine(step("s", {"days_after_due": 1}, MAIL)).decide(
        a_customer(an_item(), channel=Channel.LETTER), TODAY
    )
    assert (decided.kind.value, decided.channel) == ("letter", "letter")


def test_late_fee_and_interest_carry_what_to_charge():
    fee = step("fee", {"days_after_due": 1}, {"type": "late_fee", "amount": "40.00"})
    interest = step("int", {"days_after_due": 1}, {"type": "interest", "rate_percent": "9.125"})
    customer = a_customer(an_item(late=73, open_=100_000))
    assert engine(fee).decide(customer, TODAY)[0].charge_minor == 4000
    # 1,000.00 × 9.125 % × 73 / 365 = 18.25
    assert engine(interest).decide(customer, TODAY)[0].charge_minor == 1825


def test_disputed_amounts_and_promised_invoices_are_not_chased():
    customer = a_customer(an_item(1, open_=0), an_item(2, promised=True), an_item(3))
    decided = engine(*LADDER, stop_when=[]).decide(customer, TODAY)
    assert steps_of(decided) == [("d1", ("INV-3",))]


@pytest.mark.parametrize(
    ("stop", "facts"),
    [
        ("paid", {"balance_minor": {"EUR": 0}}),
        ("disputed", {"disputed": True}),
        ("promise_pending", {"promise_pending": True}),
    ],
)
def test_each_stop_condition_pauses_the_segment(stop, facts):
    customer = a_customer(an_item(), **facts)
    assert engine(*LADDER, stop_when=[stop]).decide(customer, TODAY) == []
    assert engine(*LADDER, stop_when=[]).decide(customer, TODAY) != []


@pytest.mark.parametrize(
    ("when", "facts", "matches"),
    [
        ({"risk_class": ["high"]}, {"risk_class": RiskClass.HIGH}, True),
        ({"risk_class": ["high"]}, {"risk_class": RiskClass.LOW}, False),
        ({"min_balance": "50.00"}, {}, True),
        ({"min_balance": "500.00"}, {}, False),
        ({"max_balance": "50.00"}, {}, False),
        ({"min_avg_days_late": 10}, {"avg_days_late": 12}, True),
        ({"max_avg_days_late": 10}, {"avg_days_late": 12}, False),
        ({"min_broken_promises": 1}, {"broken_promises": 1}, True),
        ({"min_broken_promises": 2}, {"broken_promises": 1}, False),
        ({"countries": ["DE", "AT"]}, {"country": "AT"}, True),
        ({"countries": ["DE"]}, {"country": "FR"}, False),
        ({"channel": "letter"}, {"channel": Channel.LETTER}, True),
        ({"channel": "letter"}, {"channel": Channel.EMAIL}, False),
    ],
)
def test_segments_pick_customers_by_attributes_and_behaviour(when, facts, matches):
    fallback = {"name": "rest", "steps": [step("other", {"days_after_due": 1}, {"type": "call"})]}
    decided = engine(
        step("s", {"days_after_due": 1}, {"type": "call"}), when=when, more=[fallback]
    ).decide(a_customer(an_item(), **facts), TODAY)
    assert decided[0].segment == ("main" if matches else "rest")
