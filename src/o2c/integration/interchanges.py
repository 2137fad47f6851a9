"""Reading the EDI record: trading partners and the interchanges sent to and received from them.

Interchanges are listed without their content (which can be large); one interchange is read
whole, so an operator can resend or inspect exactly the bytes that went out or came in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.integration.tables import EdiInterchange, EdiPartner
from o2c.security.model import Actor, Permission


@dataclass(frozen=True)
class InterchangeFilter:
    partner_id: int | None = None
    direction: str | None = None
    document_type: str | None = None
    limit: int = 50
    offset: int = 0


def list_partners(
    uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[EdiPartner], int]:
    """The company's trading partners in the order they were registered, and their count."""
    actor.require(Permission.LEDGER_READ)
    where = EdiPartner.company_id == actor.company_id
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(EdiPartner).where(where))
        rows = uow.session.scalars(
            select(EdiPartner).where(where).order_by(EdiPartner.id).limit(limit).offset(offset)
        ).all()
        return list(rows), total or 0


def list_interchanges(
    uow: UnitOfWork, actor: Actor, where: InterchangeFilter
) -> tuple[list[EdiInterchange], int]:
    """Interchanges newest first, narrowed by partner, direction and transaction set."""
    actor.require(Permission.LEDGER_READ)
    conditions: list[ColumnElement[bool]] = [EdiInterchange.company_id == actor.company_id]
    if where.partner_id is not None:
        conditions.append(EdiInterchange.partner_id == where.partner_id)
    if where.direction is not None:
        conditions.append(EdiInterchange.direction == where.direction)
    if where.document_type is not None:
        conditions.append(EdiInterchange.document_type == where.document_type)
    with uow:
        total = uow.session.scalar(
            select(func.count()).select_from(EdiInterchange).where(*conditions)
        )
        rows = uow.session.scalars(
            select(EdiInterchange)
            .where(*conditions)
            .order_by(EdiInterchange.id.desc())
            .limit(where.limit)
            .offset(where.offset)
        ).all()
        return list(rows), total or 0


def get_interchange(uow: UnitOfWork, actor: Actor, interchange_id: int) -> EdiInterchange:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, EdiInterchange, actor.company_id, interchange_id, "interchange")


def get_partner(uow: UnitOfWork, actor: Actor, partner_id: int) -> EdiPartner:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return owned(uow.session, EdiPartner, actor.company_id, partner_id, "EDI partner")
