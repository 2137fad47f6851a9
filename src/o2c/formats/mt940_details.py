"""The `:86:` information field of MT940/MT942, in the layouts banks actually use.

German banks (DFÜ-Abkommen) split it into `?nn` sub-fields: ?00 posting text, ?20-?29 and
?60-?63 remittance lines (with SEPA keywords EREF+, SVWZ+ …), ?30 bank code, ?31 account,
?32/?33 name. Dutch banks (ING, Rabobank, ABN AMRO SEPA) use `/KEY/value` pairs: /EREF/,
/REMI/, /NAME/, /CNTP/ (IBAN/BIC/name/city), /ORDP/ and /BENM/. Anything else is free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from o2c.formats.references import classify_reference
from o2c.formats.statement import StructuredRef

_GERMAN = re.compile(r"^(\d{3})?\?\d\d")
_SUBFIELD = re.compile(r"\?(\d\d)")
_SEPA_KEYS = ("EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC")
_SEPA = re.compile(r"(" + "|".join(_SEPA_KEYS) + r")\+")
_DUTCH_KEYS = (
    "EREF|REMI|NAME|CNTP|ORDP|BENM|ADDR|RTRN|PREF|MARF|CSID|ISDT|TRCD|BUSP|IREF|PURP|"
    "ULTC|ULTD|ULTB|ACCW|BENB|ORDB|CHGS|EXCH|FX|SVCL|TRTP|IBAN|BIC|ID|CDTRREF|CDTRREFTP|"
    "CLASS|CD|ISSR|RETURNREASON|USTD|STRD"
)
_DUTCH = re.compile(r"/(" + _DUTCH_KEYS + r")/")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


@dataclass
class Details:
    """What the `:86:` field says about the counterparty and the payment's purpose."""

    name: str = ""
    account: str = ""
    bic: str = ""
    text: str = ""
    end_to_end_id: str = ""
    refs: tuple[StructuredRef, ...] = ()
    code: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def _join_free(lines: list[str]) -> str:
    """Free text: a full 65-character line was wrapped mid-word, a shorter one ended a word."""
    out = ""
    previous: str | None = None
    for line in lines:
        if previous is not None and len(previous) < 65:
            out += " "
        out += line
        previous = line
    return re.sub(r"\s+", " ", out).strip()


def _german(raw: str) -> Details:
    code = raw[:3] if raw[:3].isdigit() else ""
    parts = _SUBFIELD.split(raw[len(code) :])
    subfields: dict[str, list[str]] = {}
    for number, value in zip(parts[1::2], parts[2::2], strict=False):
        subfields.setdefault(number, []).append(value)
    purpose = "".join(
        v
        for n in [*(f"2{i}" for i in range(10)), "60", "61", "62", "63"]
        for v in subfields.get(n, [])
    )
    sepa = {m.group(1): m for m in _SEPA.finditer(purpose)}
    details = Details(code=code, fields={f"?{k}": "".join(v) for k, v in subfields.items()})
    if sepa:
        ordered = sorted(sepa.values(), key=lambda m: m.start())
        values = {
            m.group(1): purpose[
                m.end() : (ordered[i + 1].start() if i + 1 < len(ordered) else None)
            ]
            for i, m in enumerate(ordered)
        }
        details.end_to_end_id = values.get("EREF", "").strip()
        details.text = (values.get("SVWZ") or purpose[: ordered[0].start()]).strip()
        details.fields.update({f"{k}+": v.strip() for k, v in values.items()})
    else:
        details.text = purpose.strip()
    if details.end_to_end_id == "NOTPROVIDED":
        details.end_to_end_id = ""
    details.name = " ".join("".join(subfields.get(n, [])) for n in ("32", "33")).strip()
    details.account = "".join(subfields.get("31", [])).strip()
    details.bic = "".join(subfields.get("30", [])).strip()
    return details


def _dutch_pairs(raw: str) -> dict[str, str]:
    matches = list(_DUTCH.finditer(raw))
    pairs: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(raw)
        value = raw[match.end() : end]
        if match.group(1) in {"USTD", "STRD"}:
            continue
        pairs.setdefault(match.group(1), value.strip("/").strip())
    for match in re.finditer(r"/(USTD|STRD)/(.*?)(?=/(?:" + _DUTCH_KEYS + r")/|$)", raw):
        pairs.setdefault(f"REMI/{match.group(1)}", match.group(2).strip("/").strip())
    return pairs


def _dutch(raw: str) -> Details:
    pairs = _dutch_pairs(raw)
    details = Details(fields=pairs)
    counterparty = pairs.get("CNTP", "").split("/")
    if len(counterparty) >= 3:
        details.account, details.bic, details.name = (p.strip() for p in counterparty[:3])
    details.name = details.name or pairs.get("NAME", "")
    structured = pairs.get("REMI/STRD", "")
    remittance = pairs.get("REMI/USTD") or ("" if structured else pairs.get("REMI", ""))
    if structured:
        issuer, _, reference = structured.rpartition("/")
        if reference.strip():
            kind = pairs.get("CDTRREFTP", "") or issuer.split("/")[0]
            details.refs = (classify_reference(kind, reference),)
    details.text = remittance.removeprefix("USTD//").strip("/").strip()
    details.end_to_end_id = "" if pairs.get("EREF") == "NOTPROVIDED" else pairs.get("EREF", "")
    return details


def parse_details(lines: list[str]) -> Details:
    """Interpret the `:86:` lines; structured layouts are joined without line breaks."""
    raw = "".join(lines)
    if _GERMAN.match(raw):
        return _german(raw)
    if _DUTCH.search(raw) and raw.lstrip().startswith("/"):
        return _dutch(raw)
    details = Details(text=_join_free(lines))
    iban = _IBAN.match(details.text)
    if iban:
        details.account = iban.group(0)
    return details
