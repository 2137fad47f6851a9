"""The rules as set-based queries: each reads the documents dated in the scan's window with a
few statements (self-joins on the keys a duplicate shares, one pass over the history) and
turns what it finds into `Finding`s. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from o2c.billing.tables import Invoice, InvoiceLine
from o2c.cashapp.tables import BankLineRow
from o2c.fraud.model import (
    Finding,
    Rule,
    Thresholds,
    compact_account,
    compact_reference,
    usual_amounts,
    within_days,
)
from o2c.kernel.money import Money
from o2c.parties.tables import CustomerBankAccount
from o2c.payments.tables import Payment, Refund
from o2c.security.tables import AuditRecord

BANK_CHANGES = ("bank_account.add", "bank_account.remove")
CHUNK = 5000  # ids per IN (...), below SQLite's bound-parameter limit


@dataclass(frozen=True)
class Window:
    """The documents a scan examines: dated from `since` through `as_of`."""

    company_id: int
    since: date
    as_of: date


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def duplicate_invoices(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """Two posted invoices to one customer for the same total within N days, with the same
    reference (PO number, letters and digits compared) or the same lines."""
    a, b = aliased(Invoice), aliased(Invoice)
    earliest = window.since - timedelta(days=t.duplicate_invoice_days)
    pairs = session.execute(
        select(a.id, b.id)
        .join(
            b,
            and_(
                b.company_id == a.company_id,
                b.customer_id == a.customer_id,
                b.currency == a.currency,
                b.total_minor == a.total_minor,
                b.kind == a.kind,
                b.status == a.status,
                b.id > a.id,
            ),
        )
        .where(
            a.company_id == window.company_id,
            a.kind == "invoice",
            a.status == "posted",
            a.issue_date.between(earliest, window.as_of),
            b.issue_date.between(window.since, window.as_of),
        )
    ).all()
    if not pairs:
        return []
    ids = sorted({i for pair in pairs for i in pair})
    invoices = {row.id: row for row in _invoices(session, ids)}
    lines = _line_signatures(session, ids)
    findings = []
    for first_id, second_id in pairs:
        first, second = invoices[first_id], invoices[second_id]
        if not within_days(first.issue_date, second.issue_date, t.duplicate_invoice_days):
            continue
        reference = compact_reference(first.po_number)
        same_reference = bool(reference) and reference == compact_reference(second.po_number)
        same_lines = lines.get(first_id) == lines.get(second_id) and first_id in lines
        if same_reference or same_lines:
            findings.append(
                Finding(
                    Rule.DUPLICATE_INVOICE,
                    (f"invoice:{first_id}", f"invoice:{second_id}"),
                    f"{second.number} repeats {first.number}: "
                    f"{_amount(first.total_minor, first.currency)} "
                    f"{'same reference' if same_reference else 'same lines'}",
                    first.customer_id,
                    {
                        "invoices": [_invoice_evidence(first), _invoice_evidence(second)],
                        "same_reference": same_reference,
                        "same_lines": same_lines,
                        "threshold_days": t.duplicate_invoice_days,
                    },
                )
            )
    return findings


def _invoices(session: Session, ids: Sequence[int]) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(ids):
        rows += session.execute(
            select(
                Invoice.id,
                Invoice.number,
                Invoice.customer_id,
                Invoice.currency,
                Invoice.total_minor,
                Invoice.issue_date,
                Invoice.po_number,
            ).where(Invoice.id.in_(chunk))
        ).all()
    return rows


def _line_signatures(session: Session, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """Per invoice: line count, net sum and the first and last description."""
    found: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(
            select(
                InvoiceLine.invoice_id,
                func.count(),
                func.sum(InvoiceLine.net_minor),
                func.min(InvoiceLine.description),
                func.max(InvoiceLine.description),
            )
            .where(InvoiceLine.invoice_id.in_(chunk))
            .group_by(InvoiceLine.invoice_id)
        ):
            found[row[0]] = tuple(row[1:])
    return found


def _invoice_evidence(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "amount": _amount(row.total_minor, row.currency),
        "issue_date": row.issue_date.isoformat(),
        "reference": row.po_number,
    }


def duplicate_payments(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """Two payments from one customer for the same amount and reference within N days."""
    a, b = aliased(Payment), aliased(Payment)
    earliest = window.since - timedelta(days=t.duplicate_payment_days)
    rows = session.execute(
        select(a, b)
        .join(
            b,
            and_(
                b.company_id == a.company_id,
                b.customer_id == a.customer_id,
                b.currency == a.currency,
                b.amount_minor == a.amount_minor,
                b.reference == a.reference,
                b.id > a.id,
            ),
        )
        .where(
            a.company_id == window.company_id,
            a.reference.is_not(None),
            a.reference != "",
            a.received_on.between(earliest, window.as_of),
            b.received_on.between(window.since, window.as_of),
        )
    ).all()
    return [
        Finding(
            Rule.DUPLICATE_PAYMENT,
            (f"payment:{first.id}", f"payment:{second.id}"),
            f"{second.number} repeats {first.number}: "
            f"{_amount(first.amount_minor, first.currency)} ref {first.reference}",
            first.customer_id,
            {
                "payments": [_payment_evidence(first), _payment_evidence(second)],
                "threshold_days": t.duplicate_payment_days,
            },
        )
        for first, second in rows
        if within_days(first.received_on, second.received_on, t.duplicate_payment_days)
    ]


def _payment_evidence(row: Payment) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "amount": _amount(row.amount_minor, row.currency),
        "received_on": row.received_on.isoformat(),
        "reference": row.reference,
        "bank_reference": row.bank_reference,
    }


def duplicate_bank_lines(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """Two credits on our statements from one payer account for the same amount and
    remittance text within N days, under different bank references."""
    a, b = aliased(BankLineRow), aliased(BankLineRow)
    earliest = window.since - timedelta(days=t.duplicate_payment_days)
    rows = session.execute(
        select(a, b)
        .join(
            b,
            and_(
                b.company_id == a.company_id,
                b.counterparty_account == a.counterparty_account,
                b.currency == a.currency,
                b.amount_minor == a.amount_minor,
                b.remittance_text == a.remittance_text,
                b.is_reversal == a.is_reversal,
                b.id > a.id,
            ),
        )
        .where(
            a.company_id == window.company_id,
            a.amount_minor > 0,
            a.is_reversal.is_(False),
            a.counterparty_account != "",
            a.remittance_text != "",
            a.booking_date.between(earliest, window.as_of),
            b.booking_date.between(window.since, window.as_of),
        )
    ).all()
    return [
        Finding(
            Rule.DUPLICATE_BANK_LINE,
            (f"bank_line:{first.id}", f"bank_line:{second.id}"),
            f"bank lines {first.bank_ref} and {second.bank_ref}: "
            f"{_amount(first.amount_minor, first.currency)} twice from one account",
            first.customer_id or second.customer_id,
            {
                "bank_lines": [_bank_line_evidence(first), _bank_line_evidence(second)],
                "threshold_days": t.duplicate_payment_days,
            },
        )
        for first, second in rows
        if first.booking_date is not None
        and second.booking_date is not None
        and within_days(first.booking_date, second.booking_date, t.duplicate_payment_days)
    ]


def _bank_line_evidence(row: BankLineRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "bank_ref": row.bank_ref,
        "amount": _amount(row.amount_minor, row.currency),
        "booking_date": None if row.booking_date is None else row.booking_date.isoformat(),
        "payer": row.counterparty_name,
        "payer_account": row.counterparty_account,
        "remittance": row.remittance_text,
        "payment_id": row.payment_id,
    }


def _refunds(session: Session, window: Window) -> list[Refund]:
    return list(
        session.scalars(
            select(Refund)
            .where(
                Refund.company_id == window.company_id,
                Refund.refunded_on.between(window.since, window.as_of),
            )
            .order_by(Refund.id)
        )
    )


def bank_changes_before_refunds(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """A refund paid within N days after the customer's bank accounts were changed: the
    classic diversion is to change the account, then ask for a refund."""
    refunds = _refunds(session, window)
    if not refunds:
        return []
    start = datetime.combine(window.since - timedelta(days=t.bank_change_days), time(), UTC)
    changes: dict[str, list[AuditRecord]] = defaultdict(list)
    for record in session.scalars(
        select(AuditRecord)
        .where(
            AuditRecord.company_id == window.company_id,
            AuditRecord.entity == "customer",
            AuditRecord.action.in_(BANK_CHANGES),
            AuditRecord.at >= start,
        )
        .order_by(AuditRecord.at)
    ):
        changes[record.entity_id].append(record)
    findings = []
    for refund in refunds:
        recent = [
            c
            for c in changes.get(str(refund.customer_id), [])
            if 0 <= (refund.refunded_on - c.at.date()).days <= t.bank_change_days
        ]
        if recent:
            findings.append(
                Finding(
                    Rule.BANK_CHANGE_BEFORE_REFUND,
                    (f"refund:{refund.id}",),
                    f"{refund.number} ({_amount(refund.amount_minor, refund.currency)}) "
                    f"{(refund.refunded_on - recent[-1].at.date()).days} days after a bank "
                    "account change",
                    refund.customer_id,
                    {
                        "refund": _refund_evidence(refund),
                        "bank_changes": [
                            {
                                "at": c.at.isoformat(),
                                "action": c.action,
                                "by": c.actor,
                                "iban": c.data.get("iban"),
                            }
                            for c in recent
                        ],
                        "threshold_days": t.bank_change_days,
                    },
                )
            )
    return findings


def _refund_evidence(row: Refund) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "amount": _amount(row.amount_minor, row.currency),
        "refunded_on": row.refunded_on.isoformat(),
        "payment_id": row.payment_id,
        "credit_note_id": row.credit_note_id,
        "to_account": row.to_account,
    }


def refunds_to_other_accounts(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """A refund sent to an account other than the one its payment came from (or, for a
    credit note's refund, to none of the customer's known accounts)."""
    refunds = [r for r in _refunds(session, window) if r.to_account]
    if not refunds:
        return []
    payment_ids = sorted({r.payment_id for r in refunds if r.payment_id is not None})
    customer_ids = sorted({r.customer_id for r in refunds})
    paid_from: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(payment_ids):
        for payment_id, account in session.execute(
            select(BankLineRow.payment_id, BankLineRow.counterparty_account).where(
                BankLineRow.company_id == window.company_id,
                BankLineRow.payment_id.in_(chunk),
                BankLineRow.counterparty_account != "",
            )
        ):
            if payment_id is not None:
                paid_from[payment_id].add(compact_account(account))
    registered: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(customer_ids):
        for customer_id, iban in session.execute(
            select(CustomerBankAccount.customer_id, CustomerBankAccount.iban).where(
                CustomerBankAccount.company_id == window.company_id,
                CustomerBankAccount.customer_id.in_(chunk),
            )
        ):
            registered[customer_id].add(compact_account(iban))
    findings = []
    for refund in refunds:
        if refund.payment_id is not None and paid_from.get(refund.payment_id):
            known, basis = paid_from[refund.payment_id], "the account the payment came from"
        else:
            known, basis = registered.get(refund.customer_id, set()), "the customer's accounts"
        if compact_account(refund.to_account) in known:
            continue
        findings.append(
            Finding(
                Rule.REFUND_TO_OTHER_ACCOUNT,
                (f"refund:{refund.id}",),
                f"{refund.number} ({_amount(refund.amount_minor, refund.currency)}) "
                f"goes to an account other than {basis}",
                refund.customer_id,
                {
                    "refund": _refund_evidence(refund),
                    "compared_with": basis,
                    "known_accounts": sorted(known),
                },
            )
        )
    return findings


def unusual_invoice_amounts(session: Session, window: Window, t: Thresholds) -> list[Finding]:
    """An invoice far from the customer's usual amounts: more than `outlier_score` robust
    deviations from the median of the invoices before the window (at least `min_history`)."""
    candidates = session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Invoice.currency,
            Invoice.total_minor,
            Invoice.issue_date,
            Invoice.po_number,
        )
        .where(
            Invoice.company_id == window.company_id,
            Invoice.kind == "invoice",
            Invoice.status == "posted",
            Invoice.issue_date.between(window.since, window.as_of),
        )
        .order_by(Invoice.id)
    ).all()
    if not candidates:
        return []
    recent = aliased(Invoice)
    in_window = (
        select(recent.customer_id)
        .where(
            recent.company_id == window.company_id,
            recent.kind == "invoice",
            recent.status == "posted",
            recent.issue_date.between(window.since, window.as_of),
        )
        .distinct()
    )
    history: dict[tuple[int, str], list[int]] = defaultdict(list)
    for customer_id, currency, total in session.execute(
        select(Invoice.customer_id, Invoice.currency, Invoice.total_minor).where(
            Invoice.company_id == window.company_id,
            Invoice.kind == "invoice",
            Invoice.status == "posted",
            Invoice.issue_date < window.since,
            Invoice.customer_id.in_(in_window),
        )
    ):
        history[(customer_id, currency)].append(total)
    usual = {
        key: usual_amounts(amounts)
        for key, amounts in history.items()
        if len(amounts) >= t.min_history
    }
    findings = []
    for row in candidates:
        stats = usual.get((row.customer_id, row.currency))
        if stats is None:
            continue
        score = stats.score(row.total_minor, t.min_relative_spread)
        if score > t.outlier_score:
            median = _amount(int(stats.median_minor), row.currency)
            findings.append(
                Finding(
                    Rule.UNUSUAL_INVOICE_AMOUNT,
                    (f"invoice:{row.id}",),
                    f"{row.number}: {_amount(row.total_minor, row.currency)} against a usual "
                    f"{median} ({score:.1f} robust deviations)",
                    row.customer_id,
                    {
                        "invoice": _invoice_evidence(row),
                        "history_count": stats.count,
                        "median": median,
                        "mad_minor": str(stats.mad_minor),
                        "score": f"{score:.2f}",
                        "threshold_score": str(t.outlier_score),
                        "min_history": t.min_history,
                    },
                )
            )
    return findings


RULES = (
    duplicate_invoices,
    duplicate_payments,
    duplicate_bank_lines,
    bank_changes_before_refunds,
    refunds_to_other_accounts,
    unusual_invoice_amounts,
)
