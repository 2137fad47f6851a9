"""`/fraud`: the review queue of fraud and billing-inconsistency alerts, reviews, scans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2c.db.deps import ActorDep, Page, PageParamsDep, UowDep
from o2c.fraud.model import AlertStatus, Rule
from o2c.fraud.schemas import AlertRead, ReviewIn, ScanIn, ScanRead
from o2c.fraud.service import AlertFilter, get_alert, list_alerts, review_alert, scan

router = APIRouter(prefix="/fraud", tags=["fraud"])


@router.get("/alerts", summary="The review queue, newest first")
def get_alerts(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    status: Annotated[AlertStatus | None, Query()] = None,
    rule: Annotated[Rule | None, Query()] = None,
    customer_id: Annotated[int | None, Query(ge=1)] = None,
) -> Page[AlertRead]:
    rows, total = list_alerts(
        uow, actor, AlertFilter(status, rule, customer_id), page.limit, page.offset
    )
    return Page.of([AlertRead.model_validate(row) for row in rows], total, page)


@router.get("/alerts/{alert_id}", summary="One alert with its evidence")
def get_one(uow: UowDep, actor: ActorDep, alert_id: int) -> AlertRead:
    return AlertRead.model_validate(get_alert(uow, actor, alert_id))


@router.post("/alerts/{alert_id}/review", summary="Confirm or dismiss an open alert")
def post_review(uow: UowDep, actor: ActorDep, alert_id: int, body: ReviewIn) -> AlertRead:
    return AlertRead.model_validate(review_alert(uow, actor, alert_id, body.decision, body.note))


@router.post("/scans", summary="Scan now and queue new alerts")
def post_scan(uow: UowDep, actor: ActorDep, body: ScanIn) -> ScanRead:
    return ScanRead.of(scan(uow, actor, body.as_of))
