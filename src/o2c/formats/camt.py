"""ISO 20022 camt.052 / camt.053 / camt.054, any version from .001.02 on, namespace-agnostic.

One `BankLine` per transaction: an entry with several TxDtls (a batch the bank booked as one
sum) yields one line per TxDtls so each payer's remittance can be matched on its own; an entry
without TxDtls yields one line. The amount is signed by CdtDbtInd (credit positive). A reversal
(RvslInd) keeps the indicator the bank booked it with and is flagged `is_reversal`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.formats.problems import Problems
from o2c.formats.references import classify_reference
from o2c.formats.statement import BankLine, Statement, StructuredRef
from o2c.formats.xmltree import Node, parse_xml

_CONTAINERS = {
    "BkToCstmrStmt": ("Stmt", "camt.053"),
    "BkToCstmrAcctRpt": ("Rpt", "camt.052"),
    "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt.054"),
}
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,10})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_OPENING = ("OPBD", "PRCD", "OPAV")
_CLOSING = ("CLBD", "ITBD", "CLAV")


@dataclass(frozen=True)
class _Entry:
    node: Node
    amount: Decimal
    sign: int
    currency: str
    bank_ref: str
    booking_date: date | None
    value_date: date | None
    code: str
    reversal: bool
    status: str


def parse_date(node: Node | None, problems: Problems, name: str) -> date | None:
    """A `Dt` or `DtTm` child (or the element itself), keeping the calendar day as written."""
    if node is None:
        return None
    raw = node.value("Dt") or node.value("DtTm") or node.text.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.add(node.line, name, f"not an ISO date: {raw!r}")
        return None


def _amount(node: Node | None, problems: Problems, name: str) -> tuple[Decimal, str] | None:
    if node is None:
        return None
    raw, currency = node.text.strip(), node.attrs.get("Ccy", "")
    if not _AMOUNT.fullmatch(raw):
        problems.add(node.line, name, f"not an amount: {raw!r}")
        return None
    if not _CURRENCY.fullmatch(currency):
        problems.add(node.line, f"{name}/@Ccy", f"not a currency code: {currency!r}")
        return None
    return Decimal(raw), currency


def _sign(node: Node, problems: Problems) -> int:
    indicator = node.value("CdtDbtInd")
    if indicator not in {"CRDT", "DBIT"}:
        problems.add(node.line, "CdtDbtInd", f"expected CRDT or DBIT, got {indicator!r}")
    return -1 if indicator == "DBIT" else 1


def _bank_code(node: Node) -> str:
    domain = node.find("BkTxCd/Domn")
    if domain is not None:
        parts = [domain.value("Cd"), domain.value("Fmly/Cd"), domain.value("Fmly/SubFmlyCd")]
        return "/".join(p for p in parts if p)
    return node.value("BkTxCd/Prtry/Cd")


def _account_id(node: Node | None) -> str:
    if node is None:
        return ""
    return node.value("Id/IBAN") or node.value("Id/Othr/Id")


def _party(tx: Node, role: str) -> tuple[str, str, str]:
    """Name, account and agent BIC of `Dbtr` or `Cdtr` (v2-v7 `Dbtr/Nm`, v8 `Dbtr/Pty/Nm`)."""
    parties = tx.find("RltdPties")
    if parties is None:
        name = account = ""
    else:
        name = (
            parties.value(f"{role}/Nm")
            or parties.value(f"{role}/Pty/Nm")
            or parties.value(f"Ultmt{role}/Nm")
            or parties.value(f"Ultmt{role}/Pty/Nm")
        )
        account = _account_id(parties.find(f"{role}Acct"))
    agent = tx.find(f"RltdAgts/{role}Agt/FinInstnId")
    bic = (agent.value("BIC") or agent.value("BICFI")) if agent is not None else ""
    return name, account, bic


def _remittance(txs: list[Node]) -> tuple[str, tuple[StructuredRef, ...]]:
    texts = [n.text.strip() for tx in txs for n in tx.findall("RmtInf/Ustrd") if n.text.strip()]
    refs: list[StructuredRef] = []
    for strd in (s for tx in txs for s in tx.findall("RmtInf/Strd")):
        for info in strd.findall("CdtrRefInf"):
            kind = info.value("Tp/CdOrPrtry/Cd") or info.value("Tp/CdOrPrtry/Prtry")
            if info.value("Ref"):
                refs.append(classify_reference(kind, info.value("Ref")))
        for doc in strd.findall("RfrdDocInf"):
            if doc.value("Nb"):
                kind = doc.value("Tp/CdOrPrtry/Cd") or "DOC"
                refs.append(StructuredRef(kind, doc.value("Nb")))
        texts.extend(n.text.strip() for n in strd.findall("AddtlRmtInf") if n.text.strip())
    return " ".join(texts), tuple(refs)


def _entry(node: Node, problems: Problems) -> _Entry | None:
    amount = _amount(node.find("Amt"), problems, "Ntry/Amt")
    if node.find("Amt") is None:
        problems.add(node.line, "Ntry/Amt", "entry without an amount")
    sign = _sign(node, problems)
    if amount is None:
        return None
    status = node.value("Sts/Cd") or node.value("Sts")
    return _Entry(
        node=node,
        amount=amount[0],
        sign=sign,
        currency=amount[1],
        bank_ref=node.value("AcctSvcrRef"),
        booking_date=parse_date(node.find("BookgDt"), problems, "BookgDt"),
        value_date=parse_date(node.find("ValDt"), problems, "ValDt"),
        code=_bank_code(node),
        reversal=node.value("RvslInd").lower() in {"true", "1"},
        status=status,
    )


def _tx_amount(tx: Node, entry: _Entry, problems: Problems) -> Decimal | None:
    """A batch member's own amount in the booked currency, signed."""
    for path in ("AmtDtls/TxAmt/Amt", "Amt", "AmtDtls/CntrValAmt/Amt"):
        found = _amount(tx.find(path), problems, f"TxDtls/{path}")
        if found is not None and found[1] == entry.currency:
            sign = _sign(tx, problems) if tx.find("CdtDbtInd") is not None else entry.sign
            return found[0] * sign
    return None


