"""Who an API request acts as: an API key, an OAuth2 bearer token, or a signed-in staff session.

Every `/api/v1` request must present one of
- `Authorization: Bearer <token>`: a token from `POST /oauth/token`, or an API key;
- `X-API-Key: <key>` (from `o2c apikey create`);
- the web session cookie of a signed-in staff user (same-site calls from the back office);
  a state-changing call made that way must also carry the session's `X-CSRF-Token`.
The credential names the company and the roles; portal users do not use the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from o2c.app.web_auth import CSRF_HEADER, SESSION_COOKIE
from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import AuthenticationFailed, NotFound, PermissionDenied
from o2c.security.credentials import actor_for_api_key, actor_for_bearer
from o2c.security.hashing import same
from o2c.security.model import Actor
from o2c.security.service import find_company, list_companies
from o2c.security.sessions import signed_in
from o2c.security.users import actor_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def company_id_for(uow: UnitOfWork, code: str | None) -> int:
    """The company named by `code`, or the first one when no code is given (the CLI's choice)."""
    with uow:
        if code:
            return find_company(uow, code).id
        companies = list_companies(uow)
    if not companies:
        raise NotFound("company", "(none yet: run `o2c init`)")
    return companies[0].id


def _session_actor(request: Request, uow: UnitOfWork, token: str) -> Actor:
    session = signed_in(uow, token)
    if session is None or session.user.customer_id is not None:
        raise AuthenticationFailed("the session has expired or is not a staff session")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not same(sent, session.csrf_secret):
            raise PermissionDenied(f"a session-authenticated {request.method} needs {CSRF_HEADER}")
    return actor_for(session.user)


_BEARER = HTTPBearer(auto_error=False, description="OAuth2 access token or API key")
_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def resolve_actor(
    request: Request,
    uow: UowDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    api_key: Annotated[str | None, Depends(_API_KEY)],
) -> Actor:
    """The `get_actor` of the API: the caller's credential, or a 401 problem."""
    if bearer is not None:
        return actor_for_bearer(uow, bearer.credentials.strip())
    if request.headers.get("Authorization"):
        raise AuthenticationFailed("the Authorization header must be `Bearer <token>`")
    if api_key is not None:
        return actor_for_api_key(uow, api_key.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return _session_actor(request, uow, cookie)
    raise AuthenticationFailed(
        "an API key (X-API-Key), a bearer token (Authorization) or a signed-in session is required"
    )
