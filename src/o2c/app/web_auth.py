"""Sign-in for the server-rendered pages: session cookie, signed-in actor, CSRF check.

The back office (`/app/`) and the portal (`/portal/`) share one cookie, `o2c_session`, holding
a random token whose digest is a `web_session` row. Handlers declare `actor: StaffActor` or
`actor: PortalActor`; without a valid session of the right kind the browser is sent to the
area's login page. Every form carries `csrf_token(request)` as hidden input `csrf_token`, and
POST handlers declare `dependencies=[CsrfChecked]` (or a parameter `_: None = CsrfChecked`).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.config import Settings
from o2c.kernel.errors import PermissionDenied
from o2c.security.access_tables import User
from o2c.security.hashing import same
from o2c.security.model import Actor
from o2c.security.sessions import ABSOLUTE_LIMIT, SignedIn, end_session, signed_in, start_session
from o2c.security.users import actor_for

SESSION_COOKIE = "o2c_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
Area = Literal["app", "portal"]


class LoginRequired(Exception):
    """No valid session for this area: answered with a redirect to the area's login page."""

    def __init__(self, area: Area, next_url: str = "") -> None:
        super().__init__(area)
        self.area = area
        self.next_url = next_url


def _secure(request: Request | None) -> bool:
    return Settings().cookie_secure or (request is not None and request.url.scheme == "https")


def open_session(
    uow: UnitOfWork, user: User, response: Response, request: Request | None = None
) -> None:
    """Sign `user` in: store a session and set its cookie on `response`."""
    opened = start_session(uow, user)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(ABSOLUTE_LIMIT.total_seconds()),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )


def close_session(uow: UnitOfWork, request: Request, response: Response) -> None:
    """Sign out: delete the session row and the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(uow, token)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True)


def current_session(request: Request, uow: UowDep) -> SignedIn | None:
    """The live session of this request's cookie (cached per request by FastAPI)."""
    token = request.cookies.get(SESSION_COOKIE)
    session = signed_in(uow, token) if token else None
    if session is not None:
        request.state.csrf_secret = session.csrf_secret
    return session


SessionDep = Annotated[SignedIn | None, Depends(current_session)]


def _next_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def staff_actor(request: Request, session: SessionDep) -> Actor:
    if session is None or session.user.customer_id is not None:
        raise LoginRequired("app", _next_url(request))
    return actor_for(session.user)


def portal_actor(request: Request, session: SessionDep) -> Actor:
    if session is None or session.user.customer_id is None:
        raise LoginRequired("portal", _next_url(request))
    return actor_for(session.user)


StaffActor = Annotated[Actor, Depends(staff_actor)]
PortalActor = Annotated[Actor, Depends(portal_actor)]


def csrf_token(request: Request) -> str:
    """The token forms must send back; needs a `StaffActor` or `PortalActor` in the request."""
    token = getattr(request.state, "csrf_secret", None)
    if not isinstance(token, str):
        raise RuntimeError("csrf_token needs a signed-in request (StaffActor or PortalActor)")
    return token


async def check_csrf(request: Request, session: SessionDep) -> None:
    """Refuse a state-changing form post whose token is not its session's (403 problem)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or sent is None or not same(sent, session.csrf_secret):
        raise PermissionDenied("the form's CSRF token is missing or does not match the session")


CsrfChecked = Depends(check_csrf)


def install_web_auth(app: FastAPI) -> None:
    """Send browsers without a session to the login page of the area they asked for."""

    async def to_login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        target = f"/{exc.area}/login"
        if exc.next_url:
            target += f"?next={quote(exc.next_url, safe='')}"
        return RedirectResponse(target, status_code=303)

    app.add_exception_handler(LoginRequired, to_login)


def safe_next(value: str | None, area: Area) -> str:
    """Where to go after sign-in: a local path only (no open redirect), else the area's home."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return f"/{area}/"
