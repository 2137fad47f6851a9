"""Signing in and out of the back office (form fields `email` and `password`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.app.web_auth import CsrfChecked, close_session, open_session, safe_next
from o2c.db.deps import UowDep
from o2c.kernel.errors import AuthenticationFailed, TooManyAttempts
from o2c.security.users import authenticate
from o2c.web.flash import flash
from o2c.web.rendering import redirect, render

router = APIRouter()


def _login_page(
    request: Request, email: str, next_url: str, error: str = "", status_code: int = 200
) -> HTMLResponse:
    context = {
        "title": "Sign in",
        "area_name": "Back office",
        "email": email,
        "next": next_url,
        "error": error,
    }
    return render(request, "backoffice/login.html", context, status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> HTMLResponse:
    return _login_page(request, "", next)


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
        user = authenticate(uow, email=email, password=password, portal=False, client=client)
    except TooManyAttempts as error:
        return _login_page(request, email, next, error.detail, 429)
    except AuthenticationFailed:
        return _login_page(request, email, next, "Wrong email or password.", 401)
    response = redirect(safe_next(next, "app"))
    open_session(uow, user, response, request)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, uow: UowDep) -> RedirectResponse:
    response = redirect("/app/login")
    close_session(uow, request, response)
    flash(response, "You are signed out.", "info")
    return response
