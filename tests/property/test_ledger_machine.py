"""Random sequences of ledger operations never break the ledger's invariants."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, select

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.kernel.errors import O2CError
from o2c.ledger.service import (
    ApplyCommand,
    apply_items,
    install_chart,
    reverse_application,
    write_off,
)
from o2c.ledger.tables import Application, OpenItem
from o2c.security.model import system_actor
from o2c.security.service import create_company
from tests.builders import a_customer, a_payment, an_invoice
from tests.invariants import check_ledger

_companies = itertools.count(1)
START = date(2026, 1, 1)


def ledger_machine(engine: Engine) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def company(self) -> None:
            self.uow = UnitOfWork(session_factory(engine), FrozenClock())
            with self.uow:
                company = create_company(self.uow, f"P{next(_companies)}-{id(self)}", "Prop", "EUR")
                self.uow.commit()
            install_chart(self.uow, company.id)
            self.actor = system_actor(company.id)
            self.customers = [a_customer(self.uow, self.actor, f"C{i}") for i in range(2)]
            self.day = START

        def _items(self, debit: bool) -> list[OpenItem]:
            with self.uow:
                query = select(OpenItem).where(
                    OpenItem.company_id == self.actor.company_id, OpenItem.closed_on.is_(None)
                )
                items = self.uow.session.scalars(query.order_by(OpenItem.id)).all()
            return [i for i in items if (i.open_minor > 0) == debit]

        @rule(days=st.integers(0, 20))
        def time_passes(self, days: int) -> None:
            self.day += timedelta(days=days)

        @rule(
            customer=st.integers(0, 1),
            cents=st.integers(1, 500_00),
            base_shift=st.integers(-500, 500),
            foreign=st.booleans(),
        )
        def invoice(self, customer: int, cents: int, base_shift: int, foreign: bool) -> None:
            currency = "USD" if foreign else "EUR"
            base = max(1, cents + base_shift) if foreign else cents
            an_invoice(
                self.uow,
                self.actor,
                self.customers[customer],
                f"{cents / 100:.2f}",
                currency=currency,
                on=self.day,
                base=base,
            )

        @rule(
            customer=st.integers(0, 1),
            cents=st.integers(1, 500_00),
            base_shift=st.integers(-500, 500),
            foreign=st.booleans(),
        )
        def payment(self, customer: int, cents: int, base_shift: int, foreign: bool) -> None:
            currency = "USD" if foreign else "EUR"
            base = max(1, cents + base_shift) if foreign else cents
            a_payment(
                self.uow,
                self.actor,
                self.customers[customer],
                f"{cents / 100:.2f}",
                currency=currency,
                on=self.day,
                base=base,
            )

        @rule(pick=st.integers(0, 10**6), part=st.floats(0.01, 1.0), discount=st.integers(0, 300))
        def apply(self, pick: int, part: float, discount: int) -> None:
            debits, credits = self._items(True), self._items(False)
            pairs = [(d, c) for d in debits for c in credits if d.currency == c.currency]
            if not pairs:
                return
            debit, credit = pairs[pick % len(pairs)]
            most = min(debit.open_minor, -credit.open_minor)
            amount = max(1, int(most * part))
            discount = min(discount, debit.open_minor - amount)
            apply_items(
                self.uow,
                self.actor,
                [ApplyCommand(debit.id, credit.id, amount, self.day, discount=discount)],
            )

        @rule(pick=st.integers(0, 10**6), debit=st.booleans())
        def write_off_rest(self, pick: int, debit: bool) -> None:
            items = self._items(debit)
            if items:
                item = items[pick % len(items)]
                write_off(self.uow, self.actor, item.id, abs(item.open_minor), self.day)

        @rule(pick=st.integers(0, 10**6))
        def reverse(self, pick: int) -> None:
            with self.uow:
                ids = self.uow.session.scalars(
                    select(Application.id).where(
                        Application.company_id == self.actor.company_id,
                        Application.reversed.is_(False),
                        Application.reverses_id.is_(None),
                    )
                ).all()
            if ids:
                reverse_application(self.uow, self.actor, ids[pick % len(ids)], self.day)

        @rule(cents=st.integers(1, 10**6))
        def over_application_is_refused(self, cents: int) -> None:
            debits, credits = self._items(True), self._items(False)
            pairs = [(d, c) for d in debits for c in credits if d.currency == c.currency]
            if pairs:
                debit, credit = pairs[0]
                too_much = max(debit.open_minor, -credit.open_minor) + cents
                try:
                    apply_items(
                        self.uow,
                        self.actor,
                        [ApplyCommand(debit.id, credit.id, too_much, self.day)],
                    )
                except O2CError:
                    return
                raise AssertionError("over-application was accepted")

        @invariant()
        def ledger_holds(self) -> None:
            if hasattr(self, "actor"):
                check_ledger(self.uow, self.actor)

    return LedgerMachine


def test_random_ledger_operations_keep_every_invariant(engine):
    machine = ledger_machine(engine)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
