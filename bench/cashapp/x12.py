"""X12 820 remittance advice as a payer's accounts-payable system sends it.

The benchmark writes real interchanges and reads them back with o2c's own parser, so the
engine sees remittances exactly as an import would hand them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.formats.remittance import Remittance
from o2c.formats.x12_820 import parse_x12_820


@dataclass(frozen=True)
class AdvisedItem:
    """One RMR line: the invoice, what is paid, its amount, the discount and adjustments."""

    reference: str
    paid: Decimal
    invoice_amount: Decimal
    discount: Decimal | None = None
    adjustments: tuple[tuple[Decimal, str, str], ...] = ()


def _isa(control: int, on: date) -> str:
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "PAYERAPSYSTEM".ljust(15),
        "ZZ", "O2CRECEIVABLE".ljust(15), on.strftime("%y%m%d"), "0930", "U", "00401",
        f"{control:09d}", "0", "P", ">",
    ]  # fmt: skip
    return "*".join(fields)


def render_820(
    trace: str,
    payer: str,
    amount: Decimal,
    on: date,
    currency: str,
    items: list[AdvisedItem],
    control: int,
) -> bytes:
    """One interchange with one 820 transaction set paying `items`."""
    body = [
        f"BPR*C*{amount}*C*ACH*CTX*01*021000021*DA*1234567890*9999999999**01*031100209*DA*"
        f"0987654321*{on:%Y%m%d}",
        f"TRN*1*{trace}",
        f"CUR*PR*{currency}",
        f"N1*PR*{payer.replace('*', ' ')}",
        "N1*PE*O2C DEMO AG",
        "ENT*1",
    ]
    for item in items:
        discount = "" if item.discount is None else str(item.discount)
        body.append(f"RMR*IV*{item.reference}*PI*{item.paid}*{item.invoice_amount}*{discount}")
        for value, code, text in item.adjustments:
            body.append(f"ADX*{-value}*{code}*ZZ*{text}")
    segments = [
        _isa(control, on),
        f"GS*RA*PAYERAPSYSTEM*O2CRECEIVABLE*{on:%Y%m%d}*0930*{control}*X*004010",
        "ST*820*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        f"GE*1*{control}",
        f"IEA*1*{control:09d}",
    ]
    return ("~\n".join(segments) + "~\n").encode("ascii", "replace")


def advice(
    trace: str,
    payer: str,
    amount: Decimal,
    on: date,
    currency: str,
    items: list[AdvisedItem],
    control: int,
) -> Remittance:
    """The remittance o2c reads from the interchange the payer would send."""
    [remittance] = parse_x12_820(render_820(trace, payer, amount, on, currency, items, control))
    return remittance
