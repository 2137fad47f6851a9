"""The API as an import string for `uvicorn --factory`, which each server process calls.

`o2c serve --workers N` starts N processes; each builds its own app, engine and pool from
the environment (`O2C_DATABASE_URL` and the other O2C_ settings), so they share nothing but
the database. Also usable directly: `uvicorn --factory o2c.app.asgi:create --workers 4`.
"""

from __future__ import annotations

from fastapi import FastAPI

from o2c.app.api import create_app
from o2c.app.logs import configure_logging
from o2c.kernel.config import Settings


def create() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)
