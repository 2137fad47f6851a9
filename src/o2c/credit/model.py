"""Credit errors as pure values: what refusing an order on hold says."""

from __future__ import annotations

from o2c.kernel.errors import Conflict


class CustomerOnHold(Conflict):
    """Orders of a customer on credit hold are not confirmed until the hold is released."""

    code = "credit_hold"
    title = "Customer is on credit hold"

    def __init__(self, customer_id: int, reason: str, since: str) -> None:
        super().__init__(
            f"customer {customer_id} is on credit hold since {since} ({reason}): "
            "release the hold before confirming orders"
        )
        self.customer_id = customer_id
        self.reason = reason

    def fields(self) -> dict[str, object]:
        return {"customer_id": self.customer_id, "reason": self.reason}


class OrderOnCreditHold(Conflict):
    """An order failed the credit rules: it waits for a credit manager (or a payment)."""

    code = "order_credit_hold"
    title = "Order is on credit hold"

    def __init__(self, order_number: str, hold_id: int, reasons: list[str]) -> None:
        super().__init__(
            f"order {order_number} is on credit hold: {'; '.join(reasons)}; "
            "a credit manager must release it"
        )
        self.order_number = order_number
        self.hold_id = hold_id
        self.reasons = reasons

    def fields(self) -> dict[str, object]:
        return {"order": self.order_number, "hold_id": self.hold_id, "reasons": self.reasons}


class NoExchangeRate(Conflict):
    """Exposure in another currency cannot be compared with a limit without a stored rate."""

    code = "no_exchange_rate"
    title = "Exchange rate missing"

    def __init__(self, currency: str, day: str) -> None:
        super().__init__(
            f"no exchange rate for {currency} on or before {day}: record one "
            "(o2c ledger fx-rate) before measuring credit exposure in that currency"
        )
        self.currency = currency
        self.day = day

    def fields(self) -> dict[str, object]:
        return {"currency": self.currency, "day": self.day}
