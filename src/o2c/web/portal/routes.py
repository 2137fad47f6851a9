"""Every page of the portal under `/portal/`."""

from __future__ import annotations

from fastapi import APIRouter

from o2c.web.portal import account, cases, documents, ordering, paying, plans, session

router = APIRouter(prefix="/portal", include_in_schema=False)
for area in (session, documents, paying, plans, cases, account, ordering):
    router.include_router(area.router)
