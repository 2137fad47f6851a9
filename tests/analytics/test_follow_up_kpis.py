"""Promises kept, and the disputes domain's figures, in the KPI object."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from o2c.analytics.kpi_output import kpi_document
from o2c.analytics.reports import kpi_report
from o2c.collections.tables import PromiseToPay
from tests.analytics.builders import AS_OF
from tests.builders import a_customer

pytestmark = pytest.mark.storage


def promises(uow, actor, outcomes: list[tuple[str, date | None]]) -> None:
    customer = a_customer(uow, actor)
    with uow:
        for status, resolved in outcomes:
            uow.session.add(
                PromiseToPay(
                    company_id=actor.company_id,
                    customer_id=customer,
                    made_on=date(2026, 1, 5),
                    pay_by=date(2026, 1, 20),
                    grace_days=2,
                    currency="EUR",
                    amount_minor=10000,
                    paid_minor=0,
                    status=status,
                    resolved_on=resolved,
                    note="",
                    created_at=datetime(2026, 1, 5, tzinfo=UTC),
                    created_by="collector",
                )
            )
        uow.commit()


def test_promises_kept_rate_counts_promises_resolved_in_the_window(uow, actor):
    # given 3 kept and 1 broken in the window, 1 cancelled, 1 pending, 1 kept long ago
    in_window = date(2026, 2, 1)
    promises(
        uow,
        actor,
        [
            ("kept", in_window),
            ("kept", in_window),
            ("kept", in_window),
            ("broken", in_window),
            ("cancelled", in_window),
            ("pending", None),
            ("kept", date(2025, 6, 1)),
        ],
    )
    # when the KPIs are computed as of 2026-03-31 (90 days)
    document = kpi_document(kpi_report(uow, actor, AS_OF))
    # then 3 of the 4 promises resolved in the window were kept
    assert document["promises_kept_rate"] == 75.0


def test_dispute_figures_appear_only_in_a_report_as_of_today(uow, actor, today):
    past = kpi_document(kpi_report(uow, actor, AS_OF))
    now = kpi_document(kpi_report(uow, actor, today))
    assert past["disputes_at_risk"] is None
    assert now["disputes_at_risk"] == "0.00"
    assert now["dispute_cycle_days"] is None  # no case closed yet
