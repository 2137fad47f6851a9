"""Each rule fires on the bad case, stays silent on the good one, and never raises twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from o2c.fraud.model import Rule
from o2c.fraud.service import AlertFilter, list_alerts, scan
from o2c.parties.contacts import add_bank_account
from o2c.parties.model import BankAccountCreate
from tests.builders import a_customer
from tests.fraud.builders import (
    OTHER_IBAN,
    PAYER_IBAN,
    a_payment,
    a_refund,
    an_invoice,
    bank_lines,
)

pytestmark = pytest.mark.storage


def alerts(uow, actor, rule: Rule):
    rows, _ = list_alerts(uow, actor, AlertFilter(rule=rule))
    return rows


def test_an_invoice_repeated_with_the_same_reference_is_a_duplicate(uow, actor, customer):
    first = an_invoice(uow, actor, customer, "480.00", date(2026, 2, 20), po="PO-7781")
    second = an_invoice(
        uow, actor, customer, "480.00", date(2026, 2, 23), po="po 7781", lines=("Other",)
    )

    result = scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.DUPLICATE_INVOICE)
    assert result.raised == {"duplicate_invoice": 1}
    assert [i["id"] for i in alert.evidence["invoices"]] == [first, second]
    assert alert.evidence["same_reference"] is True
    assert alert.evidence["threshold_days"] == 10
    assert (alert.status, alert.severity, alert.customer_id) == ("open", "high", customer)


def test_an_invoice_repeated_with_the_same_lines_is_a_duplicate(uow, actor, customer):
    an_invoice(uow, actor, customer, "90.00", date(2026, 2, 20), lines=("Bolt", "Nut"))
    an_invoice(uow, actor, customer, "90.00", date(2026, 2, 21), lines=("Bolt", "Nut"))

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.DUPLICATE_INVOICE)
    assert alert.evidence["same_lines"] is True


def test_equal_invoices_apart_in_time_reference_or_customer_are_no_duplicates(uow, actor, customer):
    other = a_customer(uow, actor, "C2")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 1), po="PO-1")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 25), po="PO-1")  # 24 days later
    an_invoice(uow, actor, customer, "75.00", date(2026, 2, 20), po="PO-2", lines=("A",))
    an_invoice(uow, actor, customer, "75.00", date(2026, 2, 20), po="PO-3", lines=("B",))
    an_invoice(uow, actor, other, "75.00", date(2026, 2, 20), po="PO-2", lines=("A",))

    assert scan(uow, actor).found.get("duplicate_invoice", 0) == 0


def test_a_payment_received_twice_is_a_duplicate(uow, actor, customer):
    first = a_payment(uow, actor, customer, "250.00", reference="INV-000123")
    second = a_payment(uow, actor, customer, "250.00", reference="INV-000123")
    a_payment(uow, actor, customer, "250.00", reference="INV-000124")

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.DUPLICATE_PAYMENT)
    assert [p["id"] for p in alert.evidence["payments"]] == [first.id, second.id]
    assert alert.evidence["payments"][0]["amount"] == "250.00 EUR"


def test_payments_with_other_amounts_or_days_are_no_duplicates(uow, actor, customer):
    a_payment(uow, actor, customer, "250.00", date(2026, 2, 10))
    a_payment(uow, actor, customer, "250.00", date(2026, 2, 20))
    a_payment(uow, actor, customer, "251.00", date(2026, 2, 20))

    assert scan(uow, actor).found.get("duplicate_payment", 0) == 0


def test_one_transfer_booked_twice_under_two_bank_references_is_a_duplicate(uow, actor):
    day = date(2026, 2, 26)
    ids = bank_lines(
        uow,
        actor,
        [("R1", "99.00", day, PAYER_IBAN), ("R2", "99.00", day, PAYER_IBAN)],
    )

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.DUPLICATE_BANK_LINE)
    assert [line["id"] for line in alert.evidence["bank_lines"]] == ids


def test_equal_transfers_from_two_payers_are_no_duplicate(uow, actor):
    day = date(2026, 2, 26)
    bank_lines(uow, actor, [("R1", "99.00", day, PAYER_IBAN), ("R2", "99.00", day, OTHER_IBAN)])

    assert scan(uow, actor).found.get("duplicate_bank_line", 0) == 0


def test_a_refund_right_after_a_bank_account_change_is_suspicious(uow, actor, customer):
    payment = a_payment(uow, actor, customer)
    add_bank_account(uow, actor, customer, BankAccountCreate(OTHER_IBAN))  # today, 2 March
    refund = a_refund(uow, actor, payment, date(2026, 3, 2), to_account=OTHER_IBAN)

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.BANK_CHANGE_BEFORE_REFUND)
    assert alert.evidence["refund"]["id"] == refund.id
    assert alert.evidence["bank_changes"][0]["action"] == "bank_account.add"
    assert alert.evidence["threshold_days"] == 14


def test_a_refund_long_after_the_last_bank_change_is_not(uow, actor, customer, clock):
    clock.set_date(date(2026, 1, 5))
    add_bank_account(uow, actor, customer, BankAccountCreate(PAYER_IBAN))
    clock.set_date(date(2026, 3, 2))
    payment = a_payment(uow, actor, customer)
    a_refund(uow, actor, payment, date(2026, 3, 2))

    assert scan(uow, actor).found.get("bank_change_before_refund", 0) == 0


def test_a_refund_to_another_account_than_the_payment_came_from(uow, actor, customer):
    payment = a_payment(uow, actor, customer)
    bank_lines(uow, actor, [("R1", "250.00", date(2026, 2, 25), PAYER_IBAN)], payment.id)
    refund = a_refund(uow, actor, payment, to_account="gb82 west 1234 5698 7654 32")

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.REFUND_TO_OTHER_ACCOUNT)
    assert alert.evidence["refund"] == {
        "id": refund.id,
        "number": refund.number,
        "amount": "50.00 EUR",
        "refunded_on": "2026-03-02",
        "payment_id": payment.id,
        "credit_note_id": None,
        "to_account": OTHER_IBAN,
    }
    assert alert.evidence["known_accounts"] == [PAYER_IBAN]


def test_a_refund_back_to_the_paying_account_is_not_flagged(uow, actor, customer):
    payment = a_payment(uow, actor, customer)
    bank_lines(uow, actor, [("R1", "250.00", date(2026, 2, 25), PAYER_IBAN)], payment.id)
    a_refund(uow, actor, payment, to_account="de89 3704 0044 0532 0130 00")

    assert scan(uow, actor).found.get("refund_to_other_account", 0) == 0


def test_without_a_bank_line_a_refund_is_compared_with_the_registered_accounts(
    uow, actor, customer
):
    add_bank_account(uow, actor, customer, BankAccountCreate(PAYER_IBAN))
    payment = a_payment(uow, actor, customer)
    a_refund(uow, actor, payment, amount="10.00", to_account=PAYER_IBAN)
    a_refund(uow, actor, payment, amount="20.00", to_account=OTHER_IBAN)

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.REFUND_TO_OTHER_ACCOUNT)
    assert alert.evidence["refund"]["amount"] == "20.00 EUR"
    assert alert.evidence["compared_with"] == "the customer's accounts"


def usual_history(uow, actor, customer, amounts):
    for n, amount in enumerate(amounts):
        an_invoice(uow, actor, customer, amount, date(2025, 11, 1) + timedelta(days=7 * n))


def test_an_invoice_far_above_the_customers_usual_amounts_is_flagged(uow, actor, customer):
    usual_history(uow, actor, customer, ["96.00", "101.00", "99.50", "104.00", "98.00", "102.00"])
    huge = an_invoice(uow, actor, customer, "4800.00", date(2026, 2, 27), lines=("Big",))
    an_invoice(uow, actor, customer, "108.00", date(2026, 2, 28), lines=("Usual",))

    scan(uow, actor)

    [alert] = alerts(uow, actor, Rule.UNUSUAL_INVOICE_AMOUNT)
    assert alert.evidence["invoice"]["id"] == huge
    assert alert.evidence["median"] == "100.25 EUR"
    assert alert.evidence["history_count"] == 6
    assert float(alert.evidence["score"]) > 6


def test_a_short_history_is_no_basis_for_an_outlier(uow, actor, customer):
    usual_history(uow, actor, customer, ["96.00", "101.00", "99.50"])
    an_invoice(uow, actor, customer, "4800.00", date(2026, 2, 27))

    assert scan(uow, actor).found.get("unusual_invoice_amount", 0) == 0


def test_one_wild_invoice_in_the_history_does_not_hide_the_next(uow, actor, customer):
    usual_history(
        uow, actor, customer, ["96.00", "101.00", "99.50", "9000.00", "98.00", "102.00", "97.00"]
    )
    an_invoice(uow, actor, customer, "5000.00", date(2026, 2, 27))

    assert scan(uow, actor).found == {"unusual_invoice_amount": 1}


def test_a_second_scan_raises_nothing_new(uow, actor, customer):
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 20), po="PO-1")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 22), po="PO-1")
    first = scan(uow, actor)

    again = scan(uow, actor, date(2026, 3, 3))

    assert first.raised == {"duplicate_invoice": 1}
    assert again.found == {"duplicate_invoice": 1}
    assert again.raised == {}
    assert again.alert_ids == []
    assert len(alerts(uow, actor, Rule.DUPLICATE_INVOICE)) == 1
