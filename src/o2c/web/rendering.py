"""One Jinja2 environment for every web page, and the helpers each page's handler uses.

Templates live in `web/templates/` (the shared `base.html` and `forms.html`) and in a
`templates/` folder of each area package (`web/backoffice/`, `web/portal/`), addressed as
`<area>/<name>.html`. Autoescaping is on for every template, and undefined names fail loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined

from o2c.web.flash import take_flashes

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


def render(
    request: Request, template: str, context: Mapping[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render `template` with `context` plus the flashes waiting for this browser."""
    flashes, clear = take_flashes(request)
    page = ENVIRONMENT.get_template(template).render(
        {"current_path": request.url.path, "flashes": flashes, **context}
    )
    response = HTMLResponse(page, status_code=status_code)
    if clear:
        clear(response)
    return response


def redirect(url: str) -> RedirectResponse:
    """The redirect after a successful POST (303, so the browser follows with a GET)."""
    return RedirectResponse(url, status_code=303)


def format_amount(value: Decimal | int | None, currency: str = "") -> str:
    """Amounts as people read them: thousands separated, two places, currency after."""
    if value is None:
        return "—"
    text = f"{Decimal(value):,.2f}"
    return f"{text} {currency}".strip()


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _environment() -> Environment:
    areas = {
        folder.name: FileSystemLoader(folder / "templates")
        for folder in sorted(WEB_DIR.iterdir())
        if (folder / "templates").is_dir()
    }
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(WEB_DIR / "templates"), PrefixLoader(areas)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["amount"] = format_amount
    env.filters["day"] = format_day
    return env


ENVIRONMENT = _environment()
