"""Payment-term arithmetic: due dates, early-payment discounts, and term codes like "2/10NET30".

Codes read the way finance people write them: `NET30` (due 30 days after issue), `EOM15`
(15 days after the end of the issue month), `2/10NET30` (2 % off when paid within 10 days,
else net in 30), `1.5/10EOM30`. Spaces and case do not matter; the canonical code has neither.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from o2c.catalog.model import HUNDRED, PaymentTerm, TermBasis, decimal_places
from o2c.kernel.currency import minor_units
from o2c.kernel.errors import FieldError

MAX_DAYS = 3650
_CODE = re.compile(
    r"^(?:(?P<percent>\d+(?:\.\d+)?)/(?P<ddays>\d+))?(?P<basis>NET|EOM)(?P<days>\d+)$"
)


class TermCodeError(ValueError):
    """A term code that cannot be read; `reason` says why in words a user can act on."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"payment term {code!r}: {reason}")
        self.code = code
        self.reason = reason


def _base_date(issue: date, basis: TermBasis) -> date:
    if basis is TermBasis.EOM:
        return issue.replace(day=calendar.monthrange(issue.year, issue.month)[1])
    return issue


def due_date(issue: date, term: PaymentTerm) -> date:
    """The date the full amount falls due."""
    return _base_date(issue, term.basis) + timedelta(days=term.days)


def discount_terms(
    issue: date, term: PaymentTerm, total_minor: int, currency: str
) -> tuple[date, int] | None:
    """Last day for the early-payment discount and its amount in minor units, or None.

    The amount is `total × percent / 100` rounded half-up to the currency's minor unit; the
    total is already in minor units, so that is rounding to a whole number of them (the
    currency is checked so a bad code fails here, not later in the ledger).
    """
    minor_units(currency)
    if not term.has_discount or term.discount_days is None or term.discount_percent is None:
        return None
    amount = Decimal(total_minor) * term.discount_percent / HUNDRED
    discount = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return _base_date(issue, term.basis) + timedelta(days=term.discount_days), discount


def term_problems(
    basis: TermBasis, days: int, discount_days: int | None, discount_percent: Decimal | None
) -> list[FieldError]:
    """Every rule a term breaks: days in range, a discount needs both parts and ends in time."""
    errors: list[FieldError] = []
    if not 0 <= days <= MAX_DAYS:
        errors.append(FieldError("days", f"must be between 0 and {MAX_DAYS}"))
    if (discount_days is None) != (discount_percent is None):
        errors.append(FieldError("discount", "needs both discount days and discount percent"))
    if discount_percent is not None:
        if not discount_percent.is_finite() or not Decimal(0) < discount_percent < HUNDRED:
            errors.append(FieldError("discount_percent", "must be above 0 and below 100"))
        elif decimal_places(discount_percent) > 4:
            errors.append(FieldError("discount_percent", "at most 4 decimal places"))
    if discount_days is not None and not 0 <= discount_days <= days:
        errors.append(
            FieldError("discount_days", f"must be between 0 and the {days} days of the term")
        )
    return errors


def term_name(
    basis: TermBasis, days: int, discount_days: int | None, discount_percent: Decimal | None
) -> str:
    """A readable name: "2 % within 10 days, net 30 days"."""
    net = f"net {days} days" if basis is TermBasis.NET else f"end of month + {days} days"
    if discount_percent is None or discount_days is None:
        return net[0].upper() + net[1:]
    return f"{discount_percent.normalize():f} % within {discount_days} days, {net}"


def term_code(
    basis: TermBasis, days: int, discount_days: int | None, discount_percent: Decimal | None
) -> str:
    """The canonical code of a term, the inverse of `parse_term_code`."""
    code = f"{basis.value.upper()}{days}"
    if discount_percent is None or discount_days is None:
        return code
    return f"{discount_percent.normalize():f}/{discount_days}{code}"


def parse_term_code(code: str) -> PaymentTerm:
    """Read a code such as "NET30", "eom 15" or "2/10 NET 30" into a term (without an id).

    Raises `TermCodeError` with the reason when the code is not one of these shapes or breaks a
    term rule (a discount period longer than the term, a discount of 100 % or more).
    """
    compact = re.sub(r"\s+", "", code).upper()
    match = _CODE.match(compact)
    if not match:
        raise TermCodeError(code, "not a term code like NET30, EOM15 or 2/10NET30")
    basis = TermBasis(match["basis"].lower())
    try:
        days = int(match["days"])
        discount_days = int(match["ddays"]) if match["ddays"] else None
        percent = Decimal(match["percent"]) if match["percent"] else None
    except (ValueError, InvalidOperation):
        raise TermCodeError(code, "numbers out of range") from None
    problems = term_problems(basis, days, discount_days, percent)
    if problems:
        raise TermCodeError(code, "; ".join(p.reason for p in problems))
    return PaymentTerm(
        code=term_code(basis, days, discount_days, percent),
        name=term_name(basis, days, discount_days, percent),
        basis=basis,
        days=days,
        discount_days=discount_days,
        discount_percent=percent,
    )
