"""Storage of collections: strategy versions, dunning runs and actions, promises, the worklist.

Open items, customers and mails are referenced by id only (foreign keys by name): the
ledger, parties and notify own them. The unique keys are what make a run idempotent and
safe with several workers: an action is keyed by customer, step, cause, currency and day,
and an invoice's dunning state records each step that acted on it once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class StrategyVersion(Base):
    """One stored version of a company's strategy; exactly one is active at a time."""

    __tablename__ = "collection_strategy"
    __table_args__ = (
        UniqueConstraint("company_id", "version"),
        Index(
            "ix_collection_strategy_active",
            "company_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    document: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class DunningRun(Base):
    """A day's run; its row is locked while a run of that day decides, so workers queue."""

    __tablename__ = "dunning_run"
    __table_args__ = (UniqueConstraint("company_id", "as_of"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    as_of: Mapped[date]
    strategy_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("collection_strategy.id"))
    executions: Mapped[int] = mapped_column(default=0)
    actions: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class CollectionAction(Base):
    """One action a strategy step took (or scheduled) for a customer on a day."""

    __tablename__ = "collection_action"
    __table_args__ = (
        UniqueConstraint("company_id", "customer_id", "step", "cause", "currency", "as_of"),
        Index("ix_collection_action_day", "company_id", "as_of"),
        Index("ix_collection_action_status", "company_id", "status", "channel"),
        # The few actions of event steps (a broken promise, a bounce): read every run.
        Index(
            "ix_collection_action_cause",
            "company_id",
            "as_of",
            sqlite_where=text("cause <> ''"),
            postgresql_where=text("cause <> ''"),
        ),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    run_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("dunning_run.id"))
    as_of: Mapped[date]
    segment: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    cause: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    charge_minor: Mapped[Minor] = mapped_column(default=0)
    invoice_numbers: Mapped[str] = mapped_column(Text)
    item_ids: Mapped[dict[str, Any]]  # {"ids": [...]}: JSON keeps one column per action
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(300), default="")
    mail_id: Mapped[int | None] = mapped_column(BigIntId)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]


class DunningState(Base):
    """What the time-triggered steps did to one open invoice: the memory that makes each step
    act on an invoice once, and the first day anything can act on it again.

    One row per invoice a step acted on (the ladder needs the steps, not a row per step);
    `next_on` is computed under `strategy_id` (see `horizon`), so a run reads only the
    invoices whose day has come, and all of them again once another strategy is active.
    """

    __tablename__ = "dunning_state"
    __table_args__ = (UniqueConstraint("company_id", "item_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))
    steps: Mapped[str] = mapped_column(Text, default="")  # names, space separated
    next_on: Mapped[date | None]  # None: no step of the strategy can act on it any more
    strategy_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("collection_strategy.id"))
    updated_on: Mapped[date]


class PromiseToPay(Base):
    """A customer's promise to pay `amount` on the listed invoices by `pay_by`."""

    __tablename__ = "promise_to_pay"
    __table_args__ = (Index("ix_promise_to_pay_customer", "company_id", "customer_id", "status"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    made_on: Mapped[date]
    pay_by: Mapped[date]
    grace_days: Mapped[int] = mapped_column(default=2)
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    paid_minor: Mapped[Minor] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12))
    resolved_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class PromiseItem(Base):
    __tablename__ = "promise_item"
    __table_args__ = (
        UniqueConstraint("promise_id", "item_id"),
        Index("ix_promise_item_item", "company_id", "item_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    promise_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("promise_to_pay.id"))
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))


class CollectionAccount(Base):
    """Collections' own record of a customer: its collector and how it keeps its word."""

    __tablename__ = "collection_account"
    __table_args__ = (UniqueConstraint("company_id", "customer_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    collector: Mapped[str | None] = mapped_column(String(120))
    promises_kept: Mapped[int] = mapped_column(default=0)
    promises_broken: Mapped[int] = mapped_column(default=0)
    escalated_to: Mapped[str | None] = mapped_column(String(40))
    handed_over_on: Mapped[date | None]
    # "strategy id:segment" the next days of the customer's invoices were computed for (see
    # `horizon`): a run reads all of a customer's invoices again once it moves.
    dunning_segment: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime]


class CollectionTask(Base):
    """Work for a person: a call a step asked for, or an escalated case."""

    __tablename__ = "collection_task"
    __table_args__ = (Index("ix_collection_task_open", "company_id", "status", "customer_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    action_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("collection_action.id"))
    kind: Mapped[str] = mapped_column(String(12))
    due_on: Mapped[date]
    assigned_to: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(120))
