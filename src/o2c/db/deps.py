"""The seams every domain's API and CLI use, wired by the composition root (`o2c.app`).

Routers declare `uow: UowDep, actor: ActorDep` and never build engines or identify callers
themselves; `o2c.app.api.create_app` overrides `get_uow` and `get_actor`. Typer commands get
the same two things from `context_of(ctx.obj)`. FastAPI is imported here, in the storage
layer, on purpose: this is the one seam every domain's `api.py` shares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Generic, Protocol, TypeVar, runtime_checkable

from fastapi import Depends, Header, Query
from pydantic import AfterValidator, BaseModel
from sqlalchemy.exc import IntegrityError

from o2c.db.idempotency import previous_result, remember_result
from o2c.db.uow import UnitOfWork
from o2c.kernel.currency import is_currency
from o2c.kernel.money import Money
from o2c.security.model import Actor

T = TypeVar("T")

MAX_PAGE = 500


def get_uow() -> UnitOfWork:
    """A fresh unit of work per request (overridden by `o2c.app`)."""
    raise RuntimeError("wired by o2c.app")


def get_actor() -> Actor:
    """The authenticated caller and its company (overridden by `o2c.app`)."""
    raise RuntimeError("wired by o2c.app")


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ActorDep = Annotated[Actor, Depends(get_actor)]
IdempotencyKeyDep = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


class PageParams:
    """Window over a listing: `limit` rows starting at `offset` (query parameters)."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PageParamsDep = Annotated[PageParams, Depends(PageParams)]


class Page(BaseModel, Generic[T]):
    """One window of a listing plus the total count, so clients can page without guessing."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams) -> Page[T]:
        return cls(items=items, total=total, limit=params.limit, offset=params.offset)


def known_currency(code: str) -> str:
    """An ISO 4217 code `Money` knows, else a validation error (422), never a 500 later."""
    if not is_currency(code):
        raise ValueError(f"unknown currency {code!r}")
    return code


KnownCurrency = Annotated[str, AfterValidator(known_currency)]


class MoneyOut(BaseModel):
    """Money on the wire: a decimal string at the currency's minor unit, never a float."""

    amount: str
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=str(money.amount), currency=money.currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> MoneyOut:
        return cls.of(Money.from_minor(minor, currency))

    def to_money(self) -> Money:
        return Money(Decimal(self.amount), self.currency)


def run_once(
    uow: UnitOfWork,
    company_id: int,
    scope: str,
    key: str | None,
    request: BaseModel,
    command: Callable[[], int],
) -> int:
    """Run `command` (a service call returning the id it created) at most once per key.

    The key is stored in the same transaction as the command's change, so a retry after a
    lost response replays the first result; the same key with another body raises
    `IdempotencyMismatch`. Without a key the command simply runs.
    """
    if key is None:
        return command()
    fingerprint = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    try:
        with uow:
            previous = previous_result(uow.session, company_id, scope, key, fingerprint)
            if previous is not None:
                return previous
            result = command()
            remember_result(
                uow.session, company_id, scope, key, fingerprint, result, uow.clock.now()
            )
            uow.commit()
            return result
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its result.
        with uow:
            previous = previous_result(uow.session, company_id, scope, key, fingerprint)
        if previous is None:
            raise
        return previous


@runtime_checkable
class CommandContext(Protocol):
    """What the `o2c` CLI hands every domain command through Typer's `ctx.obj`."""

    def uow(self) -> UnitOfWork: ...

    def actor(self) -> Actor: ...


def context_of(obj: object) -> CommandContext:
    """The CLI context of a command; fails loudly if the command runs outside `o2c`."""
    if not isinstance(obj, CommandContext):
        raise RuntimeError("wired by o2c.app")
    return obj
