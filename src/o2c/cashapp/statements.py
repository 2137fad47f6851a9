"""Importing bank statements and remittance advices: parse whole, then store set-based.

A file is keyed by its SHA-256 and each line by the bank's own reference (with account,
booking date and amount), so importing a file again, or a statement that overlaps the last
one, adds only what is new. A file that fails to parse raises `InvalidFile` before anything
is written. Debits are stored (the statement stays complete) but never matched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from o2c.cashapp.model import LineStatus
from o2c.cashapp.tables import (
    BankLineRow,
    BankStatement,
    RemittanceItemRow,
    RemittanceRow,
)
from o2c.db.bulk import insert_ids, insert_rows
from o2c.db.uow import UnitOfWork
from o2c.formats.csvbank import ColumnMapping
from o2c.formats.detect import detect_format, parse_bank_file, parse_remittance_file
from o2c.formats.remittance import Remittance
from o2c.formats.statement import BankLine, Statement
from o2c.kernel.currency import is_currency, minor_units
from o2c.kernel.errors import FileError, InvalidFile
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

CHUNK = 500


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: `duplicate_file` when this very file was imported before."""

    format: str
    statements: int
    lines: int
    new_lines: int
    known_lines: int
    credits: int
    debits: int
    duplicate_file: bool = False
    statement_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class RemittanceSummary:
    remittances: int
    items: int
    duplicate_file: bool = False


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def to_minor(amount: Decimal, currency: str) -> int | None:
    """Exact minor units, or None when the amount has more decimals than the currency."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _line_row(line: BankLine, account: str, currency: str, ref: str, minor: int) -> dict[str, Any]:
    status = LineStatus.NEW if line.amount > 0 else LineStatus.IGNORED
    return {
        "account": account[:60],
        "bank_ref": ref[:120],
        "booking_date": line.booking_date,
        "value_date": line.value_date,
        "amount_minor": minor,
        "currency": currency,
        "counterparty_name": line.counterparty_name[:200],
        "counterparty_account": line.counterparty_account[:60],
        "counterparty_bic": line.counterparty_bic[:11],
        "remittance_text": line.remittance_text[:2000],
        "end_to_end_id": line.end_to_end_id[:120],
        "transaction_code": line.transaction_code[:40],
        "structured_refs": [[r.kind, r.value, r.valid] for r in line.structured_refs],
        "is_reversal": line.is_reversal,
        "booked": line.booked,
        "status": status.value,
        "reason": "" if line.amount > 0 else "a debit, not a customer payment",
    }


def _rows(path: str, statements: Sequence[Statement]) -> list[list[dict[str, Any]]]:
    """Each statement's line rows; refs made unique within the file, problems collected."""
    problems: list[FileError] = []
    result: list[list[dict[str, Any]]] = []
    seen: dict[tuple[str, str, date | None, int], int] = {}
    for s_index, statement in enumerate(statements):
        rows = []
        for l_index, line in enumerate(statement.lines):
            currency = line.currency or statement.currency
            where = f"statement {s_index + 1}, line {l_index + 1}"
            if not is_currency(currency):
                problems.append(FileError(l_index + 1, "currency", f"{where}: {currency!r}"))
                continue
            minor = to_minor(line.amount, currency)
            if minor is None:
                problems.append(FileError(l_index + 1, "amount", f"{where}: too many decimals"))
                continue
            ref = line.bank_ref or f"{statement.statement_id or 'S'}#{l_index + 1}"
            key = (statement.account, ref, line.booking_date, minor)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                ref = f"{ref}#{seen[key]}"
            rows.append(_line_row(line, statement.account, currency, ref, minor))
        result.append(rows)
    if problems:
        raise InvalidFile(path, problems)
    return result


