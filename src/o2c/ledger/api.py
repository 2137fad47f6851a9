"""The ledger's HTTP interface: reports, applications, write-offs, periods and rates.

Customers appear by their internal id here (the ledger sits below parties); the parties API
maps ids to codes.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.ledger.aging import DEFAULT_BUCKETS, parse_buckets
from o2c.ledger.reports import aging, customer_statement, open_items_on, trial_balance
from o2c.ledger.schemas import (
    AccountRead,
    AgingRead,
    AgingRowRead,
    ApplicationCreate,
    ApplicationRead,
    FxRateCreate,
    FxRateRead,
    OpenItemRead,
    PeriodClose,
    PeriodRead,
    ReversalCreate,
    ReversalRead,
    StatementRead,
    TrialBalanceRead,
    TrialBalanceRowRead,
    WriteOffCreate,
    WriteOffRead,
)
from o2c.ledger.service import (
    apply_items,
    close_period,
    list_accounts,
    reverse_application,
    set_fx_rate,
    write_off,
)
from o2c.security.model import Permission
from o2c.security.service import get_company

router = APIRouter(prefix="/ledger", tags=["ledger"])

AsOf = Annotated[date | None, Query(description="Report date; today when omitted")]
CSV_HEADER = ("customer_id", "currency", "bucket", "amount")


@router.get(
    "/aging",
    response_model=AgingRead,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Open balances by customer, currency and bucket of days past due",
)
def get_aging(
    uow: UowDep,
    actor: ActorDep,
    as_of: AsOf = None,
    buckets: Annotated[str, Query(description="e.g. current,1-30,31-60,61-90,90+")] = (
        DEFAULT_BUCKETS
    ),
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> AgingRead | Response:
    day = as_of or uow.clock.today()
    parsed = parse_buckets(buckets)
    rows = [AgingRowRead.of(row) for row in aging(uow, actor, day, parsed)]
    if output == "json":
        return AgingRead(as_of=day, buckets=[b.name for b in parsed], rows=rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((r.customer_id, r.currency, r.bucket, r.amount.amount) for r in rows)
    return Response(out.getvalue(), media_type="text/csv")


@router.get("/customers/{customer_id}/statement", summary="Statement of account")
def get_statement(
    uow: UowDep, actor: ActorDep, customer_id: int, start: date, end: date
) -> StatementRead:
    return StatementRead.of(customer_statement(uow, actor, customer_id, start, end))


@router.get("/trial-balance", summary="Balance of every account per currency")
def get_trial_balance(uow: UowDep, actor: ActorDep, as_of: AsOf = None) -> TrialBalanceRead:
    day = as_of or uow.clock.today()
    rows = trial_balance(uow, actor, day)
    with uow:
        base = get_company(uow, actor.company_id).base_currency
    return TrialBalanceRead(
        as_of=day, base_currency=base, rows=[TrialBalanceRowRead.of(r, base) for r in rows]
    )


@router.get("/open-items", summary="Items open on a date, with their open amount that day")
def get_open_items(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    customer_id: int | None = None,
    as_of: AsOf = None,
) -> Page[OpenItemRead]:
    items = open_items_on(uow, actor, as_of or uow.clock.today(), customer_id)
    window = items[page.offset : page.offset + page.limit]
    return Page.of([OpenItemRead.of(item) for item in window], len(items), page)


@router.get("/accounts", summary="The chart of accounts")
def get_accounts(uow: UowDep, actor: ActorDep) -> list[AccountRead]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return [AccountRead.of(a) for a in list_accounts(uow, actor.company_id)]


@router.post("/applications", status_code=status.HTTP_201_CREATED, summary="Settle open items")
def post_application(
    uow: UowDep, actor: ActorDep, body: ApplicationCreate, key: IdempotencyKeyDep = None
) -> ApplicationRead:
    """Retried with the same Idempotency-Key, answers the first result instead of applying twice."""

    def apply() -> int:
        [application_id] = apply_items(uow, actor, [body.command()])
        return application_id

    application_id = run_once(uow, actor.company_id, "ledger.application", key, body, apply)
    return ApplicationRead(id=application_id, **body.model_dump())


@router.post(
    "/applications/{application_id}/reverse",
    status_code=status.HTTP_201_CREATED,
    summary="Undo an application (a bounced payment, a wrong match)",
)
def post_reversal(
    uow: UowDep, actor: ActorDep, application_id: int, body: ReversalCreate
) -> ReversalRead:
    reversal_id = reverse_application(uow, actor, application_id, body.on)
    return ReversalRead(id=reversal_id, reverses_id=application_id, on=body.on)


@router.post("/write-offs", status_code=status.HTTP_201_CREATED, summary="Write off an item")
def post_write_off(
    uow: UowDep, actor: ActorDep, body: WriteOffCreate, key: IdempotencyKeyDep = None
) -> WriteOffRead:
    def write() -> int:
        return write_off(uow, actor, body.item_id, body.amount_minor, body.on, body.memo)

    application_id = run_once(uow, actor.company_id, "ledger.write_off", key, body, write)
    return WriteOffRead(application_id=application_id, **body.model_dump())


@router.post("/periods/close", summary="Lock the books through a date")
def post_period_close(uow: UowDep, actor: ActorDep, body: PeriodClose) -> PeriodRead:
    close_period(uow, actor, body.through)
    return PeriodRead(locked_through=body.through)


@router.post("/fx-rates", status_code=status.HTTP_201_CREATED, summary="Record an exchange rate")
def post_fx_rate(uow: UowDep, actor: ActorDep, body: FxRateCreate) -> FxRateRead:
    set_fx_rate(uow, actor, body.currency, body.valid_from, body.rate)
    return FxRateRead(currency=body.currency, valid_from=body.valid_from, rate=str(body.rate))
