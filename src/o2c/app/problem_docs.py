"""The OpenAPI document tells the truth about errors: every operation may answer 4xx with an
RFC 9457 `application/problem+json` body (`Problem`), and request validation's 422 is such a
problem too, not FastAPI's default `HTTPValidationError` JSON.

Clients generated from the document, and schemathesis' conformance checks, then expect
exactly what `app.problems` sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from o2c.app.problems import MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details, plus o2c's stable `code` and the error's fields.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the Problem schema and a problem+json `4XX` answer on every operation."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "Invalid input", **problem}
            responses.setdefault("4XX", {"description": "Refused (problem details)", **problem})
    return document


def install_problem_docs(app: FastAPI) -> None:
    """Post-process the app's generated OpenAPI document once, when it is first asked for."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
