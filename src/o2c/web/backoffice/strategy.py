"""The collections strategy editor: the active YAML, a simulation over history, save, roll back.

A simulation replays the chosen days under the edited strategy and writes nothing, so it is
a POST that answers with the results page rather than a redirect.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, StaffActor
from o2c.collections.policy import read_strategy
from o2c.collections.service import (
    activate_strategy,
    current_strategy,
    list_strategies,
    load_strategy,
)
from o2c.collections.simulation import SimulatedAction, simulate
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, O2CError, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.web.backoffice.page import done, field_errors, money, page, refused
from o2c.web.charts import Series, stacked_bar_chart

router = APIRouter()
DEFAULT_DAYS = 30
SHOWN_ACTIONS = 200


def _editor(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    source: str | None = None,
    start: str = "",
    end: str = "",
    errors: dict[str, str] | None = None,
    actions: list[SimulatedAction] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = uow.clock.today()
    try:
        version, _ = current_strategy(uow, actor)
        active_source = version.source or yaml.safe_dump(version.document, sort_keys=False)
    except NotFound:
        version, active_source = None, ""
    context: dict[str, Any] = {
        "title": "Collections strategy",
        "active": version,
        "versions": list(reversed(list_strategies(uow, actor))),
        "source": active_source if source is None else source,
        "start": start or (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
        "end": end or today.isoformat(),
        "errors": errors or {},
        "actions": None,
        "can_manage": actor.can(Permission.STRATEGY_MANAGE),
    }
    if actions is not None:
        context |= _results(actions)
    return page(request, actor, "strategy.html", context, status_code)


def _results(actions: list[SimulatedAction]) -> dict[str, Any]:
    """The simulated actions, their count per kind and a chart of them per week."""
    weeks = sorted({a.day - timedelta(days=a.day.weekday()) for a in actions})
    kinds = sorted({a.kind for a in actions})
    counts = Counter((a.day - timedelta(days=a.day.weekday()), a.kind) for a in actions)
    chart = stacked_bar_chart(
        "Simulated actions per week",
        [w.strftime("%m-%d") for w in weeks],
        [Series(kind, [counts[w, kind] for w in weeks]) for kind in kinds],
    )
    return {
        "actions": [(a, money(a.amount_minor, a.currency)) for a in actions[:SHOWN_ACTIONS]],
        "action_total": len(actions),
        "by_kind": sorted(Counter(a.kind for a in actions).items()),
        "customers": len({a.customer_id for a in actions}),
        "chart": chart,
    }


@router.get("/strategy", response_class=HTMLResponse)
def strategy_page(request: Request, uow: UowDep, actor: StaffActor) -> HTMLResponse:
    return _editor(request, uow, actor)


def _days(start: str, end: str) -> tuple[date, date]:
    problems: list[FieldError] = []
    days: list[date] = []
    for name, text in (("from", start), ("to", end)):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            problems.append(FieldError(name, "a date like 2026-03-31"))
    if problems:
        raise ValidationFailed(problems)
    return days[0], days[1]


def _source_errors(error: ValidationFailed) -> dict[str, str]:
    """Strategy problems name paths inside the document: show them all next to the editor."""
    errors = field_errors(error)
    paths = [str(e) for e in error.errors if e.field not in {"from", "to"}]
    if paths:
        errors["source"] = "; ".join(paths)
    return errors


@router.post("/strategy/simulate", dependencies=[CsrfChecked], response_class=HTMLResponse)
def post_simulate(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    source: Annotated[str, Form(max_length=200_000)] = "",
    start: Annotated[str, Form(alias="from", max_length=10)] = "",
    end: Annotated[str, Form(alias="to", max_length=10)] = "",
) -> HTMLResponse:
    try:
        first, last = _days(start, end)
        actions = simulate(uow, actor, read_strategy(source), first, last)
    except ValidationFailed as error:
        return _editor(request, uow, actor, source, start, end, _source_errors(error), None, 422)
    return _editor(request, uow, actor, source, start, end, None, actions)


@router.post("/strategy", dependencies=[CsrfChecked], response_model=None)
def post_strategy(
    request: Request,
    uow: UowDep,
    actor: StaffActor,
    source: Annotated[str, Form(max_length=200_000)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        version = load_strategy(uow, actor, source)
    except ValidationFailed as error:
        return _editor(request, uow, actor, source, errors=_source_errors(error), status_code=422)
    except O2CError as error:
        return refused("/app/strategy", error)
    return done("/app/strategy", f"Strategy version {version.version} is now active.")


@router.post("/strategy/{version}/activate", dependencies=[CsrfChecked])
def post_activate(uow: UowDep, actor: StaffActor, version: int) -> RedirectResponse:
    try:
        activate_strategy(uow, actor, version)
    except O2CError as error:
        return refused("/app/strategy", error)
    return done("/app/strategy", f"Strategy version {version} is active again.")
