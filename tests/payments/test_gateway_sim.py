"""Paying invoices through the gateway port at the simulated processor: intents, 3-D Secure,
declines, signed webhooks, bank debits settling later and payouts reconciled with the bank."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from o2c.cashapp.matching_run import match
from o2c.cashapp.statements import import_statement
from o2c.cashapp.tables import BankLineRow
from o2c.kernel.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem
from o2c.payments.checkout import (
    CheckoutCreate,
    confirm_checkout,
    get_checkout,
    receive_webhook,
    start_checkout,
)
from o2c.payments.gateway import IntentStatus, MethodDetails, MethodKind
from o2c.payments.gateway_sim import SIGNATURE_HEADER, SimulatedProcessor
from o2c.payments.model import Allocation
from o2c.payments.tables import GatewayPayout, Payment
from o2c.payments.webhook_signature import sign
from o2c.security.model import Actor, Role
from tests.builders import a_customer, an_invoice
from tests.invariants import check_ledger

CARD_OK = "4242 4242 4242 4242"
CARD_3DS = "4000 0025 0000 3155"
IBAN_OK = "AT61 1904 3002 3457 3201"
IBAN_FAILS = "AT86 1904 3002 3547 3202"


@pytest.fixture
def processor(uow, clock):
    """The simulated processor, delivering its webhooks straight to o2c's handler."""
    sim = SimulatedProcessor(clock, "whsec_test", public_url="http://o2c.test", background=False)
    sim.webhook_url = "http://o2c.test/gateway/sim/webhook"

    def deliver(url: str, body: bytes, headers: dict[str, str]) -> None:
        receive_webhook(uow, sim, body, headers[SIGNATURE_HEADER])

    sim.transport = deliver
    return sim


@pytest.fixture
def customer(uow, actor):
    return a_customer(uow, actor, "C1")


@pytest.fixture
def payer(actor, customer):
    """The customer itself, signed in at the portal."""
    return Actor("buyer@c1.example", actor.company_id, frozenset({Role.CUSTOMER}), 7, customer)


def _open(uow, invoice) -> int:
    with uow:
        return uow.session.get_one(OpenItem, invoice.item_id).open_minor


def _invoice_id(uow, invoice) -> int:
    with uow:
        return uow.session.get_one(OpenItem, invoice.item_id).source_id


def _checkout(uow, payer, processor, customer, *parts, key="k1"):
    allocations = [Allocation(_invoice_id(uow, inv), Money(amount, "EUR")) for inv, amount in parts]
    return start_checkout(uow, payer, processor, CheckoutCreate(customer, allocations, key))


def _card(number: str) -> MethodDetails:
    return MethodDetails(MethodKind.CARD, number, "A Buyer", "12/30", "123")


def test_a_card_payment_is_applied_to_the_chosen_invoices_when_the_webhook_arrives(
    uow, actor, customer, payer, processor
):
    first = an_invoice(uow, actor, customer, "100.00")
    second = an_invoice(uow, actor, customer, "80.00")
    checkout = _checkout(uow, payer, processor, customer, (first, "100.00"), (second, "30.00"))

    row, intent = confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_OK))

    assert intent.status is IntentStatus.SUCCEEDED
    assert row.payment_id is not None
    assert (_open(uow, first), _open(uow, second)) == (0, 5000)
    with uow:
        payment = uow.session.get_one(Payment, row.payment_id)
        assert (payment.amount_minor, payment.method, payment.status) == (13000, "card", "applied")
    check_ledger(uow, actor)


def test_a_card_that_asks_for_3d_secure_is_paid_only_after_the_challenge(
    uow, actor, customer, payer, processor
):
    invoice = an_invoice(uow, actor, customer, "50.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "50.00"))

    row, intent = confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_3DS))

    assert intent.status is IntentStatus.REQUIRES_ACTION
    assert intent.action_url == f"http://o2c.test/gateway/sim/challenge/{intent.id}"
    assert row.payment_id is None
    assert _open(uow, invoice) == 5000

    processor.complete_challenge(intent.id, passed=True)

    assert get_checkout(uow, payer, checkout.id).status == "succeeded"
    assert _open(uow, invoice) == 0


