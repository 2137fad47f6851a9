"""Readiness: the database answers and its schema is at every migration head of this code.

A process of a newer release must not take traffic before `o2c init` (or `o2c serve`) has
migrated the database; a database migrated further than this code (a rolling upgrade in
progress) stays ready, since migrations only add what older code does not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from o2c.app.schema import MIGRATIONS


@lru_cache(maxsize=1)
def _scripts() -> tuple[ScriptDirectory, frozenset[str]]:
    """This release's migration scripts and their revision ids (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return script, frozenset(r.revision for r in script.walk_revisions())


@dataclass(frozen=True)
class Readiness:
    ready: bool
    database: str
    pending: tuple[str, ...]
    """Migration heads of this code the database has not reached."""
    unknown: tuple[str, ...]
    """Revisions in the database this code does not know (a newer release migrated it)."""


def readiness(engine: Engine) -> Readiness:
    """Ask the database for its migration state (raises SQLAlchemyError when it is down)."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    script, known = _scripts()
    reached: set[str] = set()
    for head in current & known:
        reached.update(r.revision for r in script.iterate_revisions(head, "base"))
    pending = tuple(sorted(set(script.get_heads()) - reached))
    unknown = tuple(sorted(current - known))
    return Readiness(not pending, engine.dialect.name, pending, unknown)
