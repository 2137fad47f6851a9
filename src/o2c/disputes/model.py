"""Disputes and deductions as pure values: states, commands, outcomes and their rules.

A *dispute case* is something a customer contests on one or more invoices (a price, a
quantity, damaged goods); a *deduction* is the part of an invoice a customer simply did not
pay, with the customer's reason. Either keeps its amount open in the ledger until an outcome
settles it (credit note, write-off, re-bill, chargeback) or sends it back to collections
(rejection), so the receivable stays visible and nothing is written off early.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from o2c.kernel.errors import FieldError, InvalidTransition, PermissionDenied


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    REJECTED = "rejected"


CLOSED_CASE = frozenset({CaseStatus.RESOLVED, CaseStatus.REJECTED})

# The moves a person makes by hand; resolved and rejected are reached only through an outcome,
# so a case can never be closed without its ledger effect or its note to the customer.
CASE_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_REVIEW, CaseStatus.AWAITING_CUSTOMER}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.AWAITING_CUSTOMER, CaseStatus.OPEN}),
    CaseStatus.AWAITING_CUSTOMER: frozenset({CaseStatus.IN_REVIEW}),
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
}


class DeductionStatus(StrEnum):
    """`open`: to review; `valid`: the rules or a person accepted it, still to be settled."""

    OPEN = "open"
    VALID = "valid"
    RESOLVED = "resolved"
    REJECTED = "rejected"


OPEN_DEDUCTION = frozenset({DeductionStatus.OPEN, DeductionStatus.VALID})


class DeductionCheck(StrEnum):
    """What the rules made of a deduction when it was opened."""

    DISCOUNT = "discount_within_terms"
    TOLERANCE = "within_tolerance"
    AGREEMENT = "agreement"
    REVIEW = "review"


class Outcome(StrEnum):
    CREDIT_NOTE = "credit_note"
    WRITE_OFF = "write_off"
    REBILL = "rebill"
    REJECTION = "rejection"
    CHARGEBACK = "chargeback"
    AUTO_WRITE_OFF = "auto_write_off"


# Outcomes that mean the customer was right (the deduction or dispute was valid) and those that
# mean the amount is still owed; metrics count valid/invalid rates and recovered amounts by them.
VALID_OUTCOMES = frozenset(
    {Outcome.CREDIT_NOTE, Outcome.WRITE_OFF, Outcome.REBILL, Outcome.AUTO_WRITE_OFF}
)
RECOVERING_OUTCOMES = frozenset({Outcome.REJECTION, Outcome.CHARGEBACK})


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseSource(StrEnum):
    COLLECTOR = "collector"
    CUSTOMER = "customer"
    REMITTANCE = "remittance"


class Subject(StrEnum):
    """What a comment, attachment, event or write-off request belongs to."""

    CASE = "case"
    DEDUCTION = "deduction"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class DeductionCreate:
    """Open a deduction on one invoice item for `amount_minor` the customer kept back.

    `paid_on` is the day of the short payment (for the discount-within-terms rule; the
    opening day when not given).
    """

    customer_id: int
    item_id: int
    amount_minor: int
    currency: str
    reason_code: str = ""
    reason_text: str = ""
    bank_line_ref: str = ""
    paid_on: date | None = None


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


@dataclass(frozen=True, slots=True)
class CaseLineCreate:
    """The disputed part of one invoice (its open item), optionally of one invoice line."""

    item_id: int
    amount_minor: int
    invoice_line_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseCreate:
    """Raise a dispute case; owner, team and due date come from the reason unless given."""

    customer_id: int
    reason: str
    lines: Sequence[CaseLineCreate]
    title: str = ""
    description: str = ""
    priority: Priority = Priority.NORMAL
    source: CaseSource = CaseSource.COLLECTOR
    owner: str | None = None
    team: str | None = None


def check_case(command: CaseCreate) -> list[FieldError]:
    errors = []
    if not command.lines:
        errors.append(FieldError("lines", "a dispute needs at least one invoice"))
    for index, line in enumerate(command.lines):
        if line.amount_minor <= 0:
            errors.append(FieldError(f"lines[{index}].amount", "must be positive"))
    items = [line.item_id for line in command.lines]
    if len(set(items)) != len(items):
        errors.append(FieldError("lines", "an invoice appears twice; add the amounts"))
    if len(command.title) > 200:
        errors.append(FieldError("title", "longer than 200 characters"))
    return errors


def check_move(current: CaseStatus, target: CaseStatus) -> None:
    """Refuse a hand move the workflow does not allow (closing takes an outcome)."""
    if target in CLOSED_CASE:
        raise InvalidTransition(f"a case is {target.value} only through an outcome")
    if target not in CASE_MOVES[current]:
        raise InvalidTransition(f"a case cannot move from {current.value} to {target.value}")


def require_open_case(status: str, case_id: int) -> None:
    if CaseStatus(status) in CLOSED_CASE:
        raise InvalidTransition(f"dispute {case_id} is already {status}")


def require_open_deduction(status: str, deduction_id: int) -> None:
    if DeductionStatus(status) not in OPEN_DEDUCTION:
        raise InvalidTransition(f"deduction {deduction_id} is already {status}")


def due_on(opened: date, sla_days: int) -> date:
    """The day the reason's service level says the case must be settled by."""
    return opened + timedelta(days=sla_days)


