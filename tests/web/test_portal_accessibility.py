"""Every portal page passes axe-core (no serious or critical violation) in the same Chromium
the other browser tests drive, and reads on a phone without sideways scrolling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.web.helpers import sign_in
from tests.web.seed import PASSWORD, PORTAL_EMAIL

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}
PHONE = {"width": 375, "height": 740}
PAGES = (
    "/portal/",
    "/portal/invoices",
    "/portal/invoices?show=all",
    "/portal/pay",
    "/portal/payments",
    "/portal/statement",
    "/portal/disputes",
    "/portal/disputes/new",
    "/portal/orders",
    "/portal/orders/new",
    "/portal/messages",
    "/portal/promise",
    "/portal/plans",
)


def _violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


WIDER_THAN_SCREEN = """() => {
  if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
  const inScroller = (e) => e.closest('.table-wrap') !== null;
  return [...document.querySelectorAll('body *')]
    .filter((e) => !inScroller(e) && e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className);
}"""


def _sideways(page: Page) -> list[str]:
    """The elements that stick out of a phone's screen (none when the page fits)."""
    found: list[str] = page.evaluate(WIDER_THAN_SCREEN)
    return found


@pytest.fixture
def axe() -> Path:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `npm ci` in tests/web (dev.py test runs it)")
    return AXE


def test_every_portal_page_has_no_serious_accessibility_violation(
    page: Page, live_server, axe
) -> None:
    url = live_server.url
    page.goto(f"{url}/portal/login", timeout=30_000)
    problems = _violations(page)
    sign_in(page, url, PORTAL_EMAIL, PASSWORD, area="portal")
    visited = list(PAGES)
    page.goto(f"{url}/portal/invoices?show=all")
    visited.append(page.locator("main table tbody a").first.get_attribute("href") or "")
    page.goto(f"{url}/portal/pay")
    page.locator("main table tbody input[type='checkbox']").first.check()
    page.get_by_role("button", name="Continue to payment").click()
    visited.append(re.sub(r"^https?://[^/]+", "", page.url))
    page.get_by_label("Card number").fill("4000 0025 0000 3155")
    page.get_by_role("button", name="Pay now").click()
    visited.append(re.sub(r"^https?://[^/]+", "", page.url))  # the 3-D Secure page

    for path in visited:
        page.goto(f"{url}{path}")
        problems += _violations(page)

    assert problems == []


def test_portal_pages_fit_a_phone_screen(page: Page, live_server) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/login", timeout=30_000)
    sign_in(page, live_server.url, PORTAL_EMAIL, PASSWORD, area="portal")
    too_wide = []
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        wide = _sideways(page)
        if wide:
            too_wide.append(f"{path}: {', '.join(wide)}")

    assert too_wide == []
