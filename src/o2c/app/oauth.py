"""OAuth2 token endpoint (RFC 6749 client-credentials grant) for machine clients.

`POST /oauth/token` with `grant_type=client_credentials` and the client's id and secret, either
as form fields or HTTP Basic, answers `{"access_token", "token_type": "Bearer", "expires_in"}`.
Errors are problem+json carrying the RFC's `error` member as well, so OAuth libraries and
problem-aware clients both understand them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from o2c.app.problems import problem
from o2c.db.deps import UowDep
from o2c.kernel.errors import AuthenticationFailed
from o2c.security.credentials import issue_access_token

_BASIC = HTTPBasic(auto_error=False)


def install_oauth(app: FastAPI, token_lifetime: timedelta) -> None:
    router = APIRouter(tags=["authentication"])

    @router.post("/oauth/token", response_model=None)
    def token(
        request: Request,
        uow: UowDep,
        grant_type: Annotated[str, Form()],
        basic: Annotated[HTTPBasicCredentials | None, Depends(_BASIC)],
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        """Trade an OAuth2 client's id and secret for a short-lived bearer token."""
        if grant_type != "client_credentials":
            return problem(
                request,
                400,
                "unsupported_grant_type",
                "Unsupported grant type",
                "only grant_type=client_credentials is supported",
                {"error": "unsupported_grant_type"},
            )
        if basic is not None:
            client_id, client_secret = basic.username, basic.password
        try:
            if not client_id or not client_secret:
                raise AuthenticationFailed("client_id and client_secret are required")
            issued = issue_access_token(uow, client_id, client_secret, token_lifetime)
        except AuthenticationFailed as exc:
            return problem(
                request,
                401,
                exc.code,
                exc.title,
                exc.detail,
                {"error": "invalid_client"},
                {"WWW-Authenticate": 'Basic realm="o2c"'},
            )
        return JSONResponse(
            {"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    app.include_router(router)
