"""A simulated payment processor that behaves like a real one, for demos and tests.

It keeps its own books in memory (as a real processor keeps them on its side) and talks to
o2c only the way a real one does: intents created and confirmed through the port, an extra
3-D Secure step at its own page (`/gateway/sim/challenge/{intent}`, served by o2c on its
behalf), declines for the test card numbers processors document, bank debits that stay
`processing` until settled days later, payouts that carry settled funds to the bank, and
every outcome sent as a signed webhook over HTTP to o2c's endpoint.

Test cards (any future expiry, any CVC):
  4242 4242 4242 4242  succeeds            4000 0025 0000 3155  needs 3-D Secure, then succeeds
  4000 0000 0000 0002  card_declined       4000 0000 0000 9995  insufficient_funds
  4000 0000 0000 0069  expired_card        4000 0000 0000 0127  incorrect_cvc
Test bank accounts (IBAN): AT61 1904 3002 3457 3201 settles; AT86 1904 3002 3547 3202 fails
(insufficient_funds) at settlement. Other numbers: cards that pass the Luhn check succeed,
others are refused as incorrect_number.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from o2c.kernel.clock import Clock
from o2c.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.payments.gateway import (
    ChargeRequest,
    ChargeResult,
    EventType,
    Intent,
    IntentRequest,
    IntentStatus,
    MethodDetails,
    MethodKind,
    RefundResult,
    StoredMethod,
    WebhookEvent,
)
from o2c.payments.webhook_signature import sign, verify

NAME = "sim"
SIGNATURE_HEADER = "O2C-Signature"
CHALLENGE_PATH = "/gateway/sim/challenge"
AUTHENTICATE = "authenticate"
SUCCEED = "succeed"
CARD_BEHAVIOUR: dict[str, str] = {
    "4242424242424242": SUCCEED,
    "4000002500003155": AUTHENTICATE,
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
}
BANK_BEHAVIOUR: dict[str, str] = {
    "AT611904300234573201": SUCCEED,
    "AT861904300235473202": "insufficient_funds",
}

Transport = Callable[[str, bytes, dict[str, str]], None]
"""Sends one webhook: (url, body, headers); raises when the endpoint did not accept it."""


def http_transport(url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST over HTTP, as processors deliver webhooks (loopback in demos and tests)."""
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@dataclass
class _SimIntent:
    id: str
    request: IntentRequest
    status: IntentStatus = IntentStatus.REQUIRES_PAYMENT_METHOD
    method: MethodKind | None = None
    decline_code: str | None = None
    outcome: str = SUCCEED
    """What happens when a pending step finishes (3-D Secure passed, bank debit settled)."""
    accepted_on: date | None = None
    succeeded_on: date | None = None
    refunded_minor: int = 0
    paid_out: bool = False


@dataclass(frozen=True)
class Payout:
    id: str
    account: str
    amount: Money
    arrival_date: date
    intent_ids: tuple[str, ...]