def _line(entry: _Entry, txs: list[Node], amount: Decimal, extra: dict[str, str]) -> BankLine:
    """One line; `txs` holds its TxDtls, or all of a batch whose members have no amounts."""
    tx = txs[0] if len(txs) == 1 else None
    role, other = ("Dbtr", "Cdtr") if amount >= 0 else ("Cdtr", "Dbtr")
    name, account, bic = _party(tx, role) if tx is not None else ("", "", "")
    if tx is not None and not name:
        name, account, bic = _party(tx, other)
    text, refs = _remittance(txs)
    fallback = (tx.value("AddtlTxInf") if tx is not None else "") or entry.node.value(
        "AddtlNtryInf"
    )
    end_to_end = tx.value("Refs/EndToEndId") if tx is not None else ""
    return_reason = tx.value("RtrInf/Rsn/Cd") if tx is not None else ""
    extra = extra | {"status": entry.status, "entry_ref": entry.node.value("NtryRef")}
    if return_reason:
        extra["return_reason"] = return_reason
    if fallback and text:
        extra["additional_info"] = fallback
    return BankLine(
        bank_ref=(tx.value("Refs/AcctSvcrRef") if tx is not None else "") or entry.bank_ref,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        amount=amount,
        currency=entry.currency,
        counterparty_name=name,
        counterparty_account=account,
        counterparty_bic=bic,
        remittance_text=text or fallback,
        structured_refs=refs,
        end_to_end_id="" if end_to_end == "NOTPROVIDED" else end_to_end,
        transaction_code=(_bank_code(tx) if tx is not None else "") or entry.code,
        is_reversal=entry.reversal,
        booked=entry.status in {"BOOK", ""},
        extra={k: v for k, v in extra.items() if v},
    )


def _entry_lines(node: Node, problems: Problems) -> list[BankLine]:
    entry = _entry(node, problems)
    if entry is None:
        return []
    txs = [tx for details in node.findall("NtryDtls") for tx in details.findall("TxDtls")]
    signed = entry.amount * entry.sign
    if len(txs) <= 1:
        return [_line(entry, txs, signed, {})]
    amounts = [_tx_amount(tx, entry, problems) for tx in txs]
    if any(a is None for a in amounts):
        return [_line(entry, txs, signed, {"batch_size": str(len(txs))})]
    return [
        _line(entry, [tx], amount, {"batch_index": str(i)})
        for i, (tx, amount) in enumerate(zip(txs, amounts, strict=True), start=1)
        if amount is not None
    ]


def _balance(node: Node, codes: tuple[str, ...], problems: Problems) -> Decimal | None:
    balances = node.findall("Bal")
    for code in codes:
        for bal in balances:
            if (bal.value("Tp/CdOrPrtry/Cd") or bal.value("Tp/CdOrPrtry/Prtry")) != code:
                continue
            found = _amount(bal.find("Amt"), problems, "Bal/Amt")
            if found is not None:
                return found[0] * _sign(bal, problems)
    return None


def _statement(node: Node, kind: str, problems: Problems) -> Statement:
    lines = [line for entry in node.findall("Ntry") for line in _entry_lines(entry, problems)]
    account = node.find("Acct")
    currency = account.value("Ccy") if account is not None else ""
    first_amount = node.find("Bal/Amt")
    if not currency and first_amount is not None:
        currency = first_amount.attrs.get("Ccy", "")
    period = node.find("FrToDt")
    return Statement(
        format=kind,
        statement_id=node.value("Id"),
        account=_account_id(account),
        currency=currency or (lines[0].currency if lines else ""),
        opening_balance=_balance(node, _OPENING, problems),
        closing_balance=_balance(node, _CLOSING, problems),
        from_date=parse_date(period.find("FrDtTm") if period else None, problems, "FrDtTm"),
        to_date=parse_date(period.find("ToDtTm") if period else None, problems, "ToDtTm")
        or parse_date(node.find("CreDtTm"), problems, "CreDtTm"),
        lines=tuple(lines),
        extra={"electronic_sequence": node.value("ElctrncSeqNb")},
    )


def parse_camt(data: bytes, path: str = "") -> list[Statement]:
    """Parse a camt.052/053/054 message into one `Statement` per Stmt/Rpt/Ntfctn block."""
    problems = Problems(path)
    root = parse_xml(data, problems)
    message = root.children[0] if root.tag == "Document" and root.children else root
    if message.tag not in _CONTAINERS:
        problems.refuse(message.line, "Document", f"not a camt.052/053/054 message: {message.tag}")
    child, kind = _CONTAINERS[message.tag]
    blocks = message.findall(child)
    if not blocks:
        problems.add(message.line, child, f"message has no {child} block")
    statements = [_statement(block, kind, problems) for block in blocks]
    problems.raise_if_any()
    return statements
