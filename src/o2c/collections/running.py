"""The dunning run: as of a day, decide every customer's due actions and record them.

Set-based from end to end: the facts are read with one query per kind (`gathering.gather`), only
for the invoices some step can act on today; the engine decides in Python, and actions, the
invoices' dunning state and call tasks are written with one bulk insert each. An action is
its own timeline entry (`timeline` reads the actions). Mails are composed and sent
afterwards by `delivery` (outside the run's time budget), from the actions recorded here.

Idempotent and safe with several workers: the day's `dunning_run` row is locked before
anything is read, so a second worker waits and then finds every step already recorded on
its invoices; the unique keys on actions and dunning states are the backstop.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from o2c.billing.model import InvoiceCreate, LineCreate
from o2c.billing.service import create_invoice, post_invoice
from o2c.collections.accounts import collectors, update_accounts
from o2c.collections.gathering import gather
from o2c.collections.horizon import Horizon
from o2c.collections.model import ActionStatus, TaskKind, TaskStatus
from o2c.collections.policy import ActionKind
from o2c.collections.promises import resolve_promises
from o2c.collections.service import active_strategy
from o2c.collections.states import remember
from o2c.collections.strategy import DueAction, Engine
from o2c.collections.tables import (
    CollectionAction,
    CollectionTask,
    DunningRun,
)
from o2c.credit.service import HoldRequest, active_holds, place_holds
from o2c.db.bulk import insert_ids, insert_rows
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound
from o2c.kernel.money import Money
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

FEE_TAX_CATEGORY = "exempt"  # late-payment compensation and interest are outside VAT's scope


@dataclass(frozen=True)
class RunReport:
    as_of: date
    run_id: int
    strategy_version: int
    customers: int  # customers the engine looked at
    actions: int  # actions recorded by this execution (0 when the day was already run)
    by_kind: dict[str, int] = field(default_factory=dict)
    promises_kept: int = 0
    promises_broken: int = 0


@dataclass
class _Outcome:
    """How carrying out one action went, before it is stored."""

    status: ActionStatus
    reason: str = ""


def _lock_run(uow: UnitOfWork, company_id: int, as_of: date, strategy_id: int) -> DunningRun:
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    uow.session.execute(
        insert(DunningRun)
        .values(
            company_id=company_id,
            as_of=as_of,
            strategy_id=strategy_id,
            executions=0,
            actions=0,
            started_at=uow.clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["company_id", "as_of"])
    )
    run = uow.session.scalar(
        select(DunningRun)
        .where(DunningRun.company_id == company_id, DunningRun.as_of == as_of)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert run is not None
    return run


def run_dunning(uow: UnitOfWork, actor: Actor, as_of: date) -> RunReport:
    """Decide and record the day's collection actions under the active strategy.

    Running a day again records nothing new. Credit holds, call tasks, escalations, fee
    invoices and agency hand-overs are carried out in the same transaction; mails are
    queued by `delivery.queue_mails` from the scheduled email actions.
    """
    actor.require(Permission.COLLECTIONS_RUN)
    with uow:
        found = active_strategy(uow, actor.company_id)
        if found is None:
            raise NotFound("active collections strategy of company", actor.company_id)
        version, strategy = found
        run = _lock_run(uow, actor.company_id, as_of, version.id)
        kept, broken = resolve_promises(uow, actor, as_of)
        engine = Engine(strategy, get_company(uow, actor.company_id).base_currency)
        horizon = Horizon(strategy)
        gathered = gather(uow, actor.company_id, as_of, engine, horizon, version.id)
        taken = _taken(uow, actor.company_id, as_of)
        due = [
            action
            for customer in gathered.customers
            for action in engine.decide(customer, as_of)
            if (action.customer_id, action.step, action.cause, action.currency) not in taken
        ]
        outcomes = _carry_out(uow, actor, due, as_of)
        ids = _record(uow, actor, run, due, outcomes, as_of)
        remember(uow, actor.company_id, gathered, due, horizon, version.id, as_of)
        _follow_up(uow, actor, due, ids, as_of)
        run.executions += 1
        run.actions += len(due)
        run.finished_at = uow.clock.now()
        by_kind = dict(Counter(a.kind.value for a in due))
        audit(
            uow,
            actor,
            "collections.run",
            "dunning_run",
            run.id,
            {
                "as_of": as_of.isoformat(),
                "actions": len(due),
                "by_kind": by_kind,
                "strategy_version": version.version,
            },
        )
        uow.publish(
            actor.company_id,
            "collections.run_completed",
            {"run_id": run.id, "as_of": as_of.isoformat(), "actions": len(due)},
        )
        uow.commit()
        return RunReport(
            as_of,
            run.id,
            version.version,
            len(gathered.customers),
            len(due),
            by_kind,
            kept,
            broken,
        )


def _taken(uow: UnitOfWork, company_id: int, as_of: date) -> set[tuple[int, str, str, str]]:
    """The day's actions already recorded: a step acts on a customer at most once a day, so
    invoices that qualify after an earlier run of the same day wait for the next day's run."""
    return {
        (cid, step, cause, currency)
        for cid, step, cause, currency in uow.session.execute(
            select(
                CollectionAction.customer_id,
                CollectionAction.step,
                CollectionAction.cause,
                CollectionAction.currency,
            ).where(CollectionAction.company_id == company_id, CollectionAction.as_of == as_of)
        )
    }


