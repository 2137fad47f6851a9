"""Invariants of the engine over random ledgers and lines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from o2c.cashapp.engine import Engine
from o2c.cashapp.model import MatchPolicy, OpenInvoice
from o2c.cashapp.subset import find_subsets
from o2c.formats.remittance import Adjustment, Remittance, RemittanceItem
from tests.cashapp.builders import IBAN_C1042, a_customer, a_line

CUSTOMERS = [
    a_customer(),
    a_customer(7, "Northwind Traders Ltd", ibans=("GB33BUKB20201555555555",)),
]


@st.composite
def ledgers(draw):
    count = draw(st.integers(1, 8))
    invoices = []
    for n in range(count):
        amount = draw(st.sampled_from([4900, 10000, 12345, 99999]) | st.integers(1, 500_000))
        discount = draw(st.sampled_from([0, 0, amount // 50]))
        invoices.append(
            OpenInvoice(
                item_id=n + 1,
                customer_id=draw(st.sampled_from([1042, 7])),
                number=f"INV-2026-{draw(st.integers(1, 999)):06d}",
                po_number=draw(st.sampled_from([None, "4500012345", "PO-77123"])),
                currency="EUR",
                open_minor=amount,
                due_date=date(2026, 1, 1) + timedelta(days=n),
                discount_date=date(2026, 3, 10) if discount else None,
                discount_minor=discount,
            )
        )
    return invoices


@st.composite
def lines(draw, invoices):
    picked = draw(st.lists(st.sampled_from(invoices), max_size=3, unique_by=lambda i: i.item_id))
    base = sum(i.open_minor for i in picked) or draw(st.integers(1, 500_000))
    amount = max(1, base + draw(st.sampled_from([0, 0, -1, -700, 5000, -base // 3])))
    words = [
        draw(st.sampled_from([i.number, i.number[4:], i.number[-6:].lstrip("0")])) for i in picked
    ]
    text = draw(st.sampled_from(["", "PAYMENT ", "RE: "])) + " ".join(words)
    account = draw(st.sampled_from(["", IBAN_C1042, "GB33BUKB20201555555555"]))
    on = date(2026, 3, 1) + timedelta(days=draw(st.integers(0, 30)))
    line = a_line(str(Decimal(amount).scaleb(-2)), text, account=account, on=on)
    remittance = None
    if picked and draw(st.booleans()):
        items = tuple(
            RemittanceItem(
                i.number,
                Decimal(i.open_minor - 500).scaleb(-2),
                adjustments=(Adjustment(Decimal("-5.00"), "04"),),
            )
            for i in picked
        )
        total = sum((item.paid for item in items), Decimal(0))
        remittance = Remittance("PAYER", "T", total, on, "EUR", items)
    return line, remittance


@st.composite
def cases(draw):
    invoices = draw(ledgers())
    return invoices, draw(lines(invoices))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_cash_is_never_over_applied(case):
    invoices, (line, remittance) = case
    open_by_id = {i.item_id: i.open_minor for i in invoices}

    decision = Engine(CUSTOMERS, invoices).match(line, remittance)

    amount = int(line.amount * 100)
    applied = sum(a.amount_minor for a in decision.allocations)
    assert applied <= amount
    for allocation in decision.allocations:
        assert (
            min(allocation.amount_minor, allocation.discount_minor, allocation.writeoff_minor) >= 0
        )
        assert allocation.settled_minor <= open_by_id[allocation.item_id]
    if decision.status.automatic:
        assert applied + decision.on_account_minor == amount
        assert decision.confidence >= MatchPolicy().threshold
    else:
        assert decision.allocations == ()


@settings(max_examples=100, deadline=None)
@given(cases())
def test_decisions_are_deterministic(case):
    invoices, (line, remittance) = case

    first = Engine(CUSTOMERS, invoices).match(line, remittance)
    second = Engine(CUSTOMERS, list(reversed(invoices))).match(line, remittance)

    assert first == second


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(2, 6))
def test_a_run_never_settles_an_item_twice(case, repeats):
    invoices, (line, _) = case
    open_by_id = {i.item_id: i.open_minor for i in invoices}

    decisions = Engine(CUSTOMERS, invoices).match_all([line] * repeats)

    settled: dict[int, int] = {}
    for decision in decisions:
        for allocation in decision.allocations:
            settled[allocation.item_id] = (
                settled.get(allocation.item_id, 0) + allocation.settled_minor
            )
    assert all(total <= open_by_id[item] for item, total in settled.items())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-500, 100_000), min_size=0, max_size=40),
    st.integers(1, 300_000),
    st.integers(0, 1500),
    st.integers(1, 4),
)
def test_subset_solutions_sum_to_the_target(amounts, target, slack, max_items):
    for solution in find_subsets(
        amounts, target, max_items=max_items, window_items=10, slack=slack, limit=4
    ):
        assert len(set(solution)) == len(solution)
        assert target <= sum(amounts[p] for p in solution) <= target + slack
        assert all(amounts[p] > 0 for p in solution)
