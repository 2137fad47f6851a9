"""Every error the API returns, as RFC 9457 `application/problem+json`, mapped in one place.

Domain errors carry a stable `code` (the problem `type` ends with it) and structured fields;
unexpected exceptions become a 500 problem naming the request id that the server log shows
beside the traceback, so nothing internal leaks to the client.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from o2c.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    IdempotencyMismatch,
    LedgerError,
    NotFound,
    O2CError,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)

PROBLEM_BASE = "https://o2c.dev/problems/"
MEDIA_TYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"

log = logging.getLogger("o2c.api")

# First match along the error's class hierarchy wins (IdempotencyMismatch before Conflict).
STATUS: dict[type[O2CError], int] = {
    IdempotencyMismatch: 422,
    NotFound: 404,
    AuthenticationFailed: 401,
    TooManyAttempts: 429,
    PermissionDenied: 403,
    ValidationFailed: 422,
    Conflict: 409,
    LedgerError: 409,
    O2CError: 400,
}

_HTTP_CODES = {
    401: ("unauthorized", "Authentication required"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
}


# RFC 6750: a 401 names the scheme the client should use.
_AUTH_HEADERS = {"WWW-Authenticate": 'Bearer realm="o2c"'}


def status_of(error: O2CError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, O2CError)
    headers = _AUTH_HEADERS if isinstance(exc, AuthenticationFailed) else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return problem(request, status_of(exc), exc.code, exc.title, exc.detail, exc.fields(), headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(part) for part in error["loc"]), "reason": error["msg"]}
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(request, 422, "invalid", "Invalid input", detail, {"errors": errors})


async def _number_out_of_range(request: Request, exc: Exception) -> JSONResponse:
    # SQLite keeps 64-bit integers: a bigger id or amount can match or be nothing. Any other
    # overflow is a bug and stays a 500.
    if "SQLite INTEGER" not in str(exc):
        raise exc
    detail = "a number is out of range (at most 9223372036854775807)"
    return problem(request, 422, "invalid", "Invalid input", detail)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "Request failed"))
    return problem(request, exc.status_code, code, title, str(exc.detail), headers=exc.headers)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # A concurrent request created the same unique thing first (code, SKU, key): the
    # service's own check passed before that commit, the database's constraint caught it.
    log.info("integrity conflict on %s: %s", request.url.path, exc)
    return problem(
        request,
        409,
        "conflict",
        "Conflict with the current state",
        "a concurrent change created the same record; retry to see the current state",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(O2CError, _domain_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(RequestIdMiddleware)


class RequestIdMiddleware:
    """Tags every response with a request id and turns any uncaught exception into a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        # The telemetry middleware outside this one has already chosen (and checked) the id.
        request_id = (
            scope.get("state", {}).get("request_id")
            or request.headers.get(REQUEST_ID_HEADER)
            or uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in request %s %s", request_id, request.url.path)
            if started:
                raise
            response = problem(
                request,
                500,
                "internal",
                "Internal error",
                f"The server failed to handle this request (request id {request_id}).",
                {"request_id": request_id},
            )
            await response(scope, receive, send_with_id)
