"""Deductions as pure values: the command that opens one and the states it moves through.

A deduction is the part of an invoice a customer did not pay, with the customer's reason.
The invoice keeps that amount open in the ledger until the deduction is resolved (credited,
written off or collected), so the receivable stays visible and nothing is written off early.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from o2c.kernel.errors import FieldError


class DeductionStatus(StrEnum):
    """Only `open` is reached today; resolving deductions comes with the disputes issue."""

    OPEN = "open"


@dataclass(frozen=True, slots=True)
class DeductionCreate:
    """Open a deduction on one invoice item for `amount_minor` the customer kept back."""

    customer_id: int
    item_id: int
    amount_minor: int
    currency: str
    reason_code: str = ""
    reason_text: str = ""
    bank_line_ref: str = ""


def check_deduction(command: DeductionCreate, prefix: str = "") -> list[FieldError]:
    """Every problem of one command (the amount must be positive, the texts short enough)."""
    errors = []
    if command.amount_minor <= 0:
        errors.append(FieldError(f"{prefix}amount", "must be positive"))
    if len(command.currency) != 3:
        errors.append(FieldError(f"{prefix}currency", "an ISO 4217 code"))
    if len(command.reason_code) > 20:
        errors.append(FieldError(f"{prefix}reason_code", "longer than 20 characters"))
    return errors
