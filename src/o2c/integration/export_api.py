"""`GET /export/{entity}?format=csv|json`: a company's customers, invoices, journal... streamed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from o2c.db.deps import ActorDep, UowDep
from o2c.integration.exports import ENTITIES, export_chunks

router = APIRouter(prefix="/export", tags=["exports"])
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get(
    "/{entity}",
    summary="Every row of an entity of the company, as CSV or JSON",
    description="Entities: " + ", ".join(sorted(ENTITIES)),
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def get_export(
    uow: UowDep,
    actor: ActorDep,
    entity: str,
    file_format: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
) -> StreamingResponse:
    chunks = export_chunks(uow, actor, entity, file_format)
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{entity}.{file_format}"'},
    )
