"""When an invoice can next be acted on: the days a run must read it, and only those."""

from __future__ import annotations

from datetime import date, timedelta

from o2c.collections.horizon import Horizon
from o2c.collections.policy import parse_strategy

TODAY = date(2026, 3, 2)
DUE = TODAY  # days late below are counted from here


def a_horizon(*segments: list[tuple[str, dict[str, object], str]]) -> Horizon:
    """Segments of (step name, trigger, action type) steps."""
    return Horizon(
        parse_strategy(
            {
                "name": "t",
                "segments": [
                    {
                        "name": f"s{index}",
                        "steps": [
                            {
                                "name": name,
                                "trigger": trigger,
                                "action": {"type": kind, "template": "dunning_1"}
                                if kind == "email"
                                else {"type": kind},
                            }
                            for name, trigger, kind in steps
                        ],
                    }
                    for index, steps in enumerate(segments)
                ],
            }
        )
    )


STANDARD = [
    ("before", {"days_before_due": 3}, "email"),
    ("d1", {"days_after_due": 10}, "email"),
    ("call", {"days_after_due": 30, "min_overdue_balance": "100.00"}, "call"),
    ("d2", {"days_after_due": 24}, "email"),
]
FAST = [("d1", {"days_after_due": 3}, "email"), ("hold", {"days_after_due": 21}, "credit_hold")]


def day(late: int) -> date:
    return DUE + timedelta(days=late)


def test_an_invoice_no_step_acted_on_is_read_from_the_earliest_window_before_due():
    horizon = a_horizon(STANDARD, FAST)
    assert horizon.lead == 3
    assert horizon.first_day(DUE) == day(-3)


def test_without_reminders_before_due_an_invoice_is_read_from_the_first_day_after_due():
    horizon = a_horizon([("d1", {"days_after_due": 10}, "email")])
    assert horizon.first_day(DUE) == day(10)


def test_after_the_reminder_the_next_day_is_the_next_step_of_the_customers_segment():
    # given the reminder was sent three days before due
    horizon = a_horizon(STANDARD, FAST)
    # then a standard customer's next letter is ten days late, a fast one's three
    assert horizon.next_on(DUE, frozenset({"before"}), day(-3), "s0") == day(10)
    assert horizon.next_on(DUE, frozenset({"before"}), day(-3), "s1") == day(3)


def test_a_customer_in_no_segment_is_never_acted_on():
    horizon = a_horizon(STANDARD)
    assert horizon.next_on(DUE, frozenset({"before"}), day(-3), None) is None


def test_a_letter_lower_on_the_ladder_than_one_sent_is_never_waited_for():
    horizon = a_horizon(STANDARD)
    # d2 was sent (the catch-up skipped d1): d1 will never be sent, the call comes next
    assert horizon.next_on(DUE, frozenset({"d2"}), day(25), "s0") == day(30)


def test_a_step_whose_day_has_come_keeps_the_invoice_due_for_reading_tomorrow():
    # the call's balance threshold was not met today: it may be met tomorrow
    horizon = a_horizon(STANDARD)
    assert horizon.next_on(DUE, frozenset({"d2"}), day(40), "s0") == day(41)


def test_a_missed_window_before_due_is_not_waited_for():
    horizon = a_horizon([("before", {"days_before_due": 3}, "email")])
    assert horizon.next_on(DUE, frozenset(), day(-1), "s0") is None
    assert horizon.next_on(DUE, frozenset(), day(-3), "s0") == day(-2)


def test_an_invoice_every_step_acted_on_is_never_read_again():
    horizon = a_horizon(STANDARD, FAST)
    done = frozenset({"before", "d1", "d2", "call", "hold"})
    assert horizon.next_on(DUE, done, day(50), "s0") is None
    assert horizon.next_on(DUE, done, day(50), "s1") is None


def test_a_strategy_of_event_steps_only_reads_no_invoice_by_date():
    horizon = a_horizon([("broken", {"broken_promise": True}, "call")])
    assert horizon.lead is None
    assert horizon.first_day(DUE) is None
