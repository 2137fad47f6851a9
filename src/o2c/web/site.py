"""Mounts the server-rendered web on the app: static files, the back office and the portal."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from o2c.app.web_auth import install_web_auth
from o2c.web.backoffice.routes import router as backoffice_router
from o2c.web.portal.routes import router as portal_router
from o2c.web.rendering import STATIC_DIR


def install_web(app: FastAPI) -> None:
    """Serve `/static/` from the package (no CDN) and the pages of each area."""
    install_web_auth(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(backoffice_router)
    app.include_router(portal_router)