def test_a_failed_challenge_declines_the_payment(uow, actor, customer, payer, processor):
    invoice = an_invoice(uow, actor, customer, "50.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "50.00"))
    _, intent = confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_3DS))

    processor.complete_challenge(intent.id, passed=False)

    row = get_checkout(uow, payer, checkout.id)
    assert (row.status, row.decline_code, row.payment_id) == (
        "failed",
        "authentication_failed",
        None,
    )
    assert _open(uow, invoice) == 5000


DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4242424242424241": "incorrect_number",
}


def test_declined_cards_keep_the_processors_reason_and_book_nothing(
    uow, actor, customer, payer, processor
):
    invoice = an_invoice(uow, actor, customer, "50.00")
    for number, code in DECLINES.items():
        checkout = _checkout(uow, payer, processor, customer, (invoice, "50.00"), key=number)

        _, intent = confirm_checkout(uow, payer, processor, checkout.id, _card(number))

        assert (intent.status, intent.decline_code) == (IntentStatus.FAILED, code)
        assert get_checkout(uow, payer, checkout.id).decline_code == code
    assert _open(uow, invoice) == 5000
    with uow:
        assert uow.session.scalars(select(Payment)).all() == []


def test_a_declined_intent_can_be_paid_with_another_card(uow, actor, customer, payer, processor):
    invoice = an_invoice(uow, actor, customer, "50.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "50.00"))
    confirm_checkout(uow, payer, processor, checkout.id, _card("4000000000009995"))

    row, _ = confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_OK))

    assert row.status == "succeeded"
    assert _open(uow, invoice) == 0


def test_a_webhook_with_a_forged_or_stale_signature_changes_nothing(
    uow, actor, customer, payer, processor, clock
):
    invoice = an_invoice(uow, actor, customer, "50.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "50.00"))
    event = {
        "id": "evt_forged",
        "type": "payment_intent.succeeded",
        "data": {"intent": checkout.intent_ref, "amount_minor": 5000, "currency": "EUR"},
    }
    body = json.dumps(event).encode()
    now = int(clock.now().timestamp())

    with pytest.raises(AuthenticationFailed, match="does not match"):
        receive_webhook(uow, processor, body, sign("someone else's secret", body, now))
    with pytest.raises(AuthenticationFailed, match="too old"):
        receive_webhook(uow, processor, body, sign("whsec_test", body, now - 3600))
    tampered = body.replace(b"5000", b"9000")
    with pytest.raises(AuthenticationFailed, match="does not match"):
        receive_webhook(uow, processor, tampered, sign("whsec_test", body, now))

    assert _open(uow, invoice) == 5000
    assert get_checkout(uow, payer, checkout.id).payment_id is None


def test_a_webhook_delivered_twice_applies_the_payment_once(uow, actor, customer, payer, processor):
    invoice = an_invoice(uow, actor, customer, "100.00")
    delivered: list[tuple[bytes, str]] = []
    deliver = processor.transport
    processor.transport = lambda url, body, headers: (
        delivered.append((body, headers[SIGNATURE_HEADER])),
        deliver(url, body, headers),
    )
    checkout = _checkout(uow, payer, processor, customer, (invoice, "40.00"))
    confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_OK))

    receive_webhook(uow, processor, *delivered[-1])

    with uow:
        assert len(uow.session.scalars(select(Payment)).all()) == 1
    assert _open(uow, invoice) == 6000
    check_ledger(uow, actor)


def test_an_invoice_paid_meanwhile_leaves_the_gateway_cash_on_account(
    uow, actor, customer, payer, processor
):
    invoice = an_invoice(uow, actor, customer, "100.00")
    other = an_invoice(uow, actor, customer, "20.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "100.00"), (other, "20.00"))
    first = _checkout(uow, payer, processor, customer, (invoice, "100.00"), key="k0")
    confirm_checkout(uow, payer, processor, first.id, _card(CARD_OK))

    row, _ = confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_OK))

    assert (_open(uow, invoice), _open(uow, other)) == (0, 0)
    with uow:
        unapplied = uow.session.scalar(
            select(OpenItem.open_minor).where(
                OpenItem.kind == "payment", OpenItem.source_id == row.payment_id
            )
        )
    assert unapplied == -10000
    check_ledger(uow, actor)