def _carry_out(
    uow: UnitOfWork, actor: Actor, due: Sequence[DueAction], as_of: date
) -> list[_Outcome]:
    """Do what happens at once (holds, fees, hand-overs); say how each action stands."""
    holds = [a for a in due if a.kind == ActionKind.CREDIT_HOLD]
    on_hold = active_holds(uow, actor, {a.customer_id for a in holds}) if holds else {}
    if holds:
        place_holds(
            uow,
            actor,
            [
                HoldRequest(
                    a.customer_id,
                    f"collections: {a.step} ({' '.join(a.numbers)})",
                    f"collections:{a.step}",
                )
                for a in holds
                if a.customer_id not in on_hold
            ],
        )
    outcomes = []
    for action in due:
        if action.kind == ActionKind.CREDIT_HOLD and action.customer_id in on_hold:
            since = on_hold[action.customer_id].placed_at.date().isoformat()
            outcomes.append(_Outcome(ActionStatus.SKIPPED, f"already on credit hold since {since}"))
        elif action.kind in (ActionKind.LATE_FEE, ActionKind.INTEREST):
            outcomes.append(_charge(uow, actor, action, as_of))
        elif action.kind == ActionKind.AGENCY and action.channel == "email":
            outcomes.append(_Outcome(ActionStatus.SCHEDULED))  # the customer's notice is mailed
        elif action.kind in (ActionKind.AGENCY, ActionKind.ESCALATE, ActionKind.CREDIT_HOLD):
            outcomes.append(_Outcome(ActionStatus.SENT))
        else:
            outcomes.append(_Outcome(ActionStatus.SCHEDULED))
    _mark_accounts(uow, actor, due, as_of)
    return outcomes


def _mark_accounts(uow: UnitOfWork, actor: Actor, due: Sequence[DueAction], as_of: date) -> None:
    """Hand-overs and escalations noted on the customers' accounts, set-based."""
    handed = {a.customer_id for a in due if a.kind == ActionKind.AGENCY}
    update_accounts(uow, actor.company_id, handed, {"handed_over_on": as_of})
    escalated: dict[str | None, set[int]] = defaultdict(set)
    for action in due:
        if action.kind == ActionKind.ESCALATE:
            escalated[action.escalate_to].add(action.customer_id)
    for role, customers in escalated.items():
        update_accounts(uow, actor.company_id, customers, {"escalated_to": role})


def _charge(uow: UnitOfWork, actor: Actor, action: DueAction, as_of: date) -> _Outcome:
    """Invoice a late fee or interest through billing, keyed so a rerun never bills twice."""
    if action.charge_minor <= 0:
        return _Outcome(ActionStatus.SKIPPED, "nothing to charge")
    what = "Late payment fee" if action.kind == ActionKind.LATE_FEE else "Interest on late payment"
    price = Money.from_minor(action.charge_minor, action.currency).amount
    line = LineCreate(
        f"{what}: {', '.join(action.numbers)}", Decimal(1), price, tax_category=FEE_TAX_CATEGORY
    )
    key = f"collections:{action.customer_id}:{action.step}:{action.cause}:{action.currency}:{as_of}"
    command = InvoiceCreate(
        action.customer_id,
        [line],
        issue_date=as_of,
        currency=action.currency,
        notes=f"Charged by collections step {action.step}",
    )
    draft = create_invoice(uow, actor, command, idempotency_key=key)
    invoice = post_invoice(uow, actor, draft.id, idempotency_key=key)
    return _Outcome(ActionStatus.SENT, f"invoice {invoice.number}")


def _record(
    uow: UnitOfWork,
    actor: Actor,
    run: DunningRun,
    due: Sequence[DueAction],
    outcomes: Sequence[_Outcome],
    as_of: date,
) -> list[int]:
    """Insert the actions (each is its own timeline entry), set-based; returns their ids."""
    now = uow.clock.now()
    rows = [
        {
            "company_id": actor.company_id,
            "customer_id": a.customer_id,
            "run_id": run.id,
            "as_of": as_of,
            "segment": a.segment,
            "step": a.step,
            "cause": a.cause,
            "kind": a.kind.value,
            "level": a.level,
            "channel": a.channel,
            "template": a.template,
            "currency": a.currency,
            "amount_minor": a.amount_minor,
            "charge_minor": a.charge_minor,
            "invoice_numbers": " ".join(a.numbers),
            "item_ids": {"ids": [item.item_id for item in a.items]},
            "status": outcome.status.value,
            "reason": outcome.reason[:300],
            "mail_id": None,
            "note": a.note[:300],
            "created_at": now,
        }
        for a, outcome in zip(due, outcomes, strict=True)
    ]
    return insert_ids(uow.session, CollectionAction, rows)


def _follow_up(
    uow: UnitOfWork, actor: Actor, due: Sequence[DueAction], ids: Sequence[int], as_of: date
) -> None:
    """Call tasks for the collector and escalated cases, one set-based insert."""
    wanted = [
        (a, i)
        for a, i in zip(due, ids, strict=True)
        if a.kind in (ActionKind.CALL, ActionKind.ESCALATE)
    ]
    if not wanted:
        return
    assigned = collectors(uow, actor.company_id)
    now = uow.clock.now()
    insert_rows(
        uow.session,
        CollectionTask,
        [
            {
                "company_id": actor.company_id,
                "customer_id": a.customer_id,
                "action_id": action_id,
                "kind": (TaskKind.CALL if a.kind == ActionKind.CALL else TaskKind.ESCALATION).value,
                "due_on": as_of,
                "assigned_to": assigned.get(a.customer_id),
                "status": TaskStatus.OPEN.value,
                "note": (a.note or f"{a.step}: {' '.join(a.numbers)}")[:300],
                "outcome": None,
                "created_at": now,
                "done_at": None,
                "done_by": None,
            }
            for a, action_id in wanted
        ],
    )
