"""KPIs read from the ledger: the worked example, replay of past dates, groups and currencies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from o2c.analytics.kpi_output import kpi_document
from o2c.analytics.measures import GroupBy
from o2c.analytics.reports import Every, kpi_report, kpi_trend
from o2c.collections.worklist import assign_collector
from o2c.kernel.errors import PermissionDenied, ValidationFailed
from o2c.ledger.service import set_fx_rate
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Role
from tests.analytics.builders import AS_OF, later_activity, worked_example
from tests.builders import a_customer, an_invoice

pytestmark = pytest.mark.storage

EXPECTED = {
    "ar_open": "5900.00",
    "ar_current": "3500.00",
    "ar_past_due": "2400.00",
    "unapplied_cash": "250.00",
    "net_invoiced_90": "8500.00",
    "dso_standard_90": 62.47,
    "dso_countback": 63.13,
    "best_possible_dso": 37.06,
    "average_days_delinquent": 25.41,
    "cei_90": 60.0,
    "percent_current": 59.32,
}


def contract(document: dict) -> dict:
    return {key: document[key] for key in EXPECTED}


def test_worked_example_gives_the_hand_computed_kpis(uow, actor):
    # given the worked example of docs/KPIS.md
    worked_example(uow, actor)
    # when the KPIs are computed as of 2026-03-31
    document = kpi_document(kpi_report(uow, actor, AS_OF))
    # then every figure is the one computed by hand
    assert contract(document) == EXPECTED
    assert document["base_currency"] == "EUR"
    assert document["period_days"] == 90


def test_kpis_of_a_past_date_do_not_change_when_later_business_is_posted(uow, actor):
    # given the worked example and its KPIs as of its date
    example = worked_example(uow, actor)
    before = kpi_document(kpi_report(uow, actor, AS_OF, 30, GroupBy.CUSTOMER))
    # when a payment, an invoice and a write-off dated after that day are posted
    later_activity(uow, actor, example)
    # then the KPIs as of that day are the same, and those of a later day differ
    assert kpi_document(kpi_report(uow, actor, AS_OF, 30, GroupBy.CUSTOMER)) == before
    after = kpi_document(kpi_report(uow, actor, AS_OF + timedelta(days=30)))
    assert after["ar_open"] == "4200.00"  # 5900 − 2000 paid − 400 written off + 700 new
    assert after["unapplied_cash"] == "250.00"


def test_a_past_date_before_a_window_of_other_length_replays_too(uow, actor):
    # given the example, KPIs as of a day in the middle of its history
    example = worked_example(uow, actor)
    day = date(2026, 2, 28)
    before = kpi_document(kpi_report(uow, actor, day, 45))
    later_activity(uow, actor, example)
    # then: A open 400 (since Jan 20), B paid on Feb 15, C 2000 issued Feb 20 and current
    assert kpi_document(kpi_report(uow, actor, day, 45)) == before
    assert before["ar_open"] == "2400.00"
    assert before["ar_current"] == "2000.00"
    # the 45 days are Jan 15 – Feb 28: only C (2000) was invoiced in them, B (Jan 10) before
    assert before["dso_standard_45"] == 54.0  # 2400 / 2000 × 45


def test_groups_add_up_to_the_company_and_name_customers_by_code(uow, actor):
    # given the example for two customers
    worked_example(uow, actor, "ALPHA")
    worked_example(uow, actor, "BETA")
    # when the KPIs are grouped by customer
    report = kpi_document(kpi_report(uow, actor, AS_OF, group_by=GroupBy.CUSTOMER))
    # then each customer has the example's figures, and the company twice the amounts
    assert [g["group"] for g in report["groups"]] == ["ALPHA", "BETA"]
    for group in report["groups"]:
        assert contract(group | {"unapplied_cash": group["unapplied_cash"]}) == EXPECTED
    assert report["ar_open"] == "11800.00"
    assert report["dso_standard_90"] == 62.47


def test_foreign_currency_is_converted_at_the_rate_of_the_report_date(uow, actor):
    # given a USD invoice and rates before and after the report date
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.90"))
    set_fx_rate(uow, actor, "USD", date(2026, 4, 1), Decimal("0.95"))
    customer = a_customer(uow, actor, "US1", "USD")
    an_invoice(uow, actor, customer, "1100.00", "USD", on=date(2026, 3, 1), base=99000)
    eur = a_customer(uow, actor, "EU1")
    an_invoice(uow, actor, eur, "100.00", on=date(2026, 3, 1))
    # when the KPIs are computed by currency as of 2026-03-31
    report = kpi_document(kpi_report(uow, actor, AS_OF, group_by=GroupBy.CURRENCY))
    # then USD counts at 0.90 (the rate in force that day), in base currency
    groups = {g["group"]: g for g in report["groups"]}
    assert groups["USD"]["ar_open"] == "990.00"
    assert groups["EUR"]["ar_open"] == "100.00"
    assert report["ar_open"] == "1090.00"
    assert report["net_invoiced_90"] == "1090.00"


def test_a_currency_without_a_rate_is_reported_not_guessed(uow, actor):
    customer = a_customer(uow, actor, "US1", "USD")
    an_invoice(uow, actor, customer, "10.00", "USD", on=date(2026, 3, 1), base=900)
    with pytest.raises(ValidationFailed, match="no exchange rate for USD"):
        kpi_report(uow, actor, AS_OF)


def test_an_empty_company_has_zero_ar_and_undefined_ratios(uow, actor):
    document = kpi_document(kpi_report(uow, actor, AS_OF))
    assert document["ar_open"] == "0.00"
    assert document["dso_standard_90"] is None
    assert document["cei_90"] is None
    assert document["percent_current"] is None


def test_trend_reports_each_month_end_and_the_end_date(uow, actor):
    worked_example(uow, actor)
    reports = kpi_trend(uow, actor, date(2026, 1, 1), date(2026, 3, 15), Every.MONTH)
    assert [r.as_of for r in reports] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]
    assert [kpi_document(r)["ar_open"] for r in reports] == ["3400.00", "2400.00", "6400.00"]


def test_kpis_need_the_ledger_read_permission(uow, actor):
    outsider = Actor("nobody", actor.company_id, frozenset())
    with pytest.raises(PermissionDenied):
        kpi_report(uow, outsider, AS_OF)


def test_period_beyond_a_year_is_refused(uow, actor):
    with pytest.raises(ValidationFailed):
        kpi_report(uow, actor, AS_OF, 400)


def test_collectors_group_the_customers_assigned_to_them(uow, actor):
    # given two customers of Ann's, one of Bob's and one nobody collects
    owners = {"A1": "ann", "A2": "ann", "B1": "bob", "N1": None}
    for code, collector in owners.items():
        customer_id = a_customer(uow, actor, code)
        if collector:
            assign_collector(uow, actor, [customer_id], collector)
        an_invoice(uow, actor, customer_id, "100.00", on=date(2026, 3, 20))
    # when the KPIs are grouped by collector
    report = kpi_document(kpi_report(uow, actor, AS_OF, group_by=GroupBy.COLLECTOR))
    # then each collector's book holds their customers' invoices
    assert {g["group"]: g["ar_open"] for g in report["groups"]} == {
        "(none)": "100.00",
        "ann": "200.00",
        "bob": "100.00",
    }


def test_auditors_may_read_kpis(uow, actor):
    auditor = Actor("auditor", actor.company_id, frozenset({Role.AUDITOR}))
    assert kpi_report(uow, auditor, AS_OF).company.ar_open == 0


def test_segments_group_customers_by_their_segment_attribute(uow, actor):
    # given two customers in the "trade" segment and one without a segment
    for code, segment in (("T1", "trade"), ("T2", "trade"), ("N1", None)):
        customer_id = a_customer(uow, actor, code)
        with uow:
            row = uow.session.get(Customer, customer_id)
            row.attributes = {"segment": segment} if segment else {}
            uow.commit()
        an_invoice(uow, actor, customer_id, "100.00", on=date(2026, 3, 20))
    # when the KPIs are grouped by segment
    report = kpi_document(kpi_report(uow, actor, AS_OF, group_by=GroupBy.SEGMENT))
    # then the trade segment holds two invoices and the rest is "(none)"
    assert {g["group"]: g["ar_open"] for g in report["groups"]} == {
        "(none)": "100.00",
        "trade": "200.00",
    }
