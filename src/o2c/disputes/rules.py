"""The rules a deduction meets when it is opened, and the limits on attachments: pure.

Validation follows the order a deductions analyst works in: an early-payment discount taken
within its terms is valid; a difference within the company's tolerance is not worth a case
and is written off; a promotion or allowance agreement of the customer covering the amount
makes it valid; anything else goes to a person for review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from o2c.disputes.model import FALLBACK_REASON, DeductionCheck, ReasonSpec
from o2c.kernel.errors import FieldError

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DeductionPolicy:
    """A company's deduction settings (amounts in the deduction's currency, minor units)."""

    tolerance_minor: int = 0
    tolerance_percent: Decimal = Decimal(0)
    discount_grace_days: int = 3


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the rules need of the invoice a deduction was taken from."""

    amount_minor: int
    currency: str
    doc_date: date
    discount_minor: int = 0
    discount_date: date | None = None


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    """A promotion or allowance the customer may deduct: a fixed amount or a percentage."""

    id: int
    currency: str
    valid_from: date
    valid_to: date
    amount_minor: int = 0
    percent: Decimal = Decimal(0)

    def allowance(self, item: ItemFacts) -> int:
        """What this agreement lets the customer take off `item`, in minor units."""
        if item.currency != self.currency or not self.valid_from <= item.doc_date <= self.valid_to:
            return 0
        by_percent = (Decimal(item.amount_minor) * self.percent / HUNDRED).to_integral_value(
            rounding=ROUND_HALF_UP
        )
        return max(self.amount_minor, int(by_percent))


@dataclass(frozen=True, slots=True)
class Verdict:
    check: DeductionCheck
    agreement_id: int | None = None
    detail: str = ""


def tolerance_of(policy: DeductionPolicy, item_amount_minor: int) -> int:
    """The larger of the absolute and the percentage tolerance."""
    by_percent = Decimal(item_amount_minor) * policy.tolerance_percent / HUNDRED
    return max(policy.tolerance_minor, int(by_percent.to_integral_value(rounding=ROUND_HALF_UP)))


def classify(
    amount_minor: int,
    item: ItemFacts,
    paid_on: date,
    policy: DeductionPolicy,
    agreements: Sequence[AgreementTerms],
) -> Verdict:
    """Valid discount, written-off tolerance, valid agreement, or review (in that order)."""
    in_terms = (
        item.discount_minor > 0
        and item.discount_date is not None
        and paid_on <= item.discount_date + timedelta(days=policy.discount_grace_days)
    )
    if in_terms and amount_minor <= item.discount_minor:
        return Verdict(DeductionCheck.DISCOUNT, detail="early-payment discount within terms")
    if amount_minor <= tolerance_of(policy, item.amount_minor):
        return Verdict(DeductionCheck.TOLERANCE, detail="within the write-off tolerance")
    for agreement in agreements:
        if 0 < amount_minor <= agreement.allowance(item):
            return Verdict(
                DeductionCheck.AGREEMENT, agreement.id, f"covered by agreement {agreement.id}"
            )
    return Verdict(DeductionCheck.REVIEW, detail="no rule explains it: to review")


_X12_IN_TEXT = re.compile(r"(?:^|[:;,]\s*|\bcode\s+)(\d{2})\b", re.IGNORECASE)


def x12_code(reason_code: str, reason_text: str) -> str:
    """The payer's X12 adjustment reason code, from the code field or quoted in the text.

    Cash application passes the code when a remittance carries it, else the advice's
    readable reason ("INV-1: 04 item not accepted - damaged"), so both are searched.
    """
    code = reason_code.strip()
    if code.isdigit() and len(code) <= 3:
        return code.zfill(2)
    found = _X12_IN_TEXT.search(reason_text)
    return found.group(1) if found else ""


_WORDS: tuple[tuple[str, str], ...] = (
    ("discount", "discount"),
    ("damage", "damaged"),
    ("price", "pricing"),
    ("pricing", "pricing"),
    ("quantity", "quantity"),
    ("not received", "not_received"),
    ("missing", "not_received"),
    ("duplicate", "duplicate"),
    ("tax", "tax"),
    ("promo", "promotion"),
    ("allowance", "promotion"),
    ("freight", "freight"),
)


def map_reason(reasons: Sequence[ReasonSpec], reason_code: str, reason_text: str) -> str:
    """The company's reason for a remittance's code or words; `other` when nothing fits."""
    known = {r.code for r in reasons}
    if reason_code.strip().lower() in known:
        return reason_code.strip().lower()
    code = x12_code(reason_code, reason_text)
    if code:
        for reason in reasons:
            if code in reason.x12_codes:
                return reason.code
    text = reason_text.lower()
    for word, reason_name in _WORDS:
        if word in text and reason_name in known:
            return reason_name
    return FALLBACK_REASON if FALLBACK_REASON in known else (reasons[0].code if reasons else "")


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Content type → the magic bytes a file of it starts with (None: plain text, not sniffed).
ALLOWED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "text/plain": None,
    "text/csv": None,
    "message/rfc822": None,
}


def check_attachment(filename: str, content_type: str, data: bytes) -> list[FieldError]:
    """Every reason to refuse a file: name, size, type, and content not matching its type."""
    errors = []
    if not filename.strip() or len(filename) > 255 or "/" in filename or "\\" in filename:
        errors.append(FieldError("filename", "a plain file name of 1 to 255 characters"))
    if not data:
        errors.append(FieldError("file", "is empty"))
    if len(data) > MAX_ATTACHMENT_BYTES:
        errors.append(
            FieldError("file", f"{len(data)} bytes is over the limit of {MAX_ATTACHMENT_BYTES}")
        )
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        errors.append(FieldError("content_type", f"{kind or 'none'} is not allowed ({allowed})"))
    else:
        magic = ALLOWED_TYPES[kind]
        if magic is not None and data and not data.startswith(magic):
            errors.append(FieldError("file", f"the content is not {kind}"))
        if magic is None and b"\x00" in data[:4096]:
            errors.append(FieldError("file", f"binary content sent as {kind}"))
    return errors


AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30),
    ("31-60", 60),
    ("61-90", 90),
    ("90+", None),
)


def age_bucket(opened: date, today: date) -> str:
    """The age band of something opened on `opened`, as of `today`."""
    days = (today - opened).days
    for name, limit in AGE_BUCKETS:
        if limit is None or days <= limit:
            return name
    return AGE_BUCKETS[-1][0]
