"""What one `o2c` command line runs against: settings, database, clock and acting company."""

from __future__ import annotations

import getpass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from o2c.app.identity import company_id_for
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import Clock, SystemClock
from o2c.kernel.config import Settings
from o2c.security.model import Actor, system_actor


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


class AppContext:
    """The `CommandContext` every command gets; the engine is built on first use only."""

    def __init__(
        self, settings: Settings, company_code: str | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.company_code = company_code
        self.clock: Clock = clock or SystemClock()
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = make_url(self.settings.database_url)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    @property
    def database_opened(self) -> bool:
        """Whether the command used the database (and may have written to it)."""
        return self._engine is not None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), self.clock)

    def actor(self) -> Actor:
        """A system actor of the chosen company (the first one when none is named)."""
        return system_actor(company_id_for(self.uow(), self.company_code), f"cli:{_operator()}")

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
