"""The unit of work: one service call, one transaction, committed only by the service."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from o2c.db.outbox import OutboxEvent
from o2c.kernel.clock import Clock, SystemClock


class UnitOfWork:
    """Holds the session and the clock for one use case.

    Every service opens it with `with uow:` and ends with `uow.commit()`. Blocks nest: when
    one service calls another, only the outermost block commits, so the whole use case is one
    transaction. Leaving the outermost block without a commit rolls everything back, so a
    service that raises changes nothing.
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self.clock: Clock = clock or SystemClock()
        self._session: Session | None = None
        self._depth = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._session = self._sessions()
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        session, self._session = self.session, None
        # close() rolls back whatever was not committed but, unlike rollback(), leaves the
        # loaded objects readable (detached), so a service can return what it read.
        session.close()

    def publish(self, company_id: int, topic: str, payload: dict[str, Any]) -> None:
        """Queue a domain event; it becomes visible only if this unit of work commits."""
        self.session.add(
            OutboxEvent(
                company_id=company_id, topic=topic, payload=payload, created_at=self.clock.now()
            )
        )

    def publish_many(self, company_id: int, topic: str, payloads: list[dict[str, Any]]) -> None:
        """Queue one event per payload with a single set-based insert (bulk posting paths)."""
        if payloads:
            now = self.clock.now()
            self.session.execute(
                insert(OutboxEvent.metadata.tables[OutboxEvent.__tablename__]),
                [
                    {"company_id": company_id, "topic": topic, "payload": p, "created_at": now}
                    for p in payloads
                ],
            )

    def commit(self) -> None:
        """Commit at the outermost block; inside a nested block only flush."""
        if self._depth > 1:
            self.session.flush()
        else:
            self.session.commit()
