"""Collections over HTTP: strategies, runs, actions, worklist, promises, calls, timeline."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from o2c.collections.delivery import queue_mails
from o2c.collections.model import PromiseCreate
from o2c.collections.policy import parse_strategy
from o2c.collections.promises import cancel_promise, list_promises, record_promise
from o2c.collections.reading import ACTIONS_HEADER, action_rows, actions_of
from o2c.collections.running import run_dunning
from o2c.collections.schemas import (
    ActionRead,
    AssignIn,
    CallIn,
    NoteIn,
    PromiseIn,
    PromiseRead,
    RunIn,
    RunRead,
    SimulatedActionRead,
    SimulationIn,
    StrategyCheck,
    StrategyRead,
    TaskRead,
    TimelineEntryRead,
    WorklistRowRead,
)
from o2c.collections.service import (
    activate_strategy,
    current_strategy,
    list_strategies,
    load_strategy,
)
from o2c.collections.simulation import simulate
from o2c.collections.timeline import customer_timeline
from o2c.collections.worklist import add_note, assign_collector, log_call, worklist
from o2c.db.deps import ActorDep, MoneyOut, UowDep
from o2c.kernel.money import Money

router = APIRouter(prefix="/collections", tags=["collections"])
AsOf = Annotated[date | None, Query(description="Day; today when omitted")]


def _strategy(v: Any) -> StrategyRead:
    return StrategyRead(
        version=v.version,
        name=v.name,
        active=v.active,
        created_at=v.created_at,
        created_by=v.created_by,
        document=v.document,
    )


@router.get("/strategy", response_model=StrategyRead, summary="The active strategy")
def get_strategy(uow: UowDep, actor: ActorDep) -> StrategyRead:
    return _strategy(current_strategy(uow, actor)[0])


@router.get("/strategies", response_model=list[StrategyRead], summary="Every strategy version")
def get_strategies(uow: UowDep, actor: ActorDep) -> list[StrategyRead]:
    return [_strategy(v) for v in list_strategies(uow, actor)]


@router.post(
    "/strategies",
    response_model=StrategyRead,
    status_code=status.HTTP_201_CREATED,
    summary="Load a strategy (the YAML file's structure) as the new active version",
)
def post_strategy(uow: UowDep, actor: ActorDep, body: dict[str, Any]) -> StrategyRead:
    return _strategy(load_strategy(uow, actor, body))


@router.post(
    "/strategies/validate",
    response_model=StrategyCheck,
    summary="Check a strategy; 422 names every bad field by its path",
)
def post_validate(body: dict[str, Any]) -> StrategyCheck:
    policy = parse_strategy(body)
    return StrategyCheck(
        valid=True, segments=len(policy.segments), steps=sum(len(s.steps) for s in policy.segments)
    )


@router.post("/strategies/{version}/activate", response_model=StrategyRead)
def post_activate(uow: UowDep, actor: ActorDep, version: int) -> StrategyRead:
    return _strategy(activate_strategy(uow, actor, version))


@router.post("/runs", response_model=RunRead, summary="Run the day's dunning (idempotent)")
def post_run(uow: UowDep, actor: ActorDep, body: RunIn) -> RunRead:
    day = body.as_of or uow.clock.today()
    report = run_dunning(uow, actor, day)
    queued = queue_mails(uow, actor, day) if body.mail else 0
    return RunRead(
        as_of=day,
        run_id=report.run_id,
        strategy_version=report.strategy_version,
        customers=report.customers,
        actions=report.actions,
        by_kind=report.by_kind,
        promises_kept=report.promises_kept,
        promises_broken=report.promises_broken,
        mails_queued=queued,
    )


@router.get(
    "/actions",
    response_model=list[ActionRead],
    responses={200: {"content": {"text/csv": {}}}},
    summary="The actions of a day",
)
def get_actions(
    uow: UowDep,
    actor: ActorDep,
    as_of: AsOf = None,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> list[ActionRead] | Response:
    day = as_of or uow.clock.today()
    if output == "json":
        return [ActionRead.of(a) for a in actions_of(uow, actor, day)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACTIONS_HEADER)
    writer.writerows(action_rows(uow, actor, day))
    return Response(out.getvalue(), media_type="text/csv")


@router.get(
    "/worklist", response_model=list[WorklistRowRead], summary="Customers to call, best first"
)
def get_worklist(
    uow: UowDep,
    actor: ActorDep,
    as_of: AsOf = None,
    collector: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[WorklistRowRead]:
    rows = worklist(uow, actor, as_of or uow.clock.today(), collector, limit)
    return [
        WorklistRowRead(
            customer_id=r.customer_id,
            code=r.code,
            name=r.name,
            collector=r.collector,
            risk_class=r.risk_class,
            overdue_base_minor=r.overdue_base_minor,
            oldest_days=r.oldest_days,
            average_days=r.average_days,
            value=r.value,
            tasks=[TaskRead(id=t.id, kind=t.kind, due_on=t.due_on, note=t.note) for t in r.tasks],
        )
        for r in rows
    ]


@router.post("/assignments", summary="Give customers to a collector")
def post_assignment(uow: UowDep, actor: ActorDep, body: AssignIn) -> dict[str, int]:
    return {"assigned": assign_collector(uow, actor, body.customer_ids, body.collector)}


def _promise(p: Any, numbers: list[str]) -> PromiseRead:
    return PromiseRead(
        id=p.id,
        customer_id=p.customer_id,
        invoice_numbers=numbers,
        amount=MoneyOut.of(Money.from_minor(p.amount_minor, p.currency)),
        paid=MoneyOut.of(Money.from_minor(p.paid_minor, p.currency)),
        made_on=p.made_on,
        pay_by=p.pay_by,
        grace_days=p.grace_days,
        status=p.status,
        resolved_on=p.resolved_on,
    )


@router.post("/promises", response_model=PromiseRead, status_code=status.HTTP_201_CREATED)
def post_promise(uow: UowDep, actor: ActorDep, body: PromiseIn) -> PromiseRead:
    made = record_promise(
        uow,
        actor,
        PromiseCreate(
            body.customer_id,
            tuple(body.invoice_item_ids),
            Money(body.amount, body.currency).minor,
            body.currency,
            body.pay_by,
            body.note,
            body.grace_days,
        ),
    )
    [(promise, numbers)] = [
        (p, n) for p, n in list_promises(uow, actor, body.customer_id) if p.id == made.id
    ]
    return _promise(promise, numbers)


@router.get("/promises", response_model=list[PromiseRead])
def get_promises(
    uow: UowDep,
    actor: ActorDep,
    customer_id: int | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> list[PromiseRead]:
    return [_promise(p, n) for p, n in list_promises(uow, actor, customer_id, status_)]


@router.post("/promises/{promise_id}/cancel", response_model=PromiseRead)
def post_cancel(uow: UowDep, actor: ActorDep, promise_id: int, body: NoteIn) -> PromiseRead:
    cancelled = cancel_promise(uow, actor, promise_id, body.note)
    return _promise(cancelled, [])


@router.post("/customers/{customer_id}/calls", status_code=status.HTTP_204_NO_CONTENT)
def post_call(uow: UowDep, actor: ActorDep, customer_id: int, body: CallIn) -> Response:
    log_call(uow, actor, customer_id, body.outcome, body.note, body.task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/customers/{customer_id}/notes", status_code=status.HTTP_204_NO_CONTENT)
def post_note(uow: UowDep, actor: ActorDep, customer_id: int, body: NoteIn) -> Response:
    add_note(uow, actor, customer_id, body.note)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/customers/{customer_id}/timeline",
    response_model=list[TimelineEntryRead],
    summary="Invoices, payments, mails, calls, notes, promises, disputes, actions",
)
def get_timeline(uow: UowDep, actor: ActorDep, customer_id: int) -> list[TimelineEntryRead]:
    return [
        TimelineEntryRead(at=e.at, kind=e.kind, summary=e.summary, ref=e.ref)
        for e in customer_timeline(uow, actor, customer_id)
    ]


@router.post(
    "/simulations",
    response_model=list[SimulatedActionRead],
    summary="Replay history under a strategy; writes nothing",
)
def post_simulation(uow: UowDep, actor: ActorDep, body: SimulationIn) -> list[SimulatedActionRead]:
    fired = simulate(uow, actor, parse_strategy(body.strategy), body.start, body.end)
    return [
        SimulatedActionRead(
            day=a.day,
            customer_id=a.customer_id,
            segment=a.segment,
            step=a.step,
            kind=a.kind,
            level=a.level,
            channel=a.channel,
            invoice_numbers=list(a.invoice_numbers),
            amount=MoneyOut.of(Money.from_minor(a.amount_minor, a.currency)),
        )
        for a in fired
    ]
