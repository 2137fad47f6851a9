"""Collections use cases: strategy versions (load, activate, show) and the default strategy.

The dunning run is in `running.py`, promises in `promises.py`, the worklist in
`worklist.py`, the timeline in `timeline.py`, mail composition in `delivery.py`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from o2c.collections.policy import Strategy, parse_strategy, read_strategy, strategy_document
from o2c.collections.tables import StrategyVersion
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound
from o2c.security.model import Actor, Permission, system_actor
from o2c.security.service import audit, list_companies

DEFAULT_STRATEGY = Path(__file__).with_name("strategies") / "default.yaml"


def _store(uow: UnitOfWork, actor: Actor, strategy: Strategy, source: str) -> StrategyVersion:
    # Lock the company's versions: a concurrent load waits, then numbers after this one.
    versions = uow.session.scalars(
        select(StrategyVersion.version)
        .where(StrategyVersion.company_id == actor.company_id)
        .with_for_update()
    ).all()
    latest = max(versions, default=0)
    uow.session.execute(
        update(StrategyVersion)
        .where(StrategyVersion.company_id == actor.company_id, StrategyVersion.active)
        .values(active=False)
    )
    uow.session.flush()
    version = StrategyVersion(
        company_id=actor.company_id,
        version=latest + 1,
        name=strategy.name,
        document=strategy_document(strategy),
        source=source,
        active=True,
        created_at=uow.clock.now(),
        created_by=actor.name,
    )
    uow.session.add(version)
    uow.session.flush()
    audit(
        uow,
        actor,
        "collections.strategy_load",
        "collection_strategy",
        version.id,
        {"version": version.version, "name": strategy.name},
    )
    return version


def load_strategy(
    uow: UnitOfWork, actor: Actor, source: str | dict[str, object]
) -> StrategyVersion:
    """Check a strategy (YAML text or its structure) and make it the active version.

    Versions are kept: the previous one is deactivated, not changed, so every past action
    can be traced to the policy that decided it. Raises ValidationFailed naming each bad
    field by its path.
    """
    actor.require(Permission.STRATEGY_MANAGE)
    strategy = read_strategy(source) if isinstance(source, str) else parse_strategy(source)
    with uow:
        version = _store(uow, actor, strategy, source if isinstance(source, str) else "")
        uow.commit()
        return version


def activate_strategy(uow: UnitOfWork, actor: Actor, version: int) -> StrategyVersion:
    """Make an earlier version active again (a rollback of a policy change)."""
    actor.require(Permission.STRATEGY_MANAGE)
    with uow:
        found = uow.session.scalar(
            select(StrategyVersion).where(
                StrategyVersion.company_id == actor.company_id, StrategyVersion.version == version
            )
        )
        if found is None:
            raise NotFound("strategy version", version)
        uow.session.execute(
            update(StrategyVersion)
            .where(StrategyVersion.company_id == actor.company_id, StrategyVersion.active)
            .values(active=False)
        )
        uow.session.flush()
        found.active = True
        audit(
            uow,
            actor,
            "collections.strategy_activate",
            "collection_strategy",
            found.id,
            {"version": version},
        )
        uow.commit()
        return found


def active_strategy(uow: UnitOfWork, company_id: int) -> tuple[StrategyVersion, Strategy] | None:
    """The active version and its checked policy, or None when the company has none."""
    with uow:
        found = uow.session.scalar(
            select(StrategyVersion).where(
                StrategyVersion.company_id == company_id, StrategyVersion.active
            )
        )
        if found is None:
            return None
        return found, parse_strategy(found.document)


def current_strategy(uow: UnitOfWork, actor: Actor) -> tuple[StrategyVersion, Strategy]:
    actor.require(Permission.LEDGER_READ)
    found = active_strategy(uow, actor.company_id)
    if found is None:
        raise NotFound("active collections strategy of company", actor.company_id)
    return found


def list_strategies(uow: UnitOfWork, actor: Actor) -> list[StrategyVersion]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(StrategyVersion)
                .where(StrategyVersion.company_id == actor.company_id)
                .order_by(StrategyVersion.version)
            )
        )


def install_default_strategy(uow: UnitOfWork, company_id: int) -> bool:
    """Give a company the shipped default strategy unless it has one; True when installed.

    Run by `o2c init` and the demo loader, as the installation's operator.
    """
    actor = system_actor(company_id, "o2c init")
    with uow:
        has = uow.session.scalar(
            select(StrategyVersion.id).where(StrategyVersion.company_id == company_id).limit(1)
        )
        if has is not None:
            return False
        source = DEFAULT_STRATEGY.read_text(encoding="utf-8")
        _store(uow, actor, read_strategy(source), source)
        uow.commit()
        return True


def install_default_strategies(uow: UnitOfWork) -> list[str]:
    """`o2c init`: every company without a strategy gets the default; returns their codes."""
    with uow:
        companies = list_companies(uow)
    return [c.code for c in companies if install_default_strategy(uow, c.id)]