@dataclass
class SimulatedProcessor:
    """The processor: `PaymentProvider` for o2c, plus the steps a real one takes on its own."""

    clock: Clock
    secret: str
    webhook_url: str = ""
    public_url: str = ""
    """Where o2c is reached from the customer's browser (for the 3-D Secure page)."""
    transport: Transport = http_transport
    bank_days: int = 2
    """Days a bank debit stays `processing` before it settles or fails."""
    payout_days: int = 2
    """Days from a successful payment to the payout carrying it to the bank."""
    name: str = NAME
    background: bool = True
    """Send webhooks from a delivery thread, after the call that caused them returns, as a
    processor does; off, each is sent before the call returns (tests that call from outside
    any transaction)."""
    undelivered: list[tuple[bytes, str]] = field(default_factory=list)
    _intents: dict[str, _SimIntent] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)
    _refunds: dict[str, RefundResult] = field(default_factory=dict)
    _payouts: list[Payout] = field(default_factory=list)
    _stored: dict[str, MethodDetails] = field(default_factory=dict)
    _events: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _outbox: queue.Queue[tuple[bytes, str]] = field(default_factory=queue.Queue)
    _sender: threading.Thread | None = None

    def store_method(self, details: MethodDetails) -> StoredMethod:
        """Keep a card or account for later charges; o2c gets a token and a masked label."""
        number = "".join(details.number.split()).upper()
        if details.kind is MethodKind.CARD and not _luhn(number):
            raise ValidationFailed([FieldError("number", "not a valid card number")])
        with self._lock:
            token = f"pm_sim_{len(self._stored) + 1:06d}"
            self._stored[token] = replace(details, number=number)
        label = "Card" if details.kind is MethodKind.CARD else "Bank account"
        return StoredMethod(token, f"{label} ending {number[-4:]}", details.kind)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Charge a stored method (autopay) as the card or account itself decides; a card that
        asks for 3-D Secure is declined, as nobody is there to authenticate. A repeated key
        answers as the first time; an unknown token is declined."""
        details = self._stored.get(request.token)
        if details is None:
            return ChargeResult(False, request.token, "unknown_payment_method")
        intent = self.create_intent(IntentRequest(request.amount, request.idempotency_key))
        confirmed = self.confirm_intent(intent.id, details)
        if confirmed.status is IntentStatus.REQUIRES_ACTION:
            confirmed = self._decline(self._intent(intent.id), "authentication_required")
        approved = confirmed.status is IntentStatus.SUCCEEDED
        return ChargeResult(approved, confirmed.id, confirmed.decline_code)

    def create_intent(self, request: IntentRequest) -> Intent:
        if request.amount.amount <= 0:
            raise ValidationFailed([FieldError("amount", "must be positive")])
        with self._lock:
            known = self._by_key.get(request.idempotency_key)
            if known is not None:
                return self._view(self._intents[known])
            intent = _SimIntent(f"pi_sim_{len(self._intents) + 1:06d}", request)
            self._intents[intent.id] = intent
            self._by_key[request.idempotency_key] = intent.id
            return self._view(intent)

    def get_intent(self, intent_id: str) -> Intent:
        with self._lock:
            return self._view(self._intent(intent_id))

    def confirm_intent(self, intent_id: str, details: MethodDetails) -> Intent:
        """Take the customer's card or account: succeed, decline, ask for 3-D Secure, or
        (bank debits) accept for settlement later."""
        with self._lock:
            intent = self._intent(intent_id)
            if intent.status not in (
                IntentStatus.REQUIRES_PAYMENT_METHOD,
                IntentStatus.FAILED,
            ):
                return self._view(intent)
            number = "".join(details.number.split()).upper()
            intent.method, intent.decline_code = details.kind, None
            if details.kind is MethodKind.BANK:
                intent.outcome = BANK_BEHAVIOUR.get(number, _bank_default(number))
                if intent.outcome == "invalid_account":
                    return self._decline(intent, "invalid_account")
                intent.status, intent.accepted_on = IntentStatus.PROCESSING, self.clock.today()
                return self._view(intent)
            behaviour = CARD_BEHAVIOUR.get(number, SUCCEED if _luhn(number) else "incorrect_number")
            if behaviour == AUTHENTICATE:
                intent.status, intent.outcome = IntentStatus.REQUIRES_ACTION, SUCCEED
                return self._view(intent)
            if behaviour != SUCCEED:
                return self._decline(intent, behaviour)
            return self._succeed(intent)

    def complete_challenge(self, intent_id: str, passed: bool) -> Intent:
        """The customer's answer on the 3-D Secure page."""
        with self._lock:
            intent = self._intent(intent_id)
            if intent.status is not IntentStatus.REQUIRES_ACTION:
                return self._view(intent)
            if not passed:
                return self._decline(intent, "authentication_failed")
            return self._succeed(intent)

    def return_url(self, intent_id: str) -> str:
        """Where the customer goes after 3-D Secure, told which intent it was (as processors
        append it), or "" when the checkout named no page."""
        with self._lock:
            url = self._intent(intent_id).request.return_url
        if not url:
            return ""
        return f"{url}{'&' if '?' in url else '?'}payment_intent={intent_id}"

    def refund(self, intent_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        with self._lock:
            if idempotency_key in self._refunds:
                return self._refunds[idempotency_key]
            intent = self._intent(intent_id)
            if intent.status is not IntentStatus.SUCCEEDED:
                raise Conflict(f"intent {intent_id} has not succeeded: nothing to refund")
            left = intent.request.amount.minor - intent.refunded_minor
            if amount.currency != intent.request.amount.currency or not 0 < amount.minor <= left:
                raise ValidationFailed([FieldError("amount", f"1 to {left} minor units")])
            intent.refunded_minor += amount.minor
            result = RefundResult(f"re_sim_{len(self._refunds) + 1:06d}", intent_id, amount, "ok")
            self._refunds[idempotency_key] = result
            self._emit(EventType.REFUNDED, intent, amount=amount)
            return result

    def settle(self, as_of: date) -> list[Payout]:
        """What the processor does overnight: bank debits due settle (or fail), and funds
        that have waited `payout_days` leave in one payout per account and currency."""
        with self._lock:
            for intent in self._intents.values():
                accepted = intent.accepted_on
                due = accepted is not None and accepted + timedelta(self.bank_days) <= as_of
                if intent.status is IntentStatus.PROCESSING and due:
                    if intent.outcome == SUCCEED:
                        self._succeed(intent, on=as_of)
                    else:
                        self._decline(intent, intent.outcome)
            return self._pay_out(as_of)

    def parse_webhook(self, body: bytes, signature: str) -> WebhookEvent:
        verify(self.secret, body, signature, int(self.clock.now().timestamp()))
        return event_from_json(json.loads(body))

    def redeliver(self) -> int:
        """Send again the webhooks the endpoint did not accept; how many went through."""
        with self._lock:
            waiting, self.undelivered = self.undelivered, []
        sent = 0
        for body, header in waiting:
            if self._send(body, header):
                sent += 1
        return sent

    def _pay_out(self, as_of: date) -> list[Payout]:
        groups: dict[tuple[str, str], list[_SimIntent]] = {}
        for intent in self._intents.values():
            done = intent.succeeded_on
            if done is None or intent.paid_out or done + timedelta(self.payout_days) > as_of:
                continue
            account = intent.request.metadata.get("account", "")
            groups.setdefault((account, intent.request.amount.currency), []).append(intent)
        payouts = []
        for (account, currency), members in sorted(groups.items()):
            net = sum(i.request.amount.minor - i.refunded_minor for i in members)
            payout = Payout(
                f"po_sim_{len(self._payouts) + 1:06d}",
                account,
                Money.from_minor(net, currency),
                as_of,
                tuple(i.id for i in members),
            )
            for intent in members:
                intent.paid_out = True
            self._payouts.append(payout)
            payouts.append(payout)
            self._emit_payout(payout)
        return payouts

    def _intent(self, intent_id: str) -> _SimIntent:
        intent = self._intents.get(intent_id)
        if intent is None:
            raise NotFound("payment intent", intent_id)
        return intent

    def _view(self, intent: _SimIntent) -> Intent:
        action = None
        if intent.status is IntentStatus.REQUIRES_ACTION:
            action = f"{self.public_url}{CHALLENGE_PATH}/{intent.id}"
        return Intent(
            intent.id,
            intent.status,
            intent.request.amount,
            action,
            intent.decline_code,
            intent.method,
        )

    def _succeed(self, intent: _SimIntent, on: date | None = None) -> Intent:
        intent.status, intent.succeeded_on = IntentStatus.SUCCEEDED, on or self.clock.today()
        self._emit(EventType.INTENT_SUCCEEDED, intent)
        return self._view(intent)

    def _decline(self, intent: _SimIntent, code: str) -> Intent:
        intent.status, intent.decline_code = IntentStatus.FAILED, code
        self._emit(EventType.INTENT_FAILED, intent)
        return self._view(intent)

    def _emit(self, kind: EventType, intent: _SimIntent, amount: Money | None = None) -> None:
        money = amount or intent.request.amount
        self._deliver(
            kind,
            {
                "intent": intent.id,
                "amount_minor": money.minor,
                "currency": money.currency,
                "decline_code": intent.decline_code,
            },
        )

    def _emit_payout(self, payout: Payout) -> None:
        self._deliver(
            EventType.PAYOUT_PAID,
            {
                "payout": payout.id,
                "amount_minor": payout.amount.minor,
                "currency": payout.amount.currency,
                "intents": list(payout.intent_ids),
                "arrival_date": payout.arrival_date.isoformat(),
            },
        )

    def _deliver(self, kind: EventType, data: dict[str, Any]) -> None:
        self._events += 1
        event = {"id": f"evt_sim_{self._events:06d}", "type": kind.value, "data": data}
        body = json.dumps(event, sort_keys=True).encode()
        header = sign(self.secret, body, int(self.clock.now().timestamp()))
        if self.background:
            self._outbox.put((body, header))
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_all, name="sim-webhooks")
                self._sender.daemon = True
                self._sender.start()
        elif not self._send(body, header):
            self.undelivered.append((body, header))

    def wait_delivered(self, timeout: float = 30.0) -> None:
        """Block until every webhook sent so far has been delivered (or given up on)."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def _send_all(self) -> None:
        while True:
            body, header = self._outbox.get()
            try:
                if not self._send(body, header):
                    with self._lock:
                        self.undelivered.append((body, header))
            finally:
                self._outbox.task_done()

    def _send(self, body: bytes, header: str) -> bool:
        if not self.webhook_url:
            return False
        try:
            self.transport(self.webhook_url, body, {SIGNATURE_HEADER: header})
        except OSError:
            return False
        return True


def event_from_json(event: dict[str, Any]) -> WebhookEvent:
    data = event["data"]
    arrival = data.get("arrival_date")
    return WebhookEvent(
        id=event["id"],
        type=EventType(event["type"]),
        intent_id=data.get("intent"),
        amount=Money.from_minor(int(data["amount_minor"]), data["currency"]),
        decline_code=data.get("decline_code"),
        payout_id=data.get("payout"),
        intent_ids=tuple(data.get("intents", ())),
        arrival_date=date.fromisoformat(arrival) if arrival else None,
    )


def _luhn(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, digit in enumerate(int(d) for d in reversed(number)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _bank_default(number: str) -> str:
    """Other accounts settle when they look like an IBAN or an account number."""
    plausible = 8 <= len(number) <= 34 and number.isalnum()
    return SUCCEED if plausible else "invalid_account"


def with_public_url(processor: SimulatedProcessor, base: str) -> SimulatedProcessor:
    """Point the processor at o2c's address (learnt from the first request when not set)."""
    if not processor.public_url:
        processor.public_url = base.rstrip("/")
    if not processor.webhook_url:
        processor.webhook_url = f"{processor.public_url}/gateway/{processor.name}/webhook"
    return processor
