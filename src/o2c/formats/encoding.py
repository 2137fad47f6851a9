"""Bytes to text for the line-based formats, keeping odd bytes instead of failing on them.

Banks still emit Windows-1252, Latin-2 and DOS code pages. UTF-8 is tried first (with or without
a byte-order mark); otherwise the single-byte code page under which the non-ASCII bytes read
most like letters wins, so a Hungarian cp852 export keeps its accents instead of turning into
box-drawing characters. Every candidate below decodes any byte, so text is never lost.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_FALLBACKS = ("cp1252", "iso-8859-2", "cp1250", "cp852", "latin-1")


def _letter_score(text: str) -> int:
    score = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        score += 1 if ch.isalpha() else -1
    return score


def decode_text(data: bytes) -> str:
    """Decode a bank file to `str`, dropping a byte-order mark and never raising."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = ""
    best_score: int | None = None
    for codec in _FALLBACKS:
        text = data.decode(codec, errors="replace")
        score = _letter_score(text) - 3 * text.count("\ufffd")
        if best_score is None or score > best_score:
            best, best_score = text, score
    return best


def split_lines(text: str) -> list[str]:
    """Lines without their CR/LF endings; CRLF, LF and lone CR all end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
