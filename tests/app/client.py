"""Drivers for the two interfaces: an HTTP client on the real app and the `o2c` CLI."""

from __future__ import annotations

import warnings
from collections.abc import Generator

import httpx
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from o2c.app.api import create_app
from o2c.app.cli import app
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import Clock
from o2c.kernel.config import Settings
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import Role, system_actor
from o2c.security.service import list_companies

with warnings.catch_warnings():
    # Starlette nudges towards httpx2; httpx is what the dev extra installs.
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient


class AdminApiKey(httpx.Auth):
    """Signs API requests with an admin key of the first company, issued on first use.

    Issued lazily because many tests create their company after the client; a request that
    already carries credentials (or a session cookie) is sent as it is.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.uow = UnitOfWork(session_factory(engine), clock)
        self.key: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        own = {"authorization", "x-api-key", "cookie"} & {k.lower() for k in request.headers}
        key = self._key() if request.url.path.startswith("/api/") and not own else None
        if key:
            request.headers["X-API-Key"] = key
        yield request

    def _key(self) -> str | None:
        if self.key is None:
            with self.uow:
                companies = list_companies(self.uow)
            if companies:
                admin = system_actor(companies[0].id, "tester")
                issued = create_credential(
                    self.uow, admin, CredentialKind.API_KEY, "tests", {Role.ADMIN}
                )
                self.key = issued.api_key
        return self.key


def api_client(engine: Engine, clock: Clock, *, authenticated: bool = True) -> TestClient:
    """The real app; by default every /api request carries an admin API key (`AdminApiKey`).

    Server errors come back as responses (as a real client sees them), not as raises.
    """
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings, engine, clock), raise_server_exceptions=False)
    if authenticated:
        client.auth = AdminApiKey(engine, clock)
    return client


def o2c(database: str, *args: str) -> Result:
    """Run `o2c --database DATABASE ARGS...` in-process, stdout and stderr kept apart."""
    return CliRunner().invoke(app, ["--database", database, *args])
