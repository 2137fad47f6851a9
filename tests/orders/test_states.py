from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2c.kernel.errors import InvalidTransition
from o2c.orders.model import TRANSITIONS, LineProgress, OrderStatus, progress_status, transition

S = OrderStatus
ALLOWED = {
    (S.DRAFT, S.CONFIRMED),
    (S.DRAFT, S.CANCELLED),
    (S.CONFIRMED, S.PARTIALLY_SHIPPED),
    (S.CONFIRMED, S.SHIPPED),
    (S.CONFIRMED, S.PARTIALLY_INVOICED),
    (S.CONFIRMED, S.INVOICED),
    (S.CONFIRMED, S.CANCELLED),
    (S.PARTIALLY_SHIPPED, S.SHIPPED),
    (S.PARTIALLY_SHIPPED, S.PARTIALLY_INVOICED),
    (S.PARTIALLY_SHIPPED, S.INVOICED),
    (S.SHIPPED, S.PARTIALLY_INVOICED),
    (S.SHIPPED, S.INVOICED),
    (S.PARTIALLY_INVOICED, S.INVOICED),
    (S.INVOICED, S.CLOSED),
}
PAIRS = [(a, b) for a in S for b in S]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition_moves_the_order(current, target):
    assert transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_every_other_transition_is_refused(current, target):
    with pytest.raises(InvalidTransition):
        transition(current, target)


def test_the_table_is_the_documented_one():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def progress(quantity, shipped, invoiced):
    return LineProgress(Decimal(quantity), Decimal(shipped), Decimal(invoiced))


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([progress(2, 0, 0), progress(1, 0, 0)], S.CONFIRMED),
        ([progress(2, 1, 0), progress(1, 0, 0)], S.PARTIALLY_SHIPPED),
        ([progress(2, 2, 0), progress(1, 1, 0)], S.SHIPPED),
        ([progress(2, 2, 1), progress(1, 1, 0)], S.PARTIALLY_INVOICED),
        ([progress(2, 0, 2), progress(1, 0, 1)], S.INVOICED),
        ([progress(2, 2, 2), progress(1, 1, 1)], S.INVOICED),
    ],
)
def test_a_confirmed_orders_state_follows_its_lines(lines, status):
    assert progress_status(lines) is status


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=4),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=12,
)


@given(steps)
def test_progress_only_ever_moves_along_allowed_transitions(steps):
    # Three lines of 4 units gain shipped and invoiced units in any order; the derived state
    # never asks for a transition the table refuses.
    lines = [[0, 0], [0, 0], [0, 0]]
    state = S.CONFIRMED
    for index, shipped, invoiced in steps:
        lines[index][0] = min(4, lines[index][0] + shipped)
        lines[index][1] = min(4, lines[index][1] + invoiced)
        after = progress_status(progress(4, s, i) for s, i in lines)
        if after != state:
            state = transition(state, after)
    assert state is progress_status(progress(4, s, i) for s, i in lines)
