"""The payment gateway port: one interface for card and bank payments at any processor.

Two ways money arrives through a gateway:
- **charges** of a stored payment method (`PaymentGateway.charge`), which autopay uses: every
  charge carries an idempotency key (the instalment and attempt), which real gateways honour,
  so a run that dies after charging and is run again never charges twice;
- **payment intents** (`PaymentProvider`), which the portal uses when a customer pays
  invoices: o2c creates an intent for an amount, the customer confirms it with card or bank
  details (a card may need an extra 3-D Secure step at the processor's own page), and the
  processor tells o2c the outcome by a **signed webhook**; funds reach the bank later, in a
  payout that lists the intents it settles.

A provider adapter implements these protocols over its own API; `gateway_sim` is the built-in
simulated processor. o2c keeps its own record of intents and applies the money when the
webhook says it succeeded (`checkout`). `LoopbackGateway` is the in-process charge gateway for
tests and demos: it approves, or declines the tokens or the number of charges it is told to,
and remembers each key's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from o2c.kernel.money import Money


@dataclass(frozen=True)
class ChargeRequest:
    token: str
    """The provider's reference of the stored payment method."""
    amount: Money
    idempotency_key: str
    description: str = ""


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    """The provider's transaction id (approved) or decline id."""
    decline_code: str | None = None


class PaymentGateway(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...


class IntentStatus(StrEnum):
    """An intent's life at the processor, in the words processors use."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def final(self) -> bool:
        return self in (IntentStatus.SUCCEEDED, IntentStatus.FAILED, IntentStatus.CANCELED)


class MethodKind(StrEnum):
    CARD = "card"
    BANK = "bank"
    """A bank debit (SEPA or ACH): accepted at once, settled days later."""


@dataclass(frozen=True)
class IntentRequest:
    amount: Money
    idempotency_key: str
    description: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    return_url: str = ""
    """Where the processor's extra step (3-D Secure) sends the customer back."""


@dataclass(frozen=True)
class MethodDetails:
    """What the customer typed on the payment form: a card or a bank account."""

    kind: MethodKind
    number: str
    """Card number, or IBAN / account number of a bank debit."""
    holder: str = ""
    expiry: str = ""
    cvc: str = ""


@dataclass(frozen=True)
class Intent:
    id: str
    status: IntentStatus
    amount: Money
    action_url: str | None = None
    """The page the customer must visit to finish (3-D Secure) while `requires_action`."""
    decline_code: str | None = None
    method: MethodKind | None = None


@dataclass(frozen=True)
class RefundResult:
    id: str
    intent_id: str
    amount: Money
    status: str


class EventType(StrEnum):
    INTENT_SUCCEEDED = "payment_intent.succeeded"
    INTENT_FAILED = "payment_intent.payment_failed"
    REFUNDED = "charge.refunded"
    PAYOUT_PAID = "payout.paid"


@dataclass(frozen=True)
class WebhookEvent:
    """A verified message from the processor."""

    id: str
    type: EventType
    intent_id: str | None
    amount: Money
    decline_code: str | None = None
    payout_id: str | None = None
    intent_ids: tuple[str, ...] = ()
    """For a payout: the intents whose funds it carries to the bank."""
    arrival_date: date | None = None


@dataclass(frozen=True)
class StoredMethod:
    """A card or mandate kept at the processor, known to o2c by its token and a label."""

    token: str
    label: str
    kind: MethodKind


class PaymentProvider(Protocol):
    """What o2c needs of a processor to take payments of invoices: one-off intents, and
    methods stored for autopay (then charged through `PaymentGateway.charge`)."""

    name: str

    def store_method(self, details: MethodDetails) -> StoredMethod: ...

    def create_intent(self, request: IntentRequest) -> Intent: ...

    def confirm_intent(self, intent_id: str, details: MethodDetails) -> Intent: ...

    def get_intent(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str, amount: Money, idempotency_key: str) -> RefundResult: ...

    def parse_webhook(self, body: bytes, signature: str) -> WebhookEvent:
        """The event in `body`, after checking `signature`; `InvalidSignature` otherwise."""
        ...


@dataclass
class LoopbackGateway:
    """Approves every charge unless told otherwise; answers a repeated key as the first time."""

    name: str = "loopback"
    declined_tokens: set[str] = field(default_factory=set)
    declines_left: int = 0
    answered: dict[str, ChargeResult] = field(default_factory=dict)
    charges: list[ChargeRequest] = field(default_factory=list)

    def decline_next(self, count: int = 1) -> None:
        self.declines_left += count

    def charge(self, request: ChargeRequest) -> ChargeResult:
        if request.idempotency_key in self.answered:
            return self.answered[request.idempotency_key]
        self.charges.append(request)
        number = len(self.charges)
        if request.token in self.declined_tokens or self.declines_left > 0:
            self.declines_left = max(0, self.declines_left - 1)
            result = ChargeResult(False, f"loop-decline-{number}", "insufficient_funds")
        else:
            result = ChargeResult(True, f"loop-{number}")
        self.answered[request.idempotency_key] = result
        return result
