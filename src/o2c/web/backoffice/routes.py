"""The back office under /app: every page's router, behind staff sign-in."""

from __future__ import annotations

from fastapi import APIRouter

from o2c.web.backoffice import (
    cashapp,
    collections,
    credit,
    dashboard,
    disputes,
    documents,
    masterdata,
    session,
    strategy,
)

router = APIRouter(prefix="/app", include_in_schema=False)
for module in (
    session,
    dashboard,
    collections,
    cashapp,
    disputes,
    credit,
    documents,
    masterdata,
    strategy,
):
    router.include_router(module.router)