def test_a_customer_cannot_pay_or_see_another_customers_invoice(
    uow, actor, customer, payer, processor
):
    stranger = a_customer(uow, actor, "C2")
    theirs = an_invoice(uow, actor, stranger, "70.00")

    with pytest.raises(PermissionDenied):
        _checkout(uow, payer, processor, stranger, (theirs, "70.00"))
    with pytest.raises(ValidationFailed, match="not an invoice of this customer"):
        _checkout(uow, payer, processor, customer, (theirs, "70.00"))
    staff_started = _checkout(uow, actor, processor, stranger, (theirs, "70.00"), key="s1")
    with pytest.raises(NotFound):
        get_checkout(uow, payer, staff_started.id)
    too_much = an_invoice(uow, actor, customer, "10.00")
    with pytest.raises(ValidationFailed) as refused:
        _checkout(uow, payer, processor, customer, (too_much, "10.01"), key="k2")
    assert "more than the open" in str(refused.value.errors)


def test_a_bank_debit_settles_days_later_and_its_payout_is_reconciled_with_the_bank_line(
    uow, actor, customer, payer, processor, clock
):
    invoice = an_invoice(uow, actor, customer, "250.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "250.00"))
    bank = MethodDetails(MethodKind.BANK, IBAN_OK, "A Buyer")

    _, intent = confirm_checkout(uow, payer, processor, checkout.id, bank)
    assert intent.status is IntentStatus.PROCESSING
    assert processor.settle(clock.today() + timedelta(days=1)) == []
    assert _open(uow, invoice) == 25000

    clock.advance(days=2)
    processor.settle(clock.today())
    assert _open(uow, invoice) == 0
    clock.advance(days=2)
    [payout] = processor.settle(clock.today())

    with uow:
        stored = uow.session.scalars(select(GatewayPayout)).one()
        assert (stored.payout_ref, stored.amount_minor) == (payout.id, 25000)
    import_statement(uow, actor, _camt(payout.id, "250.00"), "payout.xml")
    match(uow, actor)

    with uow:
        line = uow.session.scalars(select(BankLineRow)).one()
        assert (line.status, line.payment_id) == ("applied", None)
        assert payout.id in line.reason
        assert uow.session.scalars(select(GatewayPayout)).one().bank_line_id == line.id
        assert len(uow.session.scalars(select(Payment)).all()) == 1
    check_ledger(uow, actor)


def test_a_bank_debit_that_bounces_fails_without_booking(uow, actor, customer, payer, processor):
    invoice = an_invoice(uow, actor, customer, "250.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "250.00"))
    confirm_checkout(uow, payer, processor, checkout.id, MethodDetails(MethodKind.BANK, IBAN_FAILS))

    processor.settle(uow.clock.today() + timedelta(days=3))

    row = get_checkout(uow, payer, checkout.id)
    assert (row.status, row.decline_code) == ("failed", "insufficient_funds")
    assert _open(uow, invoice) == 25000


def test_refunds_are_limited_to_what_was_paid_and_reported_by_webhook(
    uow, actor, customer, payer, processor
):
    invoice = an_invoice(uow, actor, customer, "100.00")
    checkout = _checkout(uow, payer, processor, customer, (invoice, "100.00"))
    confirm_checkout(uow, payer, processor, checkout.id, _card(CARD_OK))

    processor.refund(checkout.intent_ref, Money("30.00", "EUR"), "r1")
    processor.refund(checkout.intent_ref, Money("30.00", "EUR"), "r1")

    assert get_checkout(uow, payer, checkout.id).refunded_minor == 3000
    with pytest.raises(ValidationFailed):
        processor.refund(checkout.intent_ref, Money("70.01", "EUR"), "r2")


def _camt(ref: str, amount: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{ref}</MsgId><CreDtTm>2026-03-06T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{ref}</Id><CreDtTm>2026-03-06T08:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-06</Dt></BookgDt><ValDt><Dt>2026-03-06</Dt></ValDt>
<AcctSvcrRef>B-{ref}</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls>
<Refs><AcctSvcrRef>B-{ref}</AcctSvcrRef></Refs>
<RltdPties><Dbtr><Nm>SIMULATED PAYMENTS LTD</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>PAYOUT {ref}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>""".encode()
