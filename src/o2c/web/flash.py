"""Flash messages: a short notice shown once on the page a POST redirects to.

The message travels in a cookie set on the redirect and cleared by the next page that shows
it. It holds only the text and its kind (no secret), is HttpOnly, and is rendered escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from fastapi import Request, Response

COOKIE = "o2c_flash"
FlashKind = Literal["success", "error", "warning", "info"]


@dataclass(frozen=True)
class Flash:
    kind: str
    text: str


def flash(response: Response, text: str, kind: FlashKind = "success") -> Response:
    """Attach a message to `response` (a redirect) for the next page to show."""
    payload = quote(json.dumps([kind, text]))
    response.set_cookie(COOKIE, payload, httponly=True, samesite="lax", path="/")
    return response


def take_flashes(request: Request) -> tuple[list[Flash], Callable[[Response], None] | None]:
    """The waiting messages and a function that clears them on the response showing them."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return [], None
    try:
        kind, text = json.loads(unquote(raw))
    except (ValueError, TypeError):
        kind, text = "info", ""
    flashes = [Flash(str(kind), str(text))] if text else []
    return flashes, lambda response: response.delete_cookie(COOKIE, path="/")
