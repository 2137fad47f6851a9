"""The demo company: a small load (scale 0.1) on each backend, checked as finance would."""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from o2c.app.demo import DemoSummary, load_demo
from o2c.app.identity import company_id_for
from o2c.app.schema import metadata
from o2c.billing.tables import Invoice, InvoiceLine, InvoiceTax
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.kernel.errors import Conflict
from o2c.ledger.reports import aging
from o2c.parties.model import iban_problem
from o2c.parties.tables import Customer, CustomerBankAccount
from o2c.payments.tables import Payment
from o2c.security.model import Actor, system_actor
from tests.app.client import o2c
from tests.builders import a_customer
from tests.invariants import check_ledger

TODAY = date(2026, 3, 2)
EXPECTED_COUNTS = {
    "customers": 16,
    "products": 72,
    "orders": 160,
    "shipments": 173,
    "invoices": 181,
    "credit_notes": 2,
    "payments": 150,
    "write_offs": 0,
    "refunds": 1,
}


class Demo:
    def __init__(self, engine: Engine, summary: DemoSummary) -> None:
        self.engine = engine
        self.summary = summary
        self.uow = UnitOfWork(
            session_factory(engine), FrozenClock(datetime(2026, 3, 2, tzinfo=UTC))
        )
        self.actor: Actor = system_actor(company_id_for(self.uow, "DEMO"), "tester")

    def scalar(self, query: object) -> object:
        with self.uow:
            return self.uow.session.scalar(query)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def demo(backend: str, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Demo]:
    """One small demo per backend, shared by the module's tests (they only read it)."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        shutil.copyfile(template, path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(f'"{t.name}"' for t in metadata().sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    summary = load_demo(engine, today=TODAY, seed=42, scale=0.1)
    yield Demo(engine, summary)
    if backend == "sqlite":
        engine.dispose()


def test_the_same_seed_loads_the_same_company(demo):
    assert asdict(demo.summary.counts) == EXPECTED_COUNTS


def test_every_entry_balances_and_open_items_agree_with_the_ledger(demo):
    check_ledger(demo.uow, demo.actor)


def test_aging_on_the_last_day_has_amounts_in_every_bucket(demo):
    totals: dict[str, int] = defaultdict(int)
    for row in aging(demo.uow, demo.actor, TODAY):
        totals[row.bucket] += row.amount_minor

    assert set(totals) == {"current", "1-30", "31-60", "61-90", "90+"}
    assert all(amount > 0 for amount in totals.values()), totals


def test_the_hard_cases_of_e_invoicing_are_among_the_invoices(demo):
    several_rates = (
        select(InvoiceTax.invoice_id)
        .group_by(InvoiceTax.invoice_id)
        .having(func.count(func.distinct(InvoiceTax.percent)) >= 2)
    )
    assert demo.scalar(select(func.count()).select_from(several_rates.subquery())) > 0
    exempt = select(func.count()).where(InvoiceLine.tax_exemption_reason.is_not(None))
    assert demo.scalar(exempt) > 0
    discount_and_charge = select(func.count()).where(
        Invoice.discount_minor > 0, Invoice.charge_minor > 0, Invoice.status == "posted"
    )
    assert demo.scalar(discount_and_charge) > 0
    assert demo.scalar(select(func.count()).where(Invoice.kind == "credit_note")) > 0
    foreign = select(func.count(func.distinct(Invoice.currency))).where(Invoice.currency != "EUR")
    assert demo.scalar(foreign) == 2


def test_customers_have_valid_ibans_a_group_and_one_billed_on_order(demo):
    with demo.uow:
        ibans = demo.uow.session.scalars(select(CustomerBankAccount.iban)).all()
        children = demo.uow.session.execute(
            select(Customer.parent_id, func.count())
            .where(Customer.parent_id.is_not(None))
            .group_by(Customer.parent_id)
        ).all()
        billed_on_order = demo.uow.session.scalar(
            select(func.count()).where(Customer.invoice_on == "order")
        )
    assert ibans
    assert all(iban_problem(iban) is None for iban in ibans)
    assert [count for _, count in children] == [3]
    assert billed_on_order == 1


def test_the_parent_pays_its_subsidiaries_invoices(demo):
    with demo.uow:
        parent = demo.uow.session.scalar(
            select(Customer.parent_id).where(Customer.parent_id.is_not(None)).limit(1)
        )
        subsidiaries_paying = demo.uow.session.scalar(
            select(func.count()).where(
                Payment.customer_id.in_(select(Customer.id).where(Customer.parent_id == parent))
            )
        )
        parent_paying = demo.uow.session.scalar(
            select(func.count()).where(Payment.customer_id == parent)
        )
    assert subsidiaries_paying == 0
    assert parent_paying > 0


def test_loading_twice_is_refused(demo):
    with pytest.raises(Conflict, match="already has 16 customers"):
        load_demo(demo.engine, today=TODAY, scale=0.1)


def test_the_demo_command_refuses_a_company_with_customers(database, uow, actor):
    a_customer(uow, actor, code="C1")

    result = o2c(database, "demo", "--today", "2026-03-02")

    assert result.exit_code == 1
    assert "error: company ACME already has 1 customer:" in result.output
