"""The payment gateway port: charge a customer's stored payment method.

Autopay talks to a gateway only through `PaymentGateway`; the real provider comes with the
portal. Every charge carries an idempotency key (the instalment and attempt), which real
gateways honour, so a run that dies after charging and is run again never charges twice.
`LoopbackGateway` is the in-process provider for tests and demos: it approves, or declines
the tokens or the number of charges it is told to, and remembers each key's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