@dataclass(frozen=True, slots=True)
class ReasonSpec:
    """A dispute reason: its SLA, the team and owner it is routed to, the X12 codes it covers."""

    code: str
    name: str
    sla_days: int = 30
    team: str = "ar"
    owner: str = ""
    x12_codes: tuple[str, ...] = field(default=())


DEFAULT_REASONS: tuple[ReasonSpec, ...] = (
    ReasonSpec("pricing", "Pricing", 20, "billing", x12_codes=("01", "02", "03", "22")),
    ReasonSpec("quantity", "Quantity", 20, "logistics", x12_codes=("06", "07")),
    ReasonSpec("damaged", "Damaged goods", 15, "logistics", x12_codes=("04", "05", "11", "12")),
    ReasonSpec("not_received", "Not received", 15, "logistics", x12_codes=("25", "59")),
    ReasonSpec("duplicate", "Duplicate billing", 10, "billing", x12_codes=("19",)),
    ReasonSpec("tax", "Tax", 20, "tax", x12_codes=("55",)),
    ReasonSpec("discount", "Discount", 10, "ar", x12_codes=("24", "43")),
    ReasonSpec("promotion", "Promotion or allowance", 30, "sales", x12_codes=("56", "57")),
    ReasonSpec("freight", "Freight", 20, "logistics", x12_codes=("54",)),
    ReasonSpec("other", "Other", 30, "ar"),
)
FALLBACK_REASON = "other"


def check_reason(spec: ReasonSpec) -> list[FieldError]:
    errors = []
    if not spec.code.strip() or len(spec.code) > 30:
        errors.append(FieldError("code", "1 to 30 characters"))
    if not 0 <= spec.sla_days <= 365:
        errors.append(FieldError("sla_days", "between 0 and 365"))
    if any(len(c) > 3 or not c.isalnum() for c in spec.x12_codes):
        errors.append(FieldError("x12_codes", "X12 adjustment reason codes (e.g. 04)"))
    return errors


@dataclass(frozen=True, slots=True)
class CreditPart:
    """Credit `quantity` of an invoice line (all of it if None), at a corrected unit price."""

    invoice_line_id: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """Credit the disputed invoice in part (`lines`) or in full (`lines` None)."""

    invoice_id: int | None = None
    lines: tuple[CreditPart, ...] | None = None
    note: str = ""


def check_segregation(requester: str, approver: str) -> None:
    """The person who asks for a write-off never approves it (four-eyes principle)."""
    if requester.strip().casefold() == approver.strip().casefold():
        raise PermissionDenied(
            f"{approver} requested this write-off and cannot approve it (segregation of duties)"
        )
