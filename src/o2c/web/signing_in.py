"""Signing in and out of a web area (form fields `email` and `password`, a contract).

The back office and the portal differ only in who may sign in, where they land and how
the page is dressed, so both build their router here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, close_session, open_session, safe_next
from o2c.db.deps import UowDep
from o2c.kernel.errors import AuthenticationFailed, TooManyAttempts
from o2c.security.users import authenticate
from o2c.web.flash import flash
from o2c.web.rendering import redirect, render


def sign_in_router(
    area: Literal["app", "portal"], template: str, dress: Mapping[str, Any]
) -> APIRouter:
    """`GET/POST /login` and `POST /logout` of `area`: staff at "app", customers at "portal"."""
    router = APIRouter()
    portal = area == "portal"

    def page(
        request: Request, email: str, next_url: str, error: str = "", status_code: int = 200
    ) -> HTMLResponse:
        context = {"title": "Sign in", **dress, "email": email, "next": next_url, "error": error}
        return render(request, template, context, status_code)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "") -> HTMLResponse:
        return page(request, "", next)

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        uow: UowDep,
        email: Annotated[str, Form(max_length=254)] = "",
        password: Annotated[str, Form(max_length=1000)] = "",
        next: Annotated[str, Form(max_length=2000)] = "",
    ) -> HTMLResponse | RedirectResponse:
        client = request.client.host if request.client else "unknown"
        try:
            user = authenticate(uow, email=email, password=password, portal=portal, client=client)
        except TooManyAttempts as error:
            return page(request, email, next, error.detail, 429)
        except AuthenticationFailed:
            return page(request, email, next, "Wrong email or password.", 401)
        response = redirect(safe_next(next, area))
        open_session(uow, user, response, request)
        return response

    @router.post("/logout", dependencies=[CsrfChecked])
    def logout(request: Request, uow: UowDep) -> RedirectResponse:
        response = redirect(f"/{area}/login")
        close_session(uow, request, response)
        flash(response, "You are signed out.", "info")
        return response

    return router
