"""`/cashapp`: upload bank files and advices, run matching, work the exception queue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, status

from o2c.cashapp.schemas import (
    AcceptSuggestion,
    IgnoreLine,
    ImportRead,
    LineRead,
    ManualMatch,
    MatchRead,
    MatchRequest,
    RemittanceRead,
)
from o2c.cashapp.service import (
    accept_suggestion,
    get_line,
    ignore,
    import_remittance,
    import_statement,
    match,
    match_manually,
    queue,
    split,
)
from o2c.cashapp.statements import to_minor
from o2c.db.deps import ActorDep, Page, PageParamsDep, UowDep
from o2c.kernel.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/cashapp", tags=["cash application"])

FileName = Annotated[str, Query(max_length=255, description="Name shown in errors")]
RAW = {
    "requestBody": {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    }
}


@router.post("/statements", status_code=status.HTTP_201_CREATED, openapi_extra=RAW)
async def upload_statement(
    request: Request, uow: UowDep, actor: ActorDep, filename: FileName = "statement"
) -> ImportRead:
    """Import a bank statement file (the raw bytes as the body); the format is detected."""
    data = await request.body()
    return ImportRead.of(import_statement(uow, actor, data, filename))


@router.post("/remittances", status_code=status.HTTP_201_CREATED, openapi_extra=RAW)
async def upload_remittance(
    request: Request, uow: UowDep, actor: ActorDep, filename: FileName = "remittance"
) -> RemittanceRead:
    """Import a remittance advice (X12 820 or CSV) as the raw body."""
    data = await request.body()
    return RemittanceRead.of(import_remittance(uow, actor, data, filename))


@router.post("/match")
def run_match(uow: UowDep, actor: ActorDep, body: Annotated[MatchRequest, Body()]) -> MatchRead:
    """Match every waiting line; apply what clears the threshold."""
    return MatchRead.of(match(uow, actor, body.as_of, body.threshold))


@router.get("/queue")
def get_queue(uow: UowDep, actor: ActorDep, page: PageParamsDep) -> Page[LineRead]:
    """Lines waiting for a person, largest first, with the engine's suggestions."""
    views, total = queue(uow, actor, page.limit, page.offset)
    return Page[LineRead].of([LineRead.of(v) for v in views], total, page)


@router.get("/lines/{line_id}")
def read_line(uow: UowDep, actor: ActorDep, line_id: int) -> LineRead:
    return LineRead.of(get_line(uow, actor, line_id))


@router.post("/lines/{line_id}/accept")
def accept(uow: UowDep, actor: ActorDep, line_id: int, body: AcceptSuggestion) -> LineRead:
    """Accept one of the line's suggestions (0: the best)."""
    accept_suggestion(uow, actor, line_id, body.index)
    return LineRead.of(get_line(uow, actor, line_id))


@router.post("/lines/{line_id}/match")
def match_line(uow: UowDep, actor: ActorDep, line_id: int, body: ManualMatch) -> LineRead:
    """Settle the line by hand (or split it across customers); the engine learns from it."""
    currency = get_line(uow, actor, line_id).line.currency
    parts = [
        (a.invoice_item_id, _minor(a.amount, currency, i)) for i, a in enumerate(body.allocations)
    ]
    (split if body.split else match_manually)(uow, actor, line_id, parts)
    return LineRead.of(get_line(uow, actor, line_id))


@router.post("/lines/{line_id}/ignore")
def ignore_line(uow: UowDep, actor: ActorDep, line_id: int, body: IgnoreLine) -> LineRead:
    ignore(uow, actor, line_id, body.reason)
    return LineRead.of(get_line(uow, actor, line_id))


def _minor(text: str, currency: str, index: int) -> int:
    try:
        minor = to_minor(Decimal(text), currency)
    except InvalidOperation:
        minor = None
    if minor is None:
        raise ValidationFailed(
            [FieldError(f"allocations[{index}].amount", f"not an amount in {currency}")]
        )
    return minor
