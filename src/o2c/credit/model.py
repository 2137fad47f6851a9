"""Credit rules as pure values: what refusing an order on hold says."""

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
