"""ANSI X12 997 (Functional Acknowledgment): the receipt a trading partner expects per group.

One 997 answers one received functional group: AK1 names the group (GS01, GS06), an AK2/AK5
pair per transaction set says whether that set was accepted (A) or rejected (R), and AK9 sums
the group up. Only acceptance and rejection of whole sets are written; segment-level error
detail (AK3/AK4) is left out, so a rejected set tells the partner to look at our report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from o2c.formats.x12 import TransactionSet


@dataclass(frozen=True)
class SetAck:
    code: str
    """ST01 of the set acknowledged, e.g. 850."""
    control_number: str
    accepted: bool


@dataclass(frozen=True)
class GroupAck:
    functional_id: str
    """GS01 of the group acknowledged, e.g. PO."""
    group_control: str
    sets: Sequence[SetAck]


def ack_segments(group: GroupAck) -> list[list[str]]:
    """AK1, AK2/AK5 per set and AK9 of one functional group's acknowledgement."""
    segments = [["AK1", group.functional_id, group.group_control]]
    for ack in group.sets:
        segments.append(["AK2", ack.code, ack.control_number])
        segments.append(["AK5", "A" if ack.accepted else "R"])
    accepted = sum(1 for ack in group.sets if ack.accepted)
    if accepted == len(group.sets):
        status = "A"
    elif accepted:
        status = "P"
    else:
        status = "R"
    count = str(len(group.sets))
    segments.append(["AK9", status, count, count, str(accepted)])
    return segments


def ack_set(group: GroupAck, control_number: int) -> TransactionSet:
    """The 997 transaction set acknowledging `group`, ready for `write_interchange`."""
    return TransactionSet("997", control_number, ack_segments(group))