def _known(
    uow: UnitOfWork, company_id: int, rows: Sequence[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """The (account, ref, date, amount) keys of these rows already stored."""
    known: set[tuple[Any, ...]] = set()
    columns = (
        BankLineRow.account,
        BankLineRow.bank_ref,
        BankLineRow.booking_date,
        BankLineRow.amount_minor,
    )
    refs = sorted({r["bank_ref"] for r in rows})
    for start in range(0, len(refs), CHUNK):
        part = refs[start : start + CHUNK]
        found = uow.session.execute(
            select(*columns).where(
                BankLineRow.company_id == company_id, BankLineRow.bank_ref.in_(part)
            )
        )
        known.update(tuple(row) for row in found)
    return known


def import_statement(
    uow: UnitOfWork,
    actor: Actor,
    data: bytes,
    path: str,
    csv_profile: ColumnMapping | None = None,
) -> ImportSummary:
    """Store a bank file's statements and the lines not seen before; nothing when it is bad."""
    actor.require(Permission.IMPORT_DATA)
    digest = file_hash(data)
    statements = parse_bank_file(data, path, csv_mapping=csv_profile)
    kind = detect_format(data)
    all_rows = _rows(path, statements)
    credits = sum(1 for rows in all_rows for r in rows if r["amount_minor"] > 0)
    total = sum(len(rows) for rows in all_rows)
    with uow:
        before = uow.session.scalar(
            select(BankStatement.id)
            .where(BankStatement.company_id == actor.company_id, BankStatement.file_hash == digest)
            .limit(1)
        )
        if before is not None:
            return ImportSummary(
                kind, len(statements), total, 0, total, credits, total - credits, True
            )
        now = uow.clock.now()
        statement_ids = insert_ids(
            uow.session,
            BankStatement,
            [
                {
                    "company_id": actor.company_id,
                    "file_hash": digest,
                    "position": i,
                    "file_name": path[-255:],
                    "format": kind,
                    "account": s.account[:60],
                    "currency": (s.currency or "")[:3],
                    "statement_id": s.statement_id[:120],
                    "statement_date": s.statement_date,
                    "imported_at": now,
                    "imported_by": actor.name,
                }
                for i, s in enumerate(statements)
            ],
        )
        flat = [r for rows in all_rows for r in rows]
        known = _known(uow, actor.company_id, flat)
        fresh = []
        for statement_id, rows in zip(statement_ids, all_rows, strict=True):
            for row in rows:
                key = (row["account"], row["bank_ref"], row["booking_date"], row["amount_minor"])
                if key not in known:
                    known.add(key)
                    fresh.append(
                        {**row, "company_id": actor.company_id, "statement_id": statement_id}
                    )
        insert_rows(uow.session, BankLineRow, fresh)
        summary = ImportSummary(
            kind,
            len(statements),
            total,
            len(fresh),
            total - len(fresh),
            credits,
            total - credits,
            False,
            tuple(statement_ids),
        )
        audit(
            uow,
            actor,
            "bank_statement.import",
            "bank_statement",
            statement_ids[0] if statement_ids else 0,
            {"file": path[-200:], "file_hash": digest, "new_lines": len(fresh)},
        )
        uow.publish(
            actor.company_id,
            "bank_statement.imported",
            {"file_hash": digest, "new_lines": len(fresh)},
        )
        uow.commit()
        return summary


def _remittance_rows(
    remittances: Sequence[Remittance], currency: str, path: str
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    problems: list[FileError] = []
    result = []
    for index, advice in enumerate(remittances):
        code = advice.currency or currency

        def minor(
            value: Decimal | None, what: str, code: str = code, index: int = index
        ) -> int | None:
            if value is None:
                return None
            found = to_minor(value, code) if is_currency(code) else None
            if found is None:
                problems.append(FileError(index + 1, what, f"{value} is not an amount in {code}"))
            return found

        head = {
            "source": advice.source[:20],
            "payer": advice.payer[:200],
            "payee": advice.payee[:200],
            "trace": advice.trace[:120],
            "amount_minor": minor(advice.payment_amount, "payment_amount") or 0,
            "currency": code,
            "payment_date": advice.payment_date,
        }
        items = [
            {
                "invoice_ref": item.invoice_ref[:120],
                "paid_minor": minor(item.paid, "paid") or 0,
                "invoice_amount_minor": minor(item.invoice_amount, "invoice_amount"),
                "discount_minor": minor(item.discount, "discount"),
                "adjustments": [
                    [str(a.amount) if a.amount is not None else None, a.reason_code, a.text]
                    for a in item.adjustments
                ],
                "ref_type": item.ref_type[:10],
                "references": [list(r) for r in item.references],
                "note": item.note[:500],
            }
            for item in advice.items
        ]
        result.append((head, items))
    if problems:
        raise InvalidFile(path, problems)
    return result


def import_remittance(uow: UnitOfWork, actor: Actor, data: bytes, path: str) -> RemittanceSummary:
    """Store a remittance advice (X12 820 or CSV); matching links it to its bank line."""
    actor.require(Permission.IMPORT_DATA)
    digest = file_hash(data)
    with uow:
        base = get_company(uow, actor.company_id).base_currency
        remittances = parse_remittance_file(data, path, base)
        rows = _remittance_rows(remittances, base, path)
        before = uow.session.scalar(
            select(RemittanceRow.id)
            .where(RemittanceRow.company_id == actor.company_id, RemittanceRow.file_hash == digest)
            .limit(1)
        )
        if before is not None:
            return RemittanceSummary(len(rows), sum(len(i) for _, i in rows), True)
        now = uow.clock.now()
        ids = insert_ids(
            uow.session,
            RemittanceRow,
            [
                {
                    **head,
                    "company_id": actor.company_id,
                    "file_hash": digest,
                    "position": i,
                    "imported_at": now,
                }
                for i, (head, _) in enumerate(rows)
            ],
        )
        insert_rows(
            uow.session,
            RemittanceItemRow,
            [
                {**item, "company_id": actor.company_id, "remittance_id": rid}
                for rid, (_, items) in zip(ids, rows, strict=True)
                for item in items
            ],
        )
        audit(
            uow,
            actor,
            "remittance.import",
            "remittance",
            ids[0] if ids else 0,
            {"file": path[-200:], "file_hash": digest, "remittances": len(ids)},
        )
        uow.commit()
        return RemittanceSummary(len(ids), sum(len(i) for _, i in rows))
