"""A cash applier resolves exceptions in a real browser: a suggestion, then a match by hand."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.seed import UNKNOWN_PAYER


def _queue_row(page: Page, text: str):
    return page.locator("main table tbody tr", has_text=text)


def test_a_cash_applier_accepts_the_suggested_match(staff_page: Page, live_server):
    # given the queue with a line the engine only suggested
    staff_page.goto(f"{live_server.url}/app/cashapp")
    row = _queue_row(staff_page, "WEB-EXACT")
    expect(row).to_contain_text("suggested")
    row.get_by_role("link").click()
    # when the applier accepts its best suggestion
    staff_page.get_by_role("button", name="Accept suggestion 1").click()
    # then the line leaves the queue and the page says it is settled
    expect(staff_page).to_have_url(f"{live_server.url}/app/cashapp")
    expect(staff_page.get_by_role("status")).to_contain_text("Suggestion 1 accepted")
    expect(_queue_row(staff_page, "WEB-EXACT")).to_have_count(0)


def test_a_cash_applier_searches_an_invoice_and_matches_a_line_by_hand(
    staff_page: Page, live_server
):
    # given the line from a payer nobody knows
    staff_page.goto(f"{live_server.url}/app/cashapp")
    _queue_row(staff_page, UNKNOWN_PAYER).get_by_role("link").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("WEB-UNKNOWN")
    # when the applier searches the open invoices and takes the first one found
    staff_page.get_by_label("Invoice number or customer").fill("INV-")
    staff_page.get_by_role("button", name="Search").click()
    results = staff_page.locator("#search-results tbody tr")
    expect(results.first).to_be_visible()
    number = results.first.locator("td").first.inner_text()
    # a wrong invoice number is refused next to the form first
    staff_page.get_by_label("Invoice number", exact=True).first.fill("INV-NOPE")
    staff_page.get_by_label(re.compile(r"Amount \(EUR\)")).first.fill("123.45")
    staff_page.get_by_role("button", name="Apply").click()
    expect(staff_page.locator("#e-allocations")).to_contain_text("INV-NOPE: no open invoice")
    # then, with the number found, the line is applied to it
    staff_page.get_by_label("Invoice number", exact=True).first.fill(number)
    staff_page.get_by_role("button", name="Apply").click()
    expect(staff_page.get_by_role("status")).to_contain_text("matched by hand over 1 invoice")
    expect(_queue_row(staff_page, UNKNOWN_PAYER)).to_have_count(0)
    # and the API shows the line applied
    line = staff_page.request.get(f"{live_server.url}/api/v1/cashapp/queue")
    assert UNKNOWN_PAYER not in line.text()
