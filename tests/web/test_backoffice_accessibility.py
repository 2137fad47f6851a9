"""Back-office pages pass axe-core (no serious or critical violation) in Chromium, read on a
phone without sideways scrolling, and the sign-in form works from the keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.seed import PASSWORD, STAFF_EMAIL

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}
PHONE = {"width": 375, "height": 740}
# every list shares the layout, so axe checks a sample of lists plus the pages with forms
AXE_PAGES = ("/app/", "/app/worklist", "/app/cashapp", "/app/credit", "/app/strategy")
PAGES = (
    "/app/",
    "/app/worklist",
    "/app/cashapp",
    "/app/disputes",
    "/app/credit",
    "/app/orders",
    "/app/shipments",
    "/app/customers",
    "/app/products",
    "/app/strategy",
)
# a list, the link to its first document's page, and that page's address
DETAILS = (
    ("/app/worklist", "main table tbody a", r"/app/customers/\d+$"),
    ("/app/cashapp", "main table tbody a", r"/app/cashapp/lines/\d+$"),
    ("/app/disputes", "main table tbody a", r"/app/disputes/case/\d+$"),
    ("/app/customers", "main table tbody a[href$='/edit']", r"/app/customers/\d+/edit$"),
)


@pytest.fixture
def axe() -> Path:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `npm ci` in tests/web (dev.py test runs it)")
    return AXE


def _violations(page: Page, axe: Path) -> list[str]:
    page.add_script_tag(path=str(axe))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def test_back_office_pages_have_no_serious_accessibility_violation(
    staff_page: Page, live_server, axe
):
    problems: list[str] = []
    for path in AXE_PAGES:
        staff_page.goto(f"{live_server.url}{path}")
        problems += _violations(staff_page, axe)
    for listing, link, detail in DETAILS:
        staff_page.goto(f"{live_server.url}{listing}")
        staff_page.locator(link).first.click()
        expect(staff_page).to_have_url(re.compile(detail))
        problems += _violations(staff_page, axe)
    assert problems == []


def test_back_office_pages_fit_a_phone_screen(browser: Browser, staff_session, live_server):
    context = browser.new_context(viewport=PHONE, storage_state=staff_session)
    phone = context.new_page()
    wide = []
    for path in PAGES:
        phone.goto(f"{live_server.url}{path}")
        if phone.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            wide.append(path)
    context.close()
    assert wide == []


def test_signing_in_works_with_the_keyboard_alone(page: Page, live_server):
    page.goto(f"{live_server.url}/app/login")
    # the first Tab reaches the skip link, then the brand link, then the form's fields
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Email").focus()
    page.keyboard.type(STAFF_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/app/")
