"""ANSI X12 856 (Ship Notice/Manifest), 4010: a shipment as its customer's receiving expects.

The hierarchy is the pick-and-pack-free structure 0004 (Shipment, Order, Item): one HL for
the shipment (carrier, tracking, ship date, parties), one for the order (the buyer's PO
number), and one per shipped line (vendor part number and quantity). CTT01 counts the HL
segments, as receivers check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from o2c.formats.x12 import TransactionSet
from o2c.formats.x12_810 import decimal_text, party_segments
from o2c.formats.x12_850 import PartyInfo


@dataclass(frozen=True)
class ShippedLine:
    product_code: str
    quantity: Decimal
    unit: str
    description: str
    buyer_line_id: str | None = None


@dataclass(frozen=True)
class ShipNotice:
    shipment_number: str
    created: datetime
    ship_date: date
    parties: Sequence[PartyInfo]
    lines: Sequence[ShippedLine]
    order_number: str
    po_number: str | None = None
    carrier: str | None = None
    tracking: str | None = None


def _shipment_segments(notice: ShipNotice) -> list[list[str]]:
    segments = [["HL", "1", "", "S"]]
    if notice.carrier:
        segments.append(["TD5", "", "", "", "", notice.carrier[:35]])
    if notice.tracking:
        segments.append(["REF", "CN", notice.tracking])
    segments.append(["DTM", "011", notice.ship_date.strftime("%Y%m%d")])
    for party in notice.parties:
        segments += party_segments(party)
    return segments


def ship_notice_segments(notice: ShipNotice) -> list[list[str]]:
    """The body of one 856 set, BSN through CTT."""
    created = notice.created
    segments = [
        [
            "BSN",
            "00",
            notice.shipment_number,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            "0004",
        ]
    ]
    segments += _shipment_segments(notice)
    segments.append(["HL", "2", "1", "O"])
    segments.append(["PRF", notice.po_number or notice.order_number])
    segments.append(["REF", "VN", notice.order_number])
    for index, line in enumerate(notice.lines, start=3):
        segments.append(["HL", str(index), "2", "I"])
        segments.append(["LIN", line.buyer_line_id or "", "VP", line.product_code])
        segments.append(["SN1", "", decimal_text(line.quantity), line.unit.upper()[:2] or "EA"])
        if line.description:
            segments.append(["PID", "F", "", "", "", line.description[:80]])
    segments.append(["CTT", str(len(notice.lines) + 2)])
    return segments


def ship_notice_set(notice: ShipNotice, control_number: int) -> TransactionSet:
    return TransactionSet("856", control_number, ship_notice_segments(notice))
