"""Which parser a file needs, decided by its content (never by its name), and the dispatch.

Uploads arrive as "export.txt" or "statement.dat"; the first meaningful bytes say what they
are: XML with a camt root, `<OFX>` or an OFX header, `01,` for BAI2, `:20:` or a SWIFT block
for MT940/942, `ISA` for X12, 94-character NACHA records. Byte-order marks, leading blank lines
and SWIFT transmission characters are skipped before deciding.
"""

from __future__ import annotations

import re

from o2c.formats.bai2 import parse_bai2
from o2c.formats.camt import parse_camt
from o2c.formats.csvbank import ColumnMapping, parse_csv
from o2c.formats.encoding import decode_text, split_lines
from o2c.formats.mt940 import parse_mt940
from o2c.formats.ofx import parse_ofx
from o2c.formats.problems import Problems
from o2c.formats.remittance import Remittance, parse_remittance_csv
from o2c.formats.statement import Statement
from o2c.formats.x12_820 import parse_x12_820

_CAMT = re.compile(r"<(?:\w+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)\b")
_CAMT_KIND = {
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrAcctRpt": "camt.052",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
}
_MT940 = re.compile(r"^(\{1:|:20:|:940:|:942:|ABNANL2A)", re.M)
_NACHA = re.compile(r"^101[ \d]{20}\d{10}[A-Z0-9 ]094101")
_LOCKBOX = re.compile(r"^1\d{2}\w{10}\w{10}\d{10}$")
_BPAY_BRF = re.compile(r"^00\d{10}")
_X12_SET = re.compile(r"ST(.)(\d{3})\1")


def _head(data: bytes) -> str:
    text = decode_text(data[:65536])
    return text.replace("\x01", "").replace("\x03", "").lstrip()


def _x12_kind(head: str) -> str:
    match = _X12_SET.search(head)
    return f"x12-{match.group(2)}" if match else "x12"


def detect_format(data: bytes) -> str:
    """Name the format: camt.05x, ofx, bai2, mt940, mt942, x12-820/810/850, nacha, csv, unknown."""
    head = _head(data)
    if head.startswith(("<", "<?xml")):
        camt = _CAMT.search(head)
        if camt:
            return _CAMT_KIND[camt.group(1)]
        return "ofx" if "<OFX>" in head.upper() else "unknown"
    if head.startswith("OFXHEADER") or "<OFX>" in head[:4096].upper():
        return "ofx"
    if head.startswith("ISA"):
        return _x12_kind(head)
    if head.startswith("01,"):
        return "bai2"
    if _MT940.search(head[:2048]):
        is_942 = re.search(r"^:(34F|13D):", head, re.M) and not re.search(r"^:60[FM]:", head, re.M)
        return "mt942" if is_942 else "mt940"
    records = split_lines(head)
    first = records[0]
    if _NACHA.match(first):
        return "nacha"
    if _LOCKBOX.match(first.rstrip()):
        return "bai-lockbox"
    if _BPAY_BRF.match(first) and len(records) > 1 and len(records[1].rstrip("\n")) >= 219:
        return "bpay-brf"
    if head and _looks_tabular(head):
        return "csv"
    return "unknown"


def _looks_tabular(head: str) -> bool:
    lines = [ln for ln in split_lines(head)[:10] if ln.strip()]
    return len(lines) >= 2 and all(any(d in ln for d in ",;\t|") for ln in lines)


def parse_bank_file(
    data: bytes,
    path: str = "",
    *,
    csv_mapping: ColumnMapping | None = None,
    strict: bool = True,
) -> list[Statement]:
    """Parse any supported bank statement file, refusing what is not one.

    `strict=False` skips the BAI2 trailer and MT940 balance checks for a bank whose exports
    are known to fail them; CSV needs the bank's `csv_mapping` profile.
    """
    kind = detect_format(data)
    if kind == "bai2":
        return parse_bai2(data, path, check_totals=strict)
    if kind.startswith("camt."):
        return parse_camt(data, path)
    if kind in {"mt940", "mt942"}:
        return parse_mt940(data, path, check_balances=strict)
    if kind == "ofx":
        return parse_ofx(data, path)
    if kind == "csv" and csv_mapping is not None:
        return parse_csv(data, csv_mapping, path)
    Problems(path).refuse(1, "format", _unsupported(kind))
    return None


def _unsupported(kind: str) -> str:
    if kind == "csv":
        return "a CSV statement needs the bank's column mapping profile"
    if kind == "unknown":
        return "not a recognised bank statement format"
    return f"{kind} is not a bank statement format this importer reads"


def parse_remittance_file(
    data: bytes, path: str = "", currency: str | None = None
) -> list[Remittance]:
    """Parse a remittance advice: an X12 820 interchange or a simple remittance CSV."""
    kind = detect_format(data)
    if kind == "x12-820":
        return parse_x12_820(data, path)
    if kind == "csv" or (kind == "unknown" and b"," in data):
        return parse_remittance_csv(data, path, currency)
    Problems(path).refuse(1, "format", f"{kind} is not a remittance advice (X12 820 or CSV)")
    return None
