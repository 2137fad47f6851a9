"""Drivers for the two interfaces: an HTTP client on the real app and the `o2c` CLI."""

from __future__ import annotations

import warnings

from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from o2c.app.api import create_app
from o2c.app.cli import app
from o2c.kernel.clock import Clock
from o2c.kernel.config import Settings

with warnings.catch_warnings():
    # Starlette nudges towards httpx2; httpx is what the dev extra installs.
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient


def api_client(engine: Engine, clock: Clock, api_key: str | None = None) -> TestClient:
    """Server errors come back as responses (as a real client sees them), not as raises."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), api_key=api_key
    )
    return TestClient(create_app(settings, engine, clock), raise_server_exceptions=False)


def o2c(database: str, *args: str) -> Result:
    """Run `o2c --database DATABASE ARGS...` in-process, stdout and stderr kept apart."""
    return CliRunner().invoke(app, ["--database", database, *args])
