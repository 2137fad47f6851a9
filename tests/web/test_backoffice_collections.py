"""A collector at work in a real browser: a call, a note and a promise from the customer page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _first_worklist_customer(page: Page, base_url: str) -> str:
    page.goto(f"{base_url}/app/worklist")
    link = page.locator("main table tbody a").first
    name = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(r"/app/customers/\d+$"))
    return name


def test_a_collector_records_a_call_and_a_promise_to_pay(staff_page: Page, live_server):
    # given the customer at the top of the worklist
    _first_worklist_customer(staff_page, live_server.url)
    timeline = staff_page.locator("ol.timeline")
    # when the collector records a call
    staff_page.get_by_label("Outcome").select_option("promised")
    staff_page.get_by_label("What was said").fill("Will pay the oldest invoice on Friday")
    staff_page.get_by_role("button", name="Record call").click()
    # then the page confirms it and the timeline shows it first
    expect(staff_page.get_by_role("status")).to_have_text("Call recorded: promised.")
    expect(timeline.locator("li").first).to_contain_text(
        "call: promised - Will pay the oldest invoice on Friday"
    )
    # when they record the promise for the first open invoice
    invoice = staff_page.locator("input[name='invoices']").first
    number = staff_page.locator(f"label[for='{invoice.get_attribute('id')}']").inner_text()
    invoice.check()
    staff_page.get_by_label("Amount").fill("100.00")
    staff_page.get_by_label("Pay by").fill("2026-03-06")
    staff_page.get_by_role("button", name="Record promise").click()
    # then the promise is listed as pending with its invoice, and on the timeline
    expect(staff_page.get_by_role("status")).to_contain_text("Promise to pay 100.00 by 2026-03-06")
    promises = staff_page.locator(
        "section", has=staff_page.get_by_role("heading", name="Promises to pay")
    )
    expected_number = number.strip().split(" ")[0]
    expect(promises).to_contain_text(
        re.compile(rf"100\.00 EUR by 2026-03-06 for {expected_number}")
    )
    expect(promises).to_contain_text("pending")


def test_a_promise_without_invoices_is_refused_next_to_the_field(staff_page: Page, live_server):
    _first_worklist_customer(staff_page, live_server.url)
    # when a promise is sent without an invoice and with an amount that is no number
    staff_page.get_by_label("Amount").fill("lots")
    staff_page.get_by_label("Pay by").fill("2026-03-06")
    staff_page.get_by_role("button", name="Record promise").click()
    # then the form comes back with both errors next to their fields, and nothing recorded
    expect(staff_page.locator("#e-invoices")).to_have_text("choose at least one invoice")
    expect(staff_page.locator("#e-amount")).to_have_text("not an amount")
    expect(staff_page.get_by_label("Amount")).to_have_value("lots")


def test_a_note_is_added_to_the_timeline(staff_page: Page, live_server):
    _first_worklist_customer(staff_page, live_server.url)
    staff_page.locator("#f-note-text").fill("Asked for a copy of the invoice by mail")
    staff_page.get_by_role("button", name="Add note").click()
    expect(staff_page.get_by_role("status")).to_have_text("Note added.")
    expect(staff_page.locator("ol.timeline li").first).to_contain_text(
        "Asked for a copy of the invoice by mail"
    )
