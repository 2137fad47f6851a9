"""OFX 1.x (SGML, leaf tags left open) and OFX 2.x (XML) bank and card statements.

Both versions are read by one tokenizer: a tag followed by text is a leaf whether or not it is
closed, any other tag opens an aggregate that its end tag closes. No DTD or entity is ever
expanded (only the five XML escapes are), so the XML flavour cannot smuggle in external
entities. A transaction without a valid posting date, amount or FITID makes the file invalid,
as does a balance that names its date but has no amount.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems
from o2c.formats.statement import BankLine, Statement

_TOKEN = re.compile(
    r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<\?.*?\?>"
    r"|<(?P<close>/?)(?P<name>[A-Za-z0-9_.]+)[^>]*>|(?P<text>[^<]+)",
    re.S,
)
_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_STATEMENTS = ("STMTRS", "CCSTMTRS")


@dataclass
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag: str) -> str:
        node = self.find(tag)
        return node.text if node is not None else ""

    def nested(self, tag: str, leaf: str) -> str:
        node = self.find(tag)
        return node.value(leaf) if node is not None else ""

    def walk(self, tag: str) -> list[_Node]:
        found = [c for c in self.children if c.tag == tag]
        for child in self.children:
            if child.tag != tag:
                found.extend(child.walk(tag))
        return found


def _tokens(body: str, start_line: int) -> list[tuple[str, str, int]]:
    """(kind, value, line) with kind "open", "close" or "text"; comments dropped."""
    tokens: list[tuple[str, str, int]] = []
    line = start_line
    for match in _TOKEN.finditer(body):
        name, cdata, text = match.group("name"), match.group("cdata"), match.group("text")
        if name is not None:
            tokens.append(("close" if match.group("close") else "open", name.upper(), line))
        elif cdata is not None and cdata.strip():
            tokens.append(("text", cdata.strip(), line))
        elif text is not None and text.strip():
            tokens.append(("text", html.unescape(text.strip()), line))
        line += match.group(0).count("\n")
    return tokens


def _tree(tokens: list[tuple[str, str, int]], problems: Problems) -> _Node:
    root = _Node("#root", 0)
    stack = [root]
    closers = {value for kind, value, _ in tokens if kind == "close"}
    for index, (kind, value, line) in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ("", "", 0)
        if kind == "open":
            node = _Node(value, line)
            stack[-1].children.append(node)
            is_leaf = following[0] == "text" or following[:2] == ("close", value)
            if not is_leaf and value in closers:
                stack.append(node)
        elif kind == "text":
            parent = stack[-1].children[-1] if stack[-1].children else None
            if parent is None or parent.children or parent.text:
                problems.add(line, "text", f"text outside an element: {value[:30]!r}")
            else:
                parent.text = value
        elif any(n.tag == value for n in stack[1:]):
            while stack[-1].tag != value:
                stack.pop()
            stack.pop()
    return root


def _date(node: _Node, tag: str, problems: Problems, required: bool) -> date | None:
    raw = node.value(tag)
    if not raw:
        if required:
            problems.add(node.line, tag, "missing (a transaction needs its posting date)")
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        problems.add(node.line, tag, f"not a YYYYMMDD date: {raw!r}")
        return None


def _decimal(node: _Node, tag: str, problems: Problems) -> Decimal | None:
    raw = node.value(tag).replace(" ", "")
    if not _AMOUNT.fullmatch(raw):
        problems.add(node.line, tag, f"not an amount: {raw!r}" if raw else "missing amount")
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        problems.add(node.line, tag, f"not an amount: {raw!r}")
        return None


def _line(tx: _Node, currency: str, problems: Problems) -> BankLine | None:
    posted = _date(tx, "DTPOSTED", problems, required=True)
    amount = _decimal(tx, "TRNAMT", problems)
    if tx.find("FITID") is None:
        problems.add(tx.line, "FITID", "missing (the bank's transaction id)")
    if posted is None or amount is None:
        return None
    foreign = tx.nested("CURRENCY", "CURSYM") or tx.nested("ORIGCURRENCY", "CURSYM")
    name = tx.value("NAME") or tx.nested("PAYEE", "NAME")
    extra = {k: tx.value(k) for k in ("TRNTYPE", "CHECKNUM", "REFNUM", "SIC", "PAYEEID", "MEMO")}
    return BankLine(
        bank_ref=tx.value("FITID"),
        booking_date=posted,
        value_date=_date(tx, "DTAVAIL", problems, required=False) or posted,
        amount=amount,
        currency=currency or foreign.upper(),
        counterparty_name=name,
        counterparty_account=tx.nested("BANKACCTTO", "ACCTID"),
        remittance_text=_text(tx.value("MEMO"), name),
        end_to_end_id=tx.value("REFNUM"),
        transaction_code=tx.value("TRNTYPE"),
        extra={k: v for k, v in extra.items() if v},
    )


def _text(memo: str, name: str) -> str:
    """MEMO usually repeats NAME; keep both only when NAME adds something."""
    if memo and name and name not in memo:
        return f"{memo} {name}"
    return memo or name


def _balance(stmt: _Node, tag: str, problems: Problems) -> Decimal | None:
    """None when the bank sent no balance; a dated balance without an amount is an error."""
    node = stmt.find(tag)
    if node is None or (not node.value("BALAMT").strip() and not node.value("DTASOF")):
        return None
    return _decimal(node, "BALAMT", problems)


def _statement(stmt: _Node, problems: Problems) -> Statement:
    account_node = stmt.find("BANKACCTFROM") or stmt.find("CCACCTFROM")
    if account_node is None:
        problems.add(stmt.line, "BANKACCTFROM", "statement without its account")
    currency = stmt.value("CURDEF").upper()
    txlist = stmt.find("BANKTRANLIST")
    txs = [tx for lst in stmt.walk("BANKTRANLIST") for tx in lst.walk("STMTTRN")]
    lines = [ln for ln in (_line(tx, currency, problems) for tx in txs) if ln is not None]
    if not currency and lines:
        currency = lines[0].currency
    if not currency:
        problems.add(stmt.line, "CURDEF", "no currency for the statement")
    account = account_node.value("ACCTID") if account_node else ""
    closing = _balance(stmt, "LEDGERBAL", problems)
    available = _balance(stmt, "AVAILBAL", problems)
    bank = account_node.value("BANKID") if account_node else ""
    return Statement(
        format="ofx",
        statement_id=f"{bank}/{account}/{txlist.value('DTEND')[:8] if txlist else ''}",
        account=account,
        currency=currency,
        opening_balance=None,
        closing_balance=closing,
        from_date=_date(txlist, "DTSTART", problems, required=False) if txlist else None,
        to_date=_date(txlist, "DTEND", problems, required=False) if txlist else None,
        lines=tuple(lines),
        extra={"bank_id": bank, "available_balance": str(available or "")},
    )


def parse_ofx(data: bytes, path: str = "") -> list[Statement]:
    """Parse an OFX/QFX file into one `Statement` per bank or card statement response."""
    problems = Problems(path)
    text = decode_text(data)
    start = text.upper().find("<OFX>")
    if start < 0:
        problems.refuse(1, "OFX", "no <OFX> element: not an OFX file")
    header_lines = text[:start].count("\n")
    root = _tree(_tokens(text[start:], header_lines + 1), problems)
    statements = [_statement(node, problems) for tag in _STATEMENTS for node in root.walk(tag)]
    if not statements and not problems:
        problems.add(header_lines + 1, "STMTRS", "no bank or card statement in the file")
    problems.raise_if_any()
    return statements
