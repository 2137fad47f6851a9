"""Every number in a bank line that could be one of our document numbers.

Payers write "INV-2026-001926" as "2026/1926", "20261926", "RG 1926" or bury it in "PAYMENT
INV 2026/1926 THANK YOU". The text is first cleared of what only looks like a reference
(dates, amounts, IBANs); then each run of digit groups joined by single separators yields
mentions for its sub-runs of up to three groups, so that "2026/1926" is looked up whole and
"1926" alone. Valid ISO 11649 RF references are taken out first: their check digits prove
they were copied, not typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from o2c.formats.references import rf_is_valid
from o2c.formats.statement import BankLine

_IBAN = re.compile(r"\b(?!RF)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_AMOUNT = re.compile(
    r"(?:\b(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|CZK)\s?)?"
    r"\b\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}\b(?![.,/-]?\d)"
    r"(?:\s?(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|CZK)\b)?"
)
_DATE_YMD = re.compile(r"\b(\d{4})([-./])(\d{1,2})\2(\d{1,2})\b")
_DATE_DMY = re.compile(r"\b(\d{1,2})([-./])(\d{1,2})\2(\d{4})\b")
_RF_START = re.compile(r"\bRF\d{2}")
_CHUNK = re.compile(r"\d+(?:[-/._ ]\d+)*")
_GROUP = re.compile(r"\d+")
_LABEL = re.compile(r"([A-Z]+)[\s:#.\-/]{0,3}$")
MAX_GROUPS = 3
MAX_MENTIONS = 40


@dataclass(frozen=True, slots=True)
class Mention:
    """One way of reading a number in the text as a document number.

    `chunk` and `first`..`last` locate it among the digit groups of its run, so a hit on
    "2026/1926" can silence the weaker hits of "2026" and "1926" inside it.
    """

    text: str
    digits: str
    stripped: str
    groups: int
    label: str
    chunk: int
    first: int
    last: int
    certified: bool = False

    def covers(self, other: Mention) -> bool:
        return (
            self.chunk == other.chunk
            and self.first <= other.first
            and other.last <= self.last
            and (self.first, self.last) != (other.first, other.last)
        )


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1990 <= year <= 2100


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _drop_date(match: re.Match[str], ymd: bool) -> str:
    parts = [int(match.group(i)) for i in (1, 3, 4)]
    year, month, day = parts if ymd else (parts[2], parts[1], parts[0])
    return _blank(match) if _is_date(year, month, day) else match.group(0)


def clean_text(text: str) -> str:
    """Upper-cased text with IBANs, amounts and calendar dates blanked out (same length)."""
    upper = text.upper()
    upper = _IBAN.sub(_blank, upper)
    upper = _DATE_YMD.sub(lambda m: _drop_date(m, True), upper)
    upper = _DATE_DMY.sub(lambda m: _drop_date(m, False), upper)
    return _AMOUNT.sub(_blank, upper)


def _rf_candidates(text: str) -> list[tuple[str, int, int]]:
    """Valid RF references in free text, as (payload, start, end) of the longest valid reading."""
    found: list[tuple[str, int, int]] = []
    for start in _RF_START.finditer(text):
        chars: list[tuple[str, int]] = []
        position = start.start()
        while position < len(text) and len(chars) < 25:
            ch = text[position]
            if ch.isalnum():
                chars.append((ch, position))
            elif ch != " ":
                break
            position += 1
        for length in range(len(chars), 4, -1):
            value = "".join(ch for ch, _ in chars[:length])
            if rf_is_valid(value):
                found.append((value[4:], start.start(), chars[length - 1][1] + 1))
                break
    return found


def _certified(payload: str, chunk: int) -> Mention | None:
    digits = "".join(_GROUP.findall(payload))
    if not digits:
        return None
    return Mention(payload, digits, digits.lstrip("0"), 1, "RF", chunk, 0, 0, certified=True)


def _chunk_mentions(text: str, chunk: re.Match[str], index: int) -> list[Mention]:
    base = chunk.start()
    found = list(_GROUP.finditer(chunk.group(0)))
    raw = [g.group(0) for g in found]
    bare = [g.lstrip("0") or "0" for g in raw]
    starts = [base + g.start() for g in found]
    ends = [base + g.end() for g in found]
    label_match = _LABEL.search(text, 0, base)
    label = label_match.group(1) if label_match else ""
    count = len(raw)
    mentions = []
    for first in range(count):
        for last in range(first, min(first + MAX_GROUPS, count)):
            mentions.append(
                Mention(
                    text[starts[first] : ends[last]],
                    "".join(raw[first : last + 1]),
                    "".join(bare[first : last + 1]),
                    last - first + 1,
                    label if first == 0 else "",
                    index,
                    first,
                    last,
                )
            )
    return mentions


def line_texts(line: BankLine) -> list[str]:
    """The free text of a line where payers put references: remittance and end-to-end id."""
    texts = [line.remittance_text]
    if line.end_to_end_id and line.end_to_end_id.upper() != "NOTPROVIDED":
        texts.append(line.end_to_end_id)
    return [t for t in texts if t]


def extract_mentions(texts: Sequence[str], structured: Sequence[str] = ()) -> list[Mention]:
    """Mentions from structured references (certified when a valid RF) and from free text."""
    mentions: list[Mention] = []
    chunk_index = 0
    for value in structured:
        for payload, _, _ in _rf_candidates(value.upper()):
            certified = _certified(payload, chunk_index)
            chunk_index += 1
            if certified is not None:
                mentions.append(certified)
    for raw in texts:
        text = raw.upper()
        for payload, start, end in _rf_candidates(text):
            certified = _certified(payload, chunk_index)
            chunk_index += 1
            if certified is not None:
                mentions.append(certified)
            text = text[:start] + " " * (end - start) + text[end:]
        text = clean_text(text)
        for chunk in _CHUNK.finditer(text):
            mentions.extend(_chunk_mentions(text, chunk, chunk_index))
            chunk_index += 1
            if len(mentions) >= MAX_MENTIONS:
                return mentions[:MAX_MENTIONS]
    return mentions
