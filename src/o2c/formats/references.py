"""Creditor references with check digits: ISO 11649 RF and the Swiss QR/ESR reference.

A reference whose check digit holds was copied from the invoice correctly, so matching may
trust it outright; one that fails was mistyped and only earns a fuzzy match.
"""

from __future__ import annotations

import re

from o2c.formats.statement import StructuredRef

_RF = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
_QRR = re.compile(r"\d{27}")
_MOD10_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def rf_is_valid(value: str) -> bool:
    """ISO 11649: move `RFkk` to the end, letters to numbers, the result mod 97 must be 1."""
    ref = _compact(value)
    if not _RF.fullmatch(ref):
        return False
    rearranged = ref[4:] + ref[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def qrr_is_valid(value: str) -> bool:
    """Swiss QR/ESR reference: 27 digits, the last a recursive mod-10 check digit."""
    ref = _compact(value)
    if not _QRR.fullmatch(ref):
        return False
    carry = 0
    for ch in ref[:-1]:
        carry = _MOD10_TABLE[(carry + int(ch)) % 10]
    return (10 - carry) % 10 == int(ref[-1])


def classify_reference(kind: str, value: str) -> StructuredRef:
    """Build a `StructuredRef`, naming the type from the code or the shape and checking it.

    Banks label the same thing differently (SCOR with an RF value, Prtry "QRR", "ISR
    Reference", "ESR"), so the value's shape decides when the label is generic.
    """
    compact = _compact(value)
    label = kind.strip().upper()
    if compact.startswith("RF") and _RF.fullmatch(compact):
        return StructuredRef("RF", compact, rf_is_valid(compact))
    if label in {"QRR", "ESR", "ISR", "ISR REFERENCE"} or (
        label in {"", "SCOR"} and _QRR.fullmatch(compact)
    ):
        name = "ESR" if label in {"ESR", "ISR", "ISR REFERENCE"} else "QRR"
        return StructuredRef(name, compact, qrr_is_valid(compact))
    return StructuredRef(label or "REF", value.strip(), None)


def rf_reference(payload: str) -> str:
    """The ISO 11649 creditor reference for `payload` (letters and digits, at most 21 kept).

    Invoices print it so a payer's bank hands it back intact; the check digits make a
    mistyped copy detectable (`rf_is_valid`).
    """
    body = re.sub(r"[^0-9A-Z]", "", payload.upper())[-21:]
    if not body:
        raise ValueError(f"no letters or digits in {payload!r} to build an RF reference from")
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"
