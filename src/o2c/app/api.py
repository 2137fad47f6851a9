"""The HTTP application: every domain router under /api/v1, problem+json errors, docs, health.

`create_app` is the only place the API is assembled; it builds (or is handed) the engine and
the clock, and wires the `get_uow` and `get_actor` seams every router depends on. It runs no
migration: `o2c init` and `o2c serve` bring the schema up to date first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from o2c import __version__
from o2c.app.docs import install_docs
from o2c.app.health import readiness
from o2c.app.identity import resolve_actor
from o2c.app.oauth import install_oauth
from o2c.app.payment_provider import install_payment_provider
from o2c.app.problem_docs import install_problem_docs
from o2c.app.problems import install_error_handlers, problem
from o2c.app.rate_limit import install_rate_limit
from o2c.app.routes import ROUTERS
from o2c.app.sensitive import revealing
from o2c.app.telemetry import install_telemetry
from o2c.app.web_auth import install_web_auth
from o2c.db.deps import get_actor, get_uow
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import Clock, SystemClock
from o2c.kernel.config import Settings
from o2c.payments.api import payment_tolerance
from o2c.web.site import install_web

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings, engine: Engine | None = None, clock: Clock | None = None
) -> FastAPI:
    """Assemble the API for one database; tests pass their own engine and frozen clock."""
    engine = engine or make_engine(settings.database_url)
    sessions = session_factory(engine)
    clock = clock or SystemClock()
    app = FastAPI(
        title="o2c",
        version=__version__,
        summary="Order-to-cash and accounts receivable",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.engine = engine

    def request_uow() -> UnitOfWork:
        return UnitOfWork(sessions, clock)

    app.dependency_overrides[get_uow] = request_uow
    app.dependency_overrides[get_actor] = revealing(resolve_actor)
    app.dependency_overrides[payment_tolerance] = lambda: settings.payment_tolerance_minor
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_error_handlers(app)
    install_problem_docs(app)
    install_web_auth(app)
    install_oauth(app, timedelta(seconds=settings.access_token_seconds))
    install_rate_limit(app, settings.rate_limit)
    install_telemetry(app, request_uow)
    install_docs(app)
    install_web(app)
    if settings.payment_provider == "simulator":
        install_payment_provider(app, clock)
    _install_health(app, engine)
    return app


def _install_health(app: FastAPI, engine: Engine) -> None:
    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """The process is up (for liveness probes; touches nothing)."""
        return {"status": "ok"}

    @app.get("/ready", tags=["operations"], response_model=None)
    def ready(request: Request) -> dict[str, Any] | JSONResponse:
        """The database answers and its schema is at this code's migration heads (readiness)."""
        try:
            state = readiness(engine)
        except SQLAlchemyError as exc:
            reason = type(exc).__name__
            return problem(request, 503, "not_ready", "Not ready", f"database not ready ({reason})")
        if not state.ready:
            detail = f"migrations pending: {', '.join(state.pending)} (run `o2c init`)"
            return problem(request, 503, "not_ready", "Not ready", detail)
        return {"status": "ready", "database": state.database, "schema": "at head"}
