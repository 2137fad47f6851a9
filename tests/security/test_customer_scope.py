"""A portal user sees only its own customer: invoices, payments, disputes, orders, statement.

Another customer's document asked for by id is `NotFound` (its existence is not revealed);
listings are narrowed to the own customer whatever filter is asked for.
"""

from __future__ import annotations

from datetime import date

import pytest

from o2c.billing.model import InvoiceFilter
from o2c.billing.service import get_invoice, list_invoices
from o2c.disputes.cases import CaseFilter, list_cases
from o2c.disputes.service import DeductionFilter, list_deductions
from o2c.kernel.errors import NotFound, PermissionDenied
from o2c.ledger.reports import customer_statement
from o2c.orders.service import OrderFilter, get_order, list_orders
from o2c.payments.service import get_payment, list_payments
from o2c.security.model import Actor, Role
from o2c.security.users import actor_for, create_user
from tests.billing.builders import a_billed_customer
from tests.disputes.builders import a_widget_invoice, set_up_billing
from tests.payments.builders import a_received_payment


@pytest.fixture
def two_customers(uow, actor):
    own = set_up_billing(uow, actor, "OWN")
    other = a_billed_customer(uow, actor, "OTHER")
    documents = {
        name: {
            "invoice": a_widget_invoice(uow, actor, customer).id,
            "payment": a_received_payment(uow, actor, customer, "5.00").id,
        }
        for name, customer in (("own", own), ("other", other))
    }
    user = create_user(
        uow,
        actor,
        email="buyer@own.example",
        name="Buyer",
        password=None,
        roles=[Role.CUSTOMER],
        customer_id=own,
    )
    return actor_for(user), own, other, documents


def test_documents_of_another_customer_are_not_found(uow, two_customers):
    portal, own, _, docs = two_customers

    assert get_invoice(uow, portal, docs["own"]["invoice"]).customer_id == own
    assert get_payment(uow, portal, docs["own"]["payment"]).customer_id == own
    with pytest.raises(NotFound):
        get_invoice(uow, portal, docs["other"]["invoice"])
    with pytest.raises(NotFound):
        get_payment(uow, portal, docs["other"]["payment"])


def test_listings_hold_only_the_own_customer(uow, two_customers):
    portal, own, other, _ = two_customers

    invoices, total = list_invoices(uow, portal, InvoiceFilter())
    payments, _ = list_payments(uow, portal)
    assert total == 1
    assert {i.customer_id for i in invoices} == {own}
    assert {p.customer_id for p in payments} == {own}
    assert list_orders(uow, portal, OrderFilter())[1] == 0
    assert list_cases(uow, portal, CaseFilter())[1] == 0
    assert list_deductions(uow, portal, DeductionFilter())[1] == 0
    with pytest.raises(PermissionDenied):
        list_invoices(uow, portal, InvoiceFilter(customer_id=other))


def test_staff_see_every_customer(uow, actor, two_customers):
    _, own, other, docs = two_customers
    clerk = Actor("clerk", actor.company_id, frozenset({Role.AR_CLERK}))

    invoices, _ = list_invoices(uow, clerk, InvoiceFilter())

    assert {i.customer_id for i in invoices} == {own, other}
    assert get_invoice(uow, clerk, docs["other"]["invoice"]).customer_id == other


def test_orders_and_statements_of_another_customer_are_refused(uow, two_customers):
    portal, own, other, _ = two_customers

    statement = customer_statement(uow, portal, own, date(2026, 1, 1), date(2026, 3, 1))
    assert statement is not None
    with pytest.raises(NotFound):
        customer_statement(uow, portal, other, date(2026, 1, 1), date(2026, 3, 1))
    with pytest.raises(NotFound):
        get_order(uow, portal, 10**9)
