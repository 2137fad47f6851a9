"""Gapless numbering: however postings fail in between, the numbers issued are 1..n."""

from __future__ import annotations

import itertools
import threading
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2c.billing.service import post_invoice, take_numbers
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import PeriodLocked
from o2c.ledger.service import close_period, install_chart
from o2c.security.model import system_actor
from o2c.security.service import create_company
from tests.billing.builders import a_billed_customer, a_draft, tax_rates

_companies = itertools.count(1)


def a_company(uow):
    with uow:
        company = create_company(uow, f"N{next(_companies)}", "Numbering test", "EUR")
        uow.commit()
    install_chart(uow, company.id)
    actor = system_actor(company.id, "tester")
    tax_rates(uow, actor)
    return actor


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(outcomes=st.lists(st.booleans(), min_size=1, max_size=6))
def test_numbers_stay_gapless_whatever_fails_in_between(uow, outcomes):
    actor = a_company(uow)
    customer = a_billed_customer(uow, actor)
    close_period(uow, actor, date(2026, 1, 31))
    numbers = []
    for succeeds in outcomes:
        draft = a_draft(uow, actor, customer, on=date(2026, 2, 5) if succeeds else date(2026, 1, 5))
        try:
            numbers.append(post_invoice(uow, actor, draft.id).number)
        except PeriodLocked:
            assert not succeeds

    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, outcomes.count(True) + 1)]


def test_a_rolled_back_reservation_returns_its_numbers(uow, actor):
    with uow:
        assert take_numbers(uow, actor.company_id, "PAY", date(2026, 3, 1), 3) == [
            "PAY-2026-000001",
            "PAY-2026-000002",
            "PAY-2026-000003",
        ]
        # no commit: the unit of work rolls back
    with uow:
        assert take_numbers(uow, actor.company_id, "PAY", date(2026, 3, 1), 1) == [
            "PAY-2026-000001"
        ]
        uow.commit()
    with uow:
        assert take_numbers(uow, actor.company_id, "PAY", date(2026, 3, 1), 1) == [
            "PAY-2026-000002"
        ]


def test_concurrent_posters_take_distinct_consecutive_numbers(engine, uow, actor, clock):
    # The series row lock makes the second poster wait for the first to commit (PostgreSQL);
    # SQLite serialises writers. Either way no number is used twice or skipped.
    tax_rates(uow, actor)
    customer = a_billed_customer(uow, actor)
    drafts = [a_draft(uow, actor, customer).id for _ in range(4)]
    start = threading.Barrier(len(drafts))
    numbers: list[str] = []
    failures: list[BaseException] = []

    def post(draft_id: int) -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            numbers.append(post_invoice(own, actor, draft_id).number or "")
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=post, args=(draft_id,)) for draft_id in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(numbers) == [f"INV-2026-{n:06d}" for n in range(1, 5)]
