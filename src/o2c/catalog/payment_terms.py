"""Payment-term use cases (service level; `catalog.service` re-exports the public ones).

Terms are looked up by code the way users type them: "net 30" finds NET30. Codes that are not
yet terms but can be read (NET45, 3/15NET60) become terms on demand in `ensure_payment_terms`,
which is what the customer import uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from dataclasses import replace

from sqlalchemy import insert, select

from o2c.catalog.model import PaymentTerm, TermBasis, plain
from o2c.catalog.tables import PaymentTerm as PaymentTermRow
from o2c.catalog.terms import TermCodeError, parse_term_code, term_problems
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit


def _term(row: PaymentTermRow) -> PaymentTerm:
    return PaymentTerm(
        code=row.code,
        name=row.name,
        basis=TermBasis(row.basis),
        days=row.days,
        discount_days=row.discount_days,
        discount_percent=None if row.discount_percent is None else plain(row.discount_percent),
        id=row.id,
    )


def create_payment_term(uow: UnitOfWork, actor: Actor, term: PaymentTerm | str) -> PaymentTerm:
    """Add a payment term, given whole or as a code to parse ("NET45", "2/10NET30").

    A term given whole may carry its own code and name ("STANDARD"); its rule is checked the
    same way as a parsed one.
    """
    [created] = create_payment_terms(uow, actor, [term])
    return created


def create_payment_terms(
    uow: UnitOfWork, actor: Actor, terms: Sequence[PaymentTerm | str]
) -> list[PaymentTerm]:
    """Add several terms in one change, all or none (every problem reported together)."""
    actor.require(Permission.MASTER_DATA_WRITE)
    parsed: list[PaymentTerm] = []
    errors: list[FieldError] = []
    for given in terms:
        try:
            term = parse_term_code(given) if isinstance(given, str) else given
        except TermCodeError as exc:
            errors.append(FieldError("code", exc.reason))
            continue
        errors += _term_problems(term)
        parsed.append(term)
    with uow:
        existing = set(
            uow.session.scalars(
                select(PaymentTermRow.code).where(
                    PaymentTermRow.company_id == actor.company_id,
                    PaymentTermRow.code.in_([t.code for t in parsed]),
                )
            )
        )
        errors += [
            FieldError("code", f"{t.code!r} already exists") for t in parsed if t.code in existing
        ]
        if len({t.code for t in parsed}) < len(parsed):
            errors.append(FieldError("code", "the same code is given twice"))
        if errors:
            raise ValidationFailed(errors)
        if not parsed:
            return []
        ids = uow.session.scalars(
            insert(PaymentTermRow).returning(PaymentTermRow.id, sort_by_parameter_order=True),
            [_term_row(actor.company_id, t) for t in parsed],
        )
        created = [replace(t, id=term_id) for t, term_id in zip(parsed, ids, strict=True)]
        for term in created:
            audit(uow, actor, "payment_term.create", "payment_term", term.id, _term_data(term))
            uow.publish(
                actor.company_id, "payment_term.created", {"id": term.id, "code": term.code}
            )
        uow.commit()
        return created


def _term_row(company_id: int, term: PaymentTerm) -> dict[str, object]:
    return {
        "company_id": company_id,
        "code": term.code,
        "name": term.name,
        "basis": term.basis.value,
        "days": term.days,
        "discount_days": term.discount_days,
        "discount_percent": term.discount_percent,
    }


def _term_problems(term: PaymentTerm) -> list[FieldError]:
    errors = term_problems(term.basis, term.days, term.discount_days, term.discount_percent)
    if not term.code.strip() or term.code != term.code.strip() or len(term.code) > 30:
        errors.append(FieldError("code", "must be 1 to 30 characters without surrounding spaces"))
    if not term.name.strip() or len(term.name) > 120:
        errors.append(FieldError("name", "must be 1 to 120 characters"))
    return errors


def _term_data(term: PaymentTerm) -> dict[str, object]:
    return {
        "code": term.code,
        "basis": term.basis.value,
        "days": term.days,
        "discount_days": term.discount_days,
        "discount_percent": None if term.discount_percent is None else str(term.discount_percent),
    }


def get_payment_term(uow: UnitOfWork, company_id: int, term_id: int) -> PaymentTerm:
    with uow:
        row = owned(uow.session, PaymentTermRow, company_id, term_id, "payment term")
        return _term(row)


def find_payment_term(uow: UnitOfWork, company_id: int, code: str) -> PaymentTerm:
    """The term with this code, written exactly or in canonical form ("net 30" finds NET30)."""
    found = find_payment_terms(uow, company_id, [code])
    if code not in found:
        raise NotFound("payment term", code)
    return found[code]


def find_payment_terms(
    uow: UnitOfWork, company_id: int, codes: Collection[str]
) -> dict[str, PaymentTerm]:
    """The terms among `codes` that exist, keyed by the code as given (exact or canonical)."""
    candidates: dict[str, list[str]] = {}
    for code in codes:
        candidates[code] = [code]
        with contextlib.suppress(TermCodeError):
            candidates[code].append(parse_term_code(code).code)
    wanted = sorted({c for cs in candidates.values() for c in cs})
    if not wanted:
        return {}
    with uow:
        rows = {
            row.code: _term(row)
            for row in uow.session.scalars(
                select(PaymentTermRow).where(
                    PaymentTermRow.company_id == company_id, PaymentTermRow.code.in_(wanted)
                )
            )
        }
    return {
        code: next(rows[c] for c in options if c in rows)
        for code, options in candidates.items()
        if any(c in rows for c in options)
    }


def list_payment_terms(uow: UnitOfWork, company_id: int) -> list[PaymentTerm]:
    with uow:
        rows = uow.session.scalars(
            select(PaymentTermRow)
            .where(PaymentTermRow.company_id == company_id)
            .order_by(PaymentTermRow.code)
        )
        return [_term(row) for row in rows]


def ensure_payment_terms(uow: UnitOfWork, actor: Actor, codes: Collection[str]) -> dict[str, int]:
    """Term ids for `codes`, creating the missing ones from their code (NET45 → net 45 days).

    Each code resolves as `find_payment_term` does; the missing ones are created in one change
    or, if any cannot be read, none (ValidationFailed names them all).
    """
    actor.require(Permission.MASTER_DATA_WRITE)
    with uow:
        found = find_payment_terms(uow, actor.company_id, codes)
        canonical: dict[str, str] = {}
        errors: list[FieldError] = []
        for code in codes:
            if code in found:
                continue
            try:
                canonical[code] = parse_term_code(code).code
            except TermCodeError as exc:
                errors.append(FieldError("payment_term", exc.reason))
        if errors:
            raise ValidationFailed(errors)
        created = create_payment_terms(uow, actor, sorted(set(canonical.values())))
        by_code = {term.code: term for term in created}
        result = {code: term.id for code, term in found.items()}
        result |= {code: by_code[canon].id for code, canon in canonical.items()}
        uow.commit()
        return {code: term_id for code, term_id in result.items() if term_id is not None}


class PaymentTermMaker:
    """Lets the customer import (in parties, below catalog) create terms such as NET45.

    The caller that wires both domains passes it in, so parties never imports catalog.
    """

    def problem(self, code: str) -> str | None:
        """Why `code` cannot become a payment term, or None."""
        try:
            parse_term_code(code)
        except TermCodeError as exc:
            return exc.reason
        return None

    def create(self, uow: UnitOfWork, actor: Actor, codes: Collection[str]) -> dict[str, int]:
        return ensure_payment_terms(uow, actor, codes)
