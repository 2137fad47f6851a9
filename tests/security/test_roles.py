"""Who may do each sensitive thing: every role tried against the real service, plus a sample
through the API (403 problem+json) and segregation of duties for bank-detail changes.

The allowed roles are written out here, not read from ROLE_PERMISSIONS, so a change to the
role table that opens or closes a sensitive action makes a test fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import SQLAlchemyError

from o2c.billing.service import post_invoice
from o2c.collections.running import run_dunning
from o2c.credit.service import release_hold
from o2c.disputes.outcomes import approve_write_off
from o2c.kernel.errors import O2CError, PermissionDenied
from o2c.kernel.money import Money
from o2c.ledger.service import ApplyCommand, apply_items, close_period, write_off
from o2c.parties.bank_changes import (
    ChangeKind,
    ChangeRequest,
    approve_bank_change,
    list_bank_changes,
    request_bank_change,
)
from o2c.parties.contacts import add_bank_account, list_bank_accounts
from o2c.parties.model import BankAccountCreate
from o2c.payments.model import PaymentMethod
from o2c.payments.refund_requests import approve_refund_request
from o2c.payments.service import refund
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import ROLE_PERMISSIONS, Actor, Permission, Role
from o2c.security.users import create_user
from tests.app.client import api_client
from tests.app.test_api import assert_problem
from tests.builders import a_customer, a_payment, an_invoice

R = Role
ON = date(2026, 3, 1)
IBAN = "DE89370400440532013000"


def as_role(actor: Actor, role: Role) -> Actor:
    return Actor(f"{role.value}@acme.example", actor.company_id, frozenset({role}))


def _new_user(uow, actor, role):
    create_user(
        uow, actor, email=f"new-{role}@acme.example", name="N", password=None, roles=[R.AUDITOR]
    )


# action: (allowed roles, call(uow, actor, data, role))
ACTIONS: dict[str, tuple[set[Role], Callable[..., Any]]] = {
    "post invoice": ({R.ADMIN, R.AR_CLERK}, lambda u, a, d, r: post_invoice(u, a, 10**9)),
    "apply payment": (
        {R.ADMIN, R.AR_CLERK, R.CASH_APPLIER, R.CONTROLLER},
        lambda u, a, d, r: apply_items(u, a, [ApplyCommand(d["invoice"], d["payment"], 100, ON)]),
    ),
    "refund": (
        {R.ADMIN, R.CONTROLLER},
        lambda u, a, d, r: refund(u, a, d["payment"], Money("1.00", "EUR"), PaymentMethod.WIRE, ON),
    ),
    "approve refund": (
        {R.ADMIN, R.CONTROLLER},
        lambda u, a, d, r: approve_refund_request(u, a, 10**9),
    ),
    "write off": (
        {R.ADMIN, R.CONTROLLER},
        lambda u, a, d, r: write_off(u, a, d["invoice"], 100, ON),
    ),
    "approve write-off": (
        {R.ADMIN, R.CONTROLLER},
        lambda u, a, d, r: approve_write_off(u, a, 10**9),
    ),
    "release credit hold": (
        {R.ADMIN, R.CREDIT_MANAGER},
        lambda u, a, d, r: release_hold(u, a, d["customer"], "paid in full"),
    ),
    "close period": ({R.ADMIN, R.CONTROLLER}, lambda u, a, d, r: close_period(u, a, ON)),
    "request bank-detail change": (
        {R.ADMIN, R.AR_CLERK},
        lambda u, a, d, r: request_bank_change(
            u, a, d["customer"], ChangeRequest(ChangeKind.ADD, BankAccountCreate(IBAN))
        ),
    ),
    "change bank details directly": (
        {R.ADMIN},
        lambda u, a, d, r: add_bank_account(u, a, d["customer"], BankAccountCreate(IBAN)),
    ),
    "run dunning": ({R.ADMIN, R.CREDIT_MANAGER}, lambda u, a, d, r: run_dunning(u, a, ON)),
    "manage users": ({R.ADMIN}, lambda u, a, d, r: _new_user(u, a, r)),
    "manage api keys": (
        {R.ADMIN},
        lambda u, a, d, r: create_credential(u, a, CredentialKind.API_KEY, f"k-{r}", [R.AUDITOR]),
    ),
}


@pytest.fixture
def data(uow, actor):
    customer = a_customer(uow, actor)
    invoice = an_invoice(uow, actor, customer, "500.00")
    payment = a_payment(uow, actor, customer, "300.00")
    return {"customer": customer, "invoice": invoice.item_id, "payment": payment.item_id}


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except PermissionDenied as refused:
        return f"denied ({refused.detail})"
    except (O2CError, SQLAlchemyError):
        return "allowed"  # past the permission check, stopped by the (dummy) data
    return "allowed"


def test_each_sensitive_action_is_open_to_exactly_its_roles(uow, actor, data):
    wrong = {}
    for action, (allowed, call) in ACTIONS.items():
        # Denials first: an allowed call may change the data the next role sees.
        for role in sorted(set(Role) - allowed) + sorted(allowed):
            outcome = _outcome(lambda c=call, r=role: c(uow, as_role(actor, r), data, r))
            if outcome.startswith("denied") == (role in allowed):
                wrong[action, role] = outcome
    assert not wrong, f"roles with the wrong outcome: {wrong}"


def test_auditors_and_customers_read_but_hold_no_right_to_change_anything():
    changes = {p for p in Permission if not p.value.endswith(".read")}

    assert Permission.LEDGER_READ in ROLE_PERMISSIONS[R.AUDITOR]
    assert not ROLE_PERMISSIONS[R.AUDITOR] & changes
    assert ROLE_PERMISSIONS[R.CUSTOMER] == {Permission.LEDGER_READ}


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        (R.AUDITOR, "POST", "/api/v1/ledger/periods/close", {"through": "2026-02-28"}),
        (R.COLLECTOR, "POST", "/api/v1/collections/runs", {"as_of": "2026-03-01"}),
        (R.CASH_APPLIER, "POST", "/api/v1/ledger/periods/close", {"through": "2026-02-28"}),
    ],
)
def test_the_api_refuses_a_role_without_the_right_as_a_403_problem(
    engine, clock, uow, actor, role, method, path, body
):
    key = create_credential(uow, actor, CredentialKind.API_KEY, "role", [role]).api_key
    client = api_client(engine, clock, authenticated=False)

    response = client.request(method, path, json=body, headers={"X-API-Key": key})

    assert "lacks permission" in assert_problem(response, 403, "forbidden")["detail"]


def test_a_bank_detail_change_takes_a_second_person(uow, actor, data):
    clerk = as_role(actor, R.AR_CLERK)
    other_clerk = Actor("other@acme.example", actor.company_id, frozenset({R.AR_CLERK}))
    change = request_bank_change(
        uow, clerk, data["customer"], ChangeRequest(ChangeKind.ADD, BankAccountCreate(IBAN))
    )
    assert list_bank_accounts(uow, actor, data["customer"]) == []

    with pytest.raises(PermissionDenied, match="cannot also approve"):
        approve_bank_change(uow, clerk, change.id)
    approved = approve_bank_change(uow, other_clerk, change.id)

    assert approved.status == "approved"
    assert approved.decided_by == "other@acme.example"
    assert [a.iban for a in list_bank_accounts(uow, actor, data["customer"])] == [IBAN]
    assert list_bank_changes(uow, actor) == []


def test_removing_a_bank_account_is_also_a_request_until_approved(uow, actor, data):
    account = add_bank_account(uow, actor, data["customer"], BankAccountCreate(IBAN))
    clerk = as_role(actor, R.AR_CLERK)
    change = request_bank_change(
        uow, clerk, data["customer"], ChangeRequest(ChangeKind.REMOVE, bank_account_id=account.id)
    )
    assert len(list_bank_accounts(uow, actor, data["customer"])) == 1

    approve_bank_change(uow, actor, change.id)

    assert list_bank_accounts(uow, actor, data["customer"]) == []
