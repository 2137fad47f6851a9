"""The one statement model every bank-file parser produces.

Cash application matches on these fields only, so a camt entry, an MT940 line and a BAI2 detail
record must all land in the same shape: a signed amount (credit positive), the bank's own
reference (the idempotency key of an import), the counterparty and the remittance text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class StructuredRef:
    """A creditor reference the payer copied from the invoice (RF, QRR, ESR/ISR, SCOR …).

    `valid` is the check-digit verdict for types that have one (RF mod-97, QRR/ESR mod-10)
    and None for types without a check, so matching can trust a valid reference outright.
    """

    kind: str
    value: str
    valid: bool | None = None


@dataclass(frozen=True, slots=True)
class BankLine:
    """One movement on the account, as the bank reported it.

    `booked` is False for pending or informational entries (camt `PDNG`/`INFO`, MT942
    interim lines are booked): cash may be applied only against booked lines.
    """

    bank_ref: str
    booking_date: date | None
    value_date: date | None
    amount: Decimal
    currency: str
    counterparty_name: str = ""
    counterparty_account: str = ""
    counterparty_bic: str = ""
    remittance_text: str = ""
    structured_refs: tuple[StructuredRef, ...] = ()
    end_to_end_id: str = ""
    transaction_code: str = ""
    is_reversal: bool = False
    booked: bool = True
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_credit(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True, slots=True)
class Statement:
    """One account's statement (or intraday report / notification) from one file."""

    format: str
    statement_id: str
    account: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    from_date: date | None
    to_date: date | None
    lines: tuple[BankLine, ...]
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def statement_date(self) -> date | None:
        """The date the statement speaks for: its last day."""
        return self.to_date or self.from_date
