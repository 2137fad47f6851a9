"""What browser tests do often: sign in through the login form, save a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).with_name("artifacts")


def sign_in(page: Page, base_url: str, email: str, password: str, area: str = "app") -> None:
    """Sign in through the area's login form (`app` or `portal`) and wait for its home page."""
    page.goto(f"{base_url}/{area}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf".*/{area}/$"))


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot of what the page shows now as artifacts/<name>.png."""
    target = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
