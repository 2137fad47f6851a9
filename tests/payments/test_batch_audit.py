"""A batch of payments is audited by one row per action that names every payment; a single
payment keeps its own row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from o2c.kernel.money import Money
from o2c.ledger.audit_batches import covered
from o2c.ledger.tables import Application
from o2c.payments.model import Allocation, BatchPayment
from o2c.payments.service import payment_batch
from o2c.security.tables import AuditRecord
from tests.billing.builders import a_billed_customer, a_posted_invoice, line, tax_rates
from tests.payments.builders import receipt


@pytest.fixture
def customer(uow, actor):
    tax_rates(uow, actor)
    return a_billed_customer(uow, actor)


def _rows(uow, action):
    with uow:
        return list(
            uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
            )
        )


def test_a_batch_of_payments_is_audited_by_one_row_per_action(uow, actor, customer):
    # Given three open invoices
    invoices = [
        a_posted_invoice(uow, actor, customer, line("Widget", "1", "10.00", "exempt"))
        for _ in range(3)
    ]

    # When three payments are received and applied in one batch
    results = payment_batch(
        uow,
        actor,
        [
            BatchPayment(receipt(customer, "10.00"), [Allocation(i.id, Money("10.00", "EUR"))])
            for i in invoices
        ],
    )

    # Then one row records them all and one row applies them all, naming every application
    paid = {r.payment_id for r in results}
    [recorded] = _rows(uow, "payment.record")
    [applied] = _rows(uow, "payment.apply")
    assert covered(recorded.data, "ids") == paid == covered(applied.data, "ids")
    assert recorded.data["count"] == applied.data["count"] == 3
    assert recorded.data["numbers"] == ["PAY-2026-000001", "PAY-2026-000003"]
    with uow:
        applications = set(uow.session.scalars(select(Application.id)))
    assert covered(applied.data, "applications") == applications
    assert (recorded.actor, recorded.entity) == ("tester", "payment")


def test_a_single_payment_keeps_its_own_audit_row(uow, actor, customer):
    # When one payment is received on its own
    [result] = payment_batch(uow, actor, [BatchPayment(receipt(customer, "5.00"))])

    # Then its audit row is under its own id, with its number
    [recorded] = _rows(uow, "payment.record")
    assert recorded.entity_id == str(result.payment_id)
    assert recorded.data == {"number": result.number}
